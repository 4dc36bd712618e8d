"""The wizard's form: one field per question of the chosen site template.

The form checks nothing about the answers' shape itself: every answer is checked by the one
rule per question in ``answers.py`` and then by the template's own pre-generation hook (both
through the services), so every path that takes answers says the same thing about the same
answer. ``answers_refused`` puts their messages on their fields.

What it does check is the ERP pickers: when the ERP answered, the warehouse, price list,
currency and categories are choices from its lists (``LaunchOptions``), and a posted value that
is not one of them is refused here, naming what the ERP has: a form post is never trusted to
hold only what the page offered. When the ERP could not be reached they are plain text fields
and the plan checks them against the ERP later.

Field names are the template's question names and never change (scripts and browser tests
fill them in)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from storefleet.erp.types import LaunchOptions

from .answers import CATEGORY, _echo, derive_default
from .rendering import AnswerProblem, Question, SiteTemplate

COLOUR_FIELDS = {
    "primary_colour": "primary",
    "accent_colour": "accent",
    "dark_colour": "dark",
    "light_colour": "light",
}
# How the page groups the questions (a template's question not named here goes to "More").
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Brand", ("brand_name", "slug", "tagline")),
    ("Where it sells", ("region", "hostname", "languages", "country", "currency")),
    ("ERP mapping", ("erp_warehouse", "erp_price_list", "assortment", "featured_skus")),
    (
        "Look",
        (
            "primary_colour",
            "accent_colour",
            "dark_colour",
            "light_colour",
            "heading_font",
            "body_font",
            "corner_style",
            "logo_mark",
            "hero_motif",
        ),
    ),
    ("Legal details", ("legal_name", "address", "phone", "email", "vat_id", "registration")),
    ("Customers served", ("customer_countries", "customer_codes")),
)
# Plan problems in the plan's words, and the field whose answer each is about: the page links
# each problem to its field and marks that field. Checked in order; the first match wins.
PROBLEM_FIELDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^The folder .* already exists"), "slug"),
    (re.compile(r"hostname", re.IGNORECASE), "hostname"),
    (re.compile(r"^ERP warehouse "), "erp_warehouse"),
    (re.compile(r"^ERP price list "), "erp_price_list"),
    (re.compile(r"cannot price in "), "currency"),
    (re.compile(r"^ERP product categor"), "assortment"),
    (re.compile(r"^SKU "), "featured_skus"),
    (re.compile(r"^The phone number "), "phone"),
    (re.compile(r"\[customers\] codes"), "customer_codes"),
    (re.compile(r"\[customers\] countr"), "customer_countries"),
    (re.compile(r"its currency is "), "currency"),
    (re.compile(r"its (name|brand) is "), "brand_name"),
    (re.compile(r"its region is "), "region"),
    (re.compile(r"its country is "), "country"),
)


def problem_field(problem: str) -> str:
    """The question a plan problem is about, or ``""`` when it is about none in particular."""
    return next((field for pattern, field in PROBLEM_FIELDS if pattern.search(problem)), "")


class ColourInput(forms.TextInput):
    """The hex text field (the one posted, named as the question) with a native colour
    picker beside it; a small script keeps the two in step."""

    template_name = "provisioning/widgets/colour_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {
                "size": 8,
                "maxlength": 7,
                "spellcheck": "false",
                "autocomplete": "off",
                "class": "colour-picker__text",
                **(attrs or {}),
            }
        )


@dataclass(frozen=True)
class FieldError:
    """One message shown in the summary at the top, linking to its field."""

    field: str
    label: str
    message: str


class ErpChoiceMixin:
    """Refuses a value the ERP did not offer, echoing at most ``ECHO_LENGTH`` characters of
    it (a hostile post must not flood the page)."""

    error_messages: dict[str, Any]

    def validate(self, value: Any) -> None:
        try:
            super().validate(value)  # type: ignore[misc]
        except ValidationError as error:
            if error.code != "invalid_choice":
                raise
            values = value if isinstance(value, list) else [value]
            valid = self.valid_value  # type: ignore[attr-defined]
            wrong = next((str(v) for v in values if not valid(v)), "")
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": _echo("".join(c if c.isprintable() else "?" for c in wrong))},
            ) from None


class ErpChoiceField(ErpChoiceMixin, forms.ChoiceField):
    pass


class CommaSeparatedChoices(ErpChoiceMixin, forms.MultipleChoiceField):
    """Categories ticked one by one, or posted as one comma-separated value (as the text field
    takes them when the ERP is down, and as scripts post them)."""

    def to_python(self, value: Any) -> list[str]:
        items = super().to_python(value)
        return [part.strip() for item in items for part in item.split(",") if part.strip()]


def _pick(question_name: str, what: str, known: Iterable[str]) -> dict[str, str]:
    # The message is %-formatted by Django: a per cent sign in an ERP name is kept as such.
    names = (", ".join(known) or "nothing").replace("%", "%%")
    return {
        "invalid_choice": (
            f"{question_name}: '%(value)s' is not {what} the ERP has; pick one of {names}."
        )
    }


class LaunchForm(forms.Form):
    check_erp = forms.BooleanField(
        label="Check the ERP mapping against the live ERP",
        required=False,
        initial=True,
        help_text="Untick only when the ERP is not reachable from here (like --skip-erp-check).",
    )

    def __init__(
        self,
        *args: Any,
        template: SiteTemplate,
        options: LaunchOptions | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.template = template
        self.options = options
        questions: dict[str, forms.Field] = {}
        for question in template.questions:
            field = self._erp_field(question.name, question.default) if options else None
            if field is not None:
                pass
            elif question.choices:
                field = forms.ChoiceField(
                    choices=[(c, c.capitalize()) for c in question.choices],
                    initial=question.default,
                )
            elif question.derived:
                field = self._derived_field(question)
            elif question.name in COLOUR_FIELDS:
                field = forms.CharField(initial=question.default, widget=ColourInput())
            else:
                field = forms.CharField(initial=question.default)
            field.label, field.required = question.prompt, False
            if isinstance(field, forms.MultipleChoiceField):
                # Ticked, not typed: the prompt's "comma-separated" is for the command line.
                field.label = question.prompt.replace(", comma-separated", "")
            questions[question.name] = field
        # The questions first, in the template's order; the ERP switch last.
        self.fields = {**questions, "check_erp": self.fields["check_erp"]}

    @cached_property
    def _shown_answers(self) -> dict[str, str]:
        """The answers as the page stands (posted, else the template's defaults), derived ones
        derived from them: what the derived fields' placeholders show."""
        values: dict[str, str] = {}
        for question in self.template.questions:
            posted = self.data.get(question.name, "") if self.is_bound else ""
            if isinstance(posted, str) and posted.strip():
                values[question.name] = posted.strip()
            elif question.derived:
                context = {**self.template.private, **values}
                values[question.name] = derive_default(question.default, context) or ""
            else:
                values[question.name] = question.default
        return values

    def _derived_field(self, question: Question) -> forms.CharField:
        """A question whose default follows other answers (the slug the brand name; the legal
        form, address and phone the country): empty means that default, shown as the
        placeholder. One that follows the country carries its default for each country the
        template knows, so the page can change the placeholder with the country."""
        follows = [
            q.name.replace("_", " ")
            for q in self.template.questions
            if q.name != question.name and f"cookiecutter.{q.name}" in question.default
        ]
        help_text = f"Leave empty for the default, from the {' and '.join(follows) or 'template'}."
        shown = self._shown_answers
        attrs = {"placeholder": shown.get(question.name, "")}
        by_country = self.template.private.get("_country_defaults")
        if "cookiecutter.country" in question.default and isinstance(by_country, dict):
            attrs["data-country-defaults"] = json.dumps(
                {
                    country: derive_default(
                        question.default,
                        {**self.template.private, **shown, "country": country},
                    )
                    or ""
                    for country in by_country
                },
                ensure_ascii=False,
            )
        return forms.CharField(help_text=help_text, widget=forms.TextInput(attrs=attrs))

    def _erp_field(self, name: str, default: str) -> forms.Field | None:
        """A picker of what the ERP has, for the questions that name ERP master data."""
        options = self.options
        assert options is not None
        if name == "erp_warehouse":
            codes = [w.code for w in options.warehouses]
            return ErpChoiceField(
                choices=[(w.code, f"{w.code} · {w.name}") for w in options.warehouses],
                initial=default if default in codes else None,
                error_messages=_pick(name, "a warehouse", codes),
                help_text="The ERP's warehouses; orders of this store ship from the one picked.",
            )
        if name == "erp_price_list":
            names = [p.name for p in options.price_lists]
            return ErpChoiceField(
                choices=[(n, n) for n in names],
                initial=default if default in names else None,
                error_messages=_pick(name, "a price list", names),
                help_text="The ERP's price lists; buyers without a contract see this one.",
            )
        if name == "currency":
            return ErpChoiceField(
                choices=[(c, c) for c in options.currencies],
                initial=default if default in options.currencies else None,
                error_messages=_pick(name, "a currency", options.currencies),
                help_text=(
                    f"The currencies the ERP prices in: the company's {options.company_currency} "
                    "and those it has an exchange rate for."
                ),
            )
        if name == "assortment":
            # Only categories with a code a store file can name (the ERP also has accounting
            # categories without one).
            categories = [c for c in options.categories if CATEGORY.fullmatch(c.code)]
            codes = [c.code for c in categories]
            chosen = [c.strip() for c in default.split(",") if c.strip() in codes]
            return CommaSeparatedChoices(
                choices=[(c.code, f"{c.code} · {c.name}") for c in categories],
                initial=chosen,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "erp-categories"}),
                error_messages=_pick(name, "a product category", codes),
                help_text="The ERP's product categories; the store lists and sells these.",
            )
        return None

    def answers(self) -> dict[str, str]:
        """The answers to pass to the template: derived ones left empty are left out so the
        template derives them; every other answer is passed as given for the hook to judge."""
        answers = {}
        for question in self.template.questions:
            raw = self.cleaned_data.get(question.name) or ""
            value = (",".join(raw) if isinstance(raw, list) else str(raw)).strip()
            if value or not question.derived:
                answers[question.name] = value
        return answers

    def answers_refused(self, problems: tuple[AnswerProblem, ...]) -> None:
        for problem in problems:
            self.add_error(problem.field if problem.field in self.fields else None, problem.message)

    def plan_refused(self, problems: tuple[str, ...]) -> None:
        """Put each plan problem beside the field it is about (so the field is marked invalid
        and says why); problems about no field stay in the plan's list only."""
        for problem in problems:
            field = problem_field(problem)
            if field in self.fields:
                self.add_error(field, problem)

    def plan_problem_links(self, problems: tuple[str, ...]) -> list[FieldError]:
        """Each plan problem with the field it is about (``field`` empty when none)."""
        links = []
        for problem in problems:
            field = problem_field(problem)
            field = field if field in self.fields else ""
            label = str(self.fields[field].label) if field else ""
            links.append(FieldError(field, label, problem))
        return links

    def error_summary(self) -> list[FieldError]:
        """Every message on a field, in the form's order, for the list at the top of the page."""
        return [
            FieldError(name, str(self.fields[name].label), str(message))
            for name in self.fields
            for message in self.errors.get(name, ())
        ]

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The questions grouped as the page shows them, each group in the template's order."""
        placed = {name for _title, names in SECTIONS for name in names} | {"check_erp"}
        groups = [
            (title, [self[name] for name in self.fields if name in names])
            for title, names in SECTIONS
        ]
        groups.append(("More", [self[name] for name in self.fields if name not in placed]))
        groups.append(("Checks", [self["check_erp"]]))
        return [(title, fields) for title, fields in groups if fields]

    def colour_values(self) -> dict[str, str]:
        """The theme colours as the page shows them (posted, else the template's defaults),
        by the names ``brand.colours.theme_contrast_failures`` takes."""
        values = {}
        for name, colour in COLOUR_FIELDS.items():
            if name in self.fields:
                values[colour] = str(self[name].value() or "")
        return values

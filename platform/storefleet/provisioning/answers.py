"""A regional manager's answers to a site template's questions: checked against a strict schema,
completed with the template's derived defaults, and only then handed to the renderer — as data.

Why this module exists: cookiecutter renders every value of its context as a Jinja template,
including the values given as ``extra_context`` or ``key=value`` on its command line. Passing a
manager's answers that way let ``{{ 7*7 }}`` in "brand name" come back as ``49``, and a longer
expression read the process's globals. The design that closes it, on every path that takes
answers (the wizard, ``plan_launch_from_template``, ``store_launch_from_template``):

1. ``answers_check`` validates each answer against its ``AnswerRule`` (type, length, pattern,
   allowed characters or choices) before anything renders. Every question of every template
   must have a rule here (a choice question's rule is its list of choices); a question without
   one is refused (fail closed), not passed through.
   Free text (brand name, tagline, address...) may contain ``{``, ``%`` or ``#``: it is data.
2. Answers left out take the template's default. A derived default (``"{{
   cookiecutter.brand_name.lower().split()[0] }}"``) is the template author's own expression,
   evaluated here in a ``SandboxedEnvironment`` with the answers as *variables*: what a variable
   holds is output as text and never evaluated, so a brand name ``{{ 7*7 }}`` derives the slug
   ``{{`` (then refused by the slug's rule), never ``49``. The derived values are checked too.
3. ``rendering.brand_render`` gives the complete, checked answers to its child process
   (``render_child.py``), which builds cookiecutter's context itself and calls
   ``generate_files``: cookiecutter's variable rendering (``prompt_for_config``), the step that
   evaluated answers, never sees them. The template files output the answers through ``{{ }}``
   and the ``quoted`` filter, i.e. as data; the template's own hook checks them once more.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from jinja2 import StrictUndefined
from jinja2.exceptions import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from .hosts import host_reserved_reason
from .site_templates import AnswerProblem, AnswersInvalid, SiteTemplate

SLUG = re.compile(r"[a-z][a-z0-9-]{0,38}[a-z0-9]")
HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
HEX = re.compile(r"#[0-9A-Fa-f]{6}")
WAREHOUSE = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,19}")
CATEGORY = re.compile(r"[A-Z]{2,5}")
SKU = re.compile(r"[A-Z0-9][A-Z0-9._-]{1,39}")
CUSTOMER_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# Stricter than the hook's: the characters a sales address, a phone number and a VAT ID use.
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
PHONE = re.compile(r"[+(]?[0-9][0-9()./ -]{0,38}")
VAT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .-]{0,29}")
# Longest answer shown back inside a message: a hostile paste must not flood the page.
ECHO_LENGTH = 60


@dataclass(frozen=True)
class AnswerRule:
    """What one question accepts. ``pattern`` must match the whole answer, or each item when
    ``items`` (min, max) makes the answer a comma-separated list. ``message`` completes
    "<field>: " and may use ``{value}``; it is the template hook's wording where the hook has
    one, so the wizard says the same as ``cookiecutter``."""

    message: str
    max_length: int = 120
    required: bool = True
    pattern: re.Pattern[str] | None = None
    items: tuple[int, int] | None = None


COLOUR = AnswerRule(
    "'{value}' is not a colour; write # and six hex digits.", max_length=7, pattern=HEX
)


RULES: dict[str, AnswerRule] = {
    "brand_name": AnswerRule("give the brand's name (at most 120 characters).", max_length=120),
    "slug": AnswerRule(
        "'{value}' must be 2-40 lower-case letters, digits or hyphens, start with a letter and "
        "not end with a hyphen (it becomes the folder brands/<slug>/).",
        max_length=40,
        pattern=SLUG,
    ),
    "tagline": AnswerRule("write the tagline on one line.", max_length=200, required=False),
    "region": AnswerRule("name the sales region, e.g. Europe.", max_length=60),
    "hostname": AnswerRule(
        "'{value}' is not a valid host name; use lower-case labels separated by dots, e.g. "
        "acme.localhost or shop.acme.example.",
        max_length=253,
    ),
    "languages": AnswerRule(
        "'{value}' must be a comma-separated list of {languages}; the first is the store's "
        "default language.",
        max_length=40,
        items=(1, 5),  # every language of settings.LANGUAGES
    ),
    "currency": AnswerRule(
        "'{value}' is not an ISO 4217 code; use three capitals, e.g. EUR or USD.",
        max_length=3,
        pattern=re.compile(r"[A-Z]{3}"),
    ),
    "country": AnswerRule(
        "'{value}' is not an ISO 3166 country code; use two capitals, e.g. DE or US.",
        max_length=2,
        pattern=re.compile(r"[A-Z]{2}"),
    ),
    "erp_warehouse": AnswerRule(
        "'{value}' is not an ERP warehouse code (capitals, digits and hyphens, e.g. WH-EU).",
        max_length=20,
        pattern=WAREHOUSE,
    ),
    "erp_price_list": AnswerRule("name the ERP price list.", max_length=80),
    "assortment": AnswerRule(
        "'{value}' must be a comma-separated list of ERP product category codes, e.g. FAS,BRG,SEA.",
        max_length=200,
        pattern=CATEGORY,
        items=(1, 20),
    ),
    "featured_skus": AnswerRule(
        "'{value}' must list 1 to 8 ERP SKUs separated by commas, e.g. FAS-1001,BRG-1001.",
        max_length=8 * 41,
        pattern=SKU,
        items=(1, 8),
    ),
    "primary_colour": COLOUR,
    "accent_colour": COLOUR,
    "dark_colour": COLOUR,
    "light_colour": COLOUR,
    "legal_name": AnswerRule("give the company's legal name.", max_length=160),
    "address": AnswerRule("give the postal address (lines split by ;).", max_length=300),
    "phone": AnswerRule(
        "'{value}' is not a phone number; use digits, spaces and + ( ) - . /",
        max_length=40,
        required=False,
        pattern=PHONE,
    ),
    "email": AnswerRule("'{value}' is not an e-mail address.", max_length=254, pattern=EMAIL),
    "vat_id": AnswerRule(
        "'{value}' is not a VAT ID; use letters, digits, spaces, dots and hyphens.",
        max_length=30,
        required=False,
        pattern=VAT_ID,
    ),
    "registration": AnswerRule(
        "write the company registration on one line.", max_length=120, required=False
    ),
    "customer_countries": AnswerRule(
        "'{value}' must be a comma-separated list of ISO 3166 country codes, e.g. US,CA.",
        max_length=30 * 3,
        pattern=re.compile(r"[A-Z]{2}"),
        items=(1, 30),
    ),
    "customer_codes": AnswerRule(
        "'{value}' must be a comma-separated list of ERP customer codes, e.g. C-1006,C-1008.",
        max_length=2000,
        required=False,
        pattern=CUSTOMER_CODE,
        items=(1, 200),
    ),
}


def _echo(value: str) -> str:
    return value if len(value) <= ECHO_LENGTH else value[: ECHO_LENGTH - 1] + "…"


def _invisible(value: str) -> bool:
    """Control, format (bidi overrides, zero-width), surrogate, private and unassigned code
    points: nothing a store's name or address needs, and what breaks TOML, YAML and pages."""
    return any(unicodedata.category(ch).startswith("C") for ch in value)


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",")]


def _hostname_ok(value: str) -> bool:
    labels = value.split(".")
    return (
        len(labels) >= 2
        and all(HOST_LABEL.fullmatch(label) for label in labels)
        # A top-level label is never all digits: that is an IP address, not a host name.
        and not labels[-1].isdigit()
    )


def answer_problem(name: str, value: str) -> AnswerProblem | None:
    """What is wrong with ``value`` as the answer to ``name``, or ``None``."""
    rule = RULES.get(name)
    if rule is None:
        return AnswerProblem(
            name,
            f"{name}: the platform has no rule for this question, so it takes no answer; tell "
            "platform IT to add one to storefleet.provisioning.answers.",
        )

    def problem(message: str) -> AnswerProblem:
        return AnswerProblem(name, f"{name}: {message}")

    languages = ", ".join(sorted(code for code, _name in settings.LANGUAGES))
    refused = problem(rule.message.format(value=_echo(value), languages=languages))
    if len(value) > rule.max_length and (rule.pattern or rule.items):
        return refused
    if len(value) > rule.max_length:
        return problem(
            f"at most {rule.max_length} characters, please ({len(value)} given); shorten it."
        )
    if _invisible(value):
        return problem(
            "remove the line breaks, tabs and invisible characters; write it on one line."
        )
    if not value.strip():
        return refused if rule.required else None
    if rule.items is not None:
        items = _split(value)
        low, high = rule.items
        if not low <= len(items) <= high or len(set(items)) != len(items):
            return refused
        if name == "languages":
            known = {code for code, _name in settings.LANGUAGES}
            return None if all(item in known for item in items) else refused
        assert rule.pattern is not None
        return None if all(rule.pattern.fullmatch(item) for item in items) else refused
    if name == "hostname":
        reserved = host_reserved_reason(value)
        if reserved:
            return problem(reserved)
        return None if _hostname_ok(value) else refused
    if rule.pattern is not None and not rule.pattern.fullmatch(value):
        return refused
    return None


_DERIVING = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def derive_default(expression: str, answers: Mapping[str, Any]) -> str | None:
    """The template's own default expression evaluated over the answers, or ``None`` when it
    cannot be (e.g. an empty brand name has no first word)."""
    try:
        return _DERIVING.from_string(expression).render(cookiecutter=dict(answers)).strip()
    except (TemplateError, LookupError, TypeError, ValueError, AttributeError):
        return None


def answers_check(*, template: SiteTemplate, answers: Mapping[str, str]) -> dict[str, str]:
    """Every question of ``template`` answered, checked and in the template's order, ready to
    be rendered as data. Answers left out (or empty, for a derived question) take the
    template's default. Raises ``AnswersInvalid`` listing every problem, by field."""
    unknown = sorted(set(answers) - {q.name for q in template.questions})
    if unknown:
        raise AnswersInvalid(
            tuple(
                AnswerProblem("", f"The template '{template.name}' does not ask for {name}.")
                for name in unknown[:5]
            )
        )
    # Only spaces are trimmed (as a form does): a line break or tab is refused, not dropped.
    given = {name: str(value).strip(" ") for name, value in answers.items()}
    problems = []
    for question in template.questions:
        if question.name not in given or (question.derived and not given[question.name]):
            continue
        value = given[question.name]
        if question.choices:
            # A choice question's rule is its list of choices.
            found = (
                None
                if value in question.choices
                else AnswerProblem(
                    question.name,
                    f"{question.name}: '{_echo(value)}' is not one of "
                    f"{', '.join(question.choices)}; pick one of them.",
                )
            )
        else:
            found = answer_problem(question.name, value)
        if found:
            problems.append(found)
    if problems:
        raise AnswersInvalid(tuple(problems))

    complete: dict[str, str] = {}
    for question in template.questions:
        value = given.get(question.name, "")
        if value or (question.name in given and not question.derived):
            complete[question.name] = value
            continue
        if not question.derived:
            complete[question.name] = question.default
            continue
        derived = derive_default(question.default, {**template.private, **complete})
        if any(f"cookiecutter.{p.field}" in question.default for p in problems):
            # Derived from an answer already refused: one message about that answer is enough.
            complete[question.name] = derived or ""
            continue
        rule = RULES.get(question.name)
        if not derived and rule is not None and not rule.required:
            complete[question.name] = ""  # e.g. no phone number for a country without a default
            continue
        found = (
            answer_problem(question.name, derived)
            if derived
            else AnswerProblem(question.name, f"{question.name}: give it; it cannot be derived.")
        )
        if found:
            problems.append(
                AnswerProblem(
                    question.name,
                    f"{found.message} It was derived from your other answers; give it yourself.",
                )
            )
        complete[question.name] = derived or ""
    if problems:
        raise AnswersInvalid(tuple(problems))
    return complete

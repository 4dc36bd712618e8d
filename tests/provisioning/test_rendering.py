"""Rendering a manager's answers: every answer is data. Template syntax in free text comes out
verbatim, never evaluated; in any other field it is refused with the field's own message before
anything renders, and nothing is written."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml

from storefleet.errors import ApplicationError
from storefleet.provisioning.answers import RULES, answer_problem, answers_check
from storefleet.provisioning.rendering import AnswersInvalid, brand_render, template_get

TEMPLATES = ("b2b-store", "showcase")
JINJA = (
    "{{ 7*7 }}",
    "{{7*7}}",
    "{% for x in range(3) %}x{% endfor %}",
    "{{ cookiecutter.__class__ }}",
    "{{ cookiecutter }}",
    "{{ self._TemplateReference__context }}",
    "{{ lipsum.__globals__['os'] }}",
    "{% raw %}{{ 7*7 }}{% endraw %}",
    "{% endraw %}{{ 7*7 }}",
    "{# a comment #}",
    "{{",
    "{%",
)
# Free text: any printable text on one line, template syntax included, kept as written.
FREE_TEXT = ("brand_name", "tagline", "region", "erp_price_list", "legal_name", "registration")
# Every other question has a shape (pattern, list or choice) that template syntax never fits.
SHAPED = (
    "slug",
    "hostname",
    "languages",
    "currency",
    "country",
    "erp_warehouse",
    "assortment",
    "featured_skus",
    "primary_colour",
    "accent_colour",
    "dark_colour",
    "light_colour",
    "heading_font",
    "body_font",
    "corner_style",
    "logo_mark",
    "hero_motif",
    "phone",
    "email",
    "vat_id",
    "customer_countries",
    "customer_codes",
)
BASE = {"brand_name": "Nordlicht Antriebe", "slug": "nordlicht"}


def files(folder: Path) -> tuple[dict, dict, dict]:
    return (
        tomllib.loads((folder / "store.toml").read_text()),
        tomllib.loads((folder / "theme.toml").read_text()),
        yaml.safe_load((folder / "content.yaml").read_text()),
    )


def test_every_question_of_every_template_is_covered_by_a_rule():
    for name in TEMPLATES:
        questions = template_get(name=name).questions
        assert questions, name  # the loop below checks something for every template
        for question in questions:
            assert question.name in RULES or question.choices, question.name
            assert question.name in FREE_TEXT + SHAPED + ("address",), question.name


@pytest.mark.parametrize("template", TEMPLATES)
def test_template_syntax_in_free_text_is_rendered_verbatim(template, tmp_path):
    answers = {
        **BASE,
        "brand_name": "Nord {{ 7*7 }}",
        "tagline": "{{ 7*7 }} {% raw %} {{ cookiecutter.__class__ }}",
        "region": "{% for x in range(3) %}x{% endfor %}",
        "erp_price_list": "{{ lipsum.__globals__ }}",
        "legal_name": "{% endraw %}{{ 7*7 }}",
        "address": "{{ 7*7 }}; {# c #}",
        "registration": "{{ self }}",
        "phone": "+46 31 555 0100",  # the default phone has a 49 of its own
    }

    folder = brand_render(template=template, answers=answers, output_dir=tmp_path)

    store, theme, content = files(folder)
    assert (store["store"]["name"], store["store"]["region"]) == (
        "Nord {{ 7*7 }}",
        "{% for x in range(3) %}x{% endfor %}",
    )
    assert store["erp"]["price_list"] == "{{ lipsum.__globals__ }}"
    assert store["contact"]["legal_name"] == "{% endraw %}{{ 7*7 }}"
    assert store["contact"]["address"] == ["{{ 7*7 }}", "{# c #}"]
    assert store["contact"]["registration"] == "{{ self }}"
    assert content["settings"]["tagline"] == "{{ 7*7 }} {% raw %} {{ cookiecutter.__class__ }}"
    assert theme["logo"]["text"] == "Nord"
    for name in ("store.toml", "theme.toml", "content.yaml"):
        text = (folder / name).read_text()
        assert "49" not in text
        assert "xxx" not in text
        assert "<class" not in text


def test_a_tagline_is_text_in_the_pages_never_markup(tmp_path):
    answers = {**BASE, "tagline": "<script>alert(1)</script> & {{ 7*7 }}"}

    _store, _theme, content = files(
        brand_render(template="b2b-store", answers=answers, output_dir=tmp_path)
    )

    about = next(page for page in content["pages"] if page["key"] == "about")
    assert about["body"][0]["value"]["text"] == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; {{ 7*7 }}</p>"
    )
    assert content["settings"]["tagline"] == "<script>alert(1)</script> & {{ 7*7 }}"


@pytest.mark.parametrize("field", SHAPED)
@pytest.mark.parametrize("payload", JINJA[:4])
def test_template_syntax_in_a_shaped_field_is_refused_and_nothing_is_written(
    field, payload, tmp_path
):
    with pytest.raises(AnswersInvalid) as refused:
        brand_render(template="b2b-store", answers={**BASE, field: payload}, output_dir=tmp_path)

    [problem] = refused.value.problems
    assert problem.field == field
    assert problem.message.startswith(f"{field}: '{payload}' ")
    assert list(tmp_path.iterdir()) == []


def test_a_derived_slug_is_checked_like_a_given_one(tmp_path):
    with pytest.raises(AnswersInvalid) as refused:
        brand_render(template="b2b-store", answers={"brand_name": "{{ 7*7 }}"}, output_dir=tmp_path)

    # Only the slug: the host name and e-mail derived from it are not refused a second time.
    assert [p.field for p in refused.value.problems] == ["slug"]
    assert refused.value.problems[0].message == (
        "slug: '{{' must be 2-40 lower-case letters, digits or hyphens, start with a letter and "
        "not end with a hyphen (it becomes the folder brands/<slug>/). It was derived from your "
        "other answers; give it yourself."
    )
    assert list(tmp_path.iterdir()) == []


def test_derived_answers_come_from_the_answers_as_text(tmp_path):
    folder = brand_render(
        template="showcase", answers={"brand_name": "Kappa {{ 7*7 }} Tools"}, output_dir=tmp_path
    )

    store, _theme, _content = files(folder)
    assert folder.name == "kappa"
    assert store["store"]["hostname"] == "kappa.localhost"
    assert store["contact"]["legal_name"] == "Kappa {{ 7*7 }} Tools GmbH"
    assert store["contact"]["email"] == "sales@kappa.example"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "nordlicht\n", "slug: remove the line breaks, tabs and invisible characters"),
        ("hostname", "nordlicht.localhost\n", "hostname: remove the line breaks"),
        ("slug", "..", "slug: '..' must be 2-40 lower-case letters"),
        ("slug", "../evil", "slug: '../evil' must be 2-40 lower-case letters"),
        ("hostname", "admin.localhost", "hostname: 'admin.localhost' is reserved for the platform"),
        ("hostname", "127.0.0.1", "hostname: '127.0.0.1' is reserved for the platform"),
        ("hostname", "10.0.0.1", "hostname: '10.0.0.1' is an IP address"),
        ("hostname", "shop.10", "hostname: 'shop.10' is not a valid host name"),
        ("brand_name", "Nord\u202elicht", "brand_name: remove the line breaks, tabs"),
        ("tagline", "x" * 201, "tagline: at most 200 characters, please (201 given)"),
        ("currency", "EURO", "currency: 'EURO' is not an ISO 4217 code"),
        ("logo_mark", "star", "logo_mark: 'star' is not one of hex, flow; pick one of them."),
        ("languages", "en,en", "languages: 'en,en' must be a comma-separated list"),
        ("featured_skus", ",".join(["FAS-1001"] * 9), "featured_skus: 'FAS-1001,FAS-1001"),
        ("brand_name", " ", "brand_name: give the brand's name"),
    ],
)
def test_each_rule_names_its_field(field, value, message, tmp_path):
    with pytest.raises(AnswersInvalid) as refused:
        brand_render(template="b2b-store", answers={**BASE, field: value}, output_dir=tmp_path)

    assert [p.field for p in refused.value.problems] == [field]
    assert refused.value.problems[0].message.startswith(message)
    assert list(tmp_path.iterdir()) == []


def test_a_question_without_a_rule_takes_no_answer():
    problem = answer_problem("favourite_colour", "blue")
    assert problem is not None
    assert problem.message.startswith("favourite_colour: the platform has no rule")


def test_an_answer_to_a_question_the_template_does_not_ask_is_refused(tmp_path):
    with pytest.raises(AnswersInvalid) as refused:
        answers_check(template=template_get(name="b2b-store"), answers={"_extensions": "x"})
    assert refused.value.problems[0].message == (
        "The template 'b2b-store' does not ask for _extensions."
    )


@pytest.mark.parametrize("name", ["../b2b-store", "b2b-store/../showcase", "", ".", "a\x00"])
def test_a_template_name_is_a_name_not_a_path(name, tmp_path):
    with pytest.raises(ApplicationError, match="There is no site template"):
        brand_render(template=name, answers={}, output_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_the_hook_still_has_the_last_word(tmp_path):
    # The platform's rule is the shape (three capitals); the template's hook knows the codes.
    with pytest.raises(AnswersInvalid) as refused:
        brand_render(template="b2b-store", answers={**BASE, "currency": "XXY"}, output_dir=tmp_path)
    assert [(p.field, p.message) for p in refused.value.problems] == [
        (
            "currency",
            "currency: 'XXY' is not an ISO 4217 code; use three capitals, e.g. EUR or USD.",
        )
    ]
    assert list(tmp_path.iterdir()) == []

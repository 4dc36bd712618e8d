"""The site templates, rendered with cookiecutter's own API over their supported answers; every
invalid answer stops the pre-generation hook with a message naming it, and nothing is written."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter

TEMPLATES_DIR = Path(__file__).parents[2] / "site_templates"
TEMPLATES = ("b2b-store", "showcase")

ANSWERS = {
    "brand_name": "Nordlicht Antriebe",
    "slug": "nordlicht",
    "tagline": "Gear motors for conveyors",
    "region": "Nordics",
    "hostname": "nordlicht.localhost",
    "languages": "de, en",
    "currency": "SEK",
    "country": "SE",
    "erp_warehouse": "WH-EU",
    "erp_price_list": "Contract A",
    "assortment": "PTR,ELE",
    "featured_skus": "PTR-1001,ELE-1002",
    "primary_colour": "#1D4E89",
    "accent_colour": "#FFB000",
    "dark_colour": "#0E1B2B",
    "light_colour": "#F2F4F7",
    "legal_name": "Nordlicht Antriebe AB",
    "address": "Hamngatan 4; 411 14 Göteborg; Sweden",
    "phone": "+46 31 555 0100",
    "email": "order@nordlicht.example",
}


def render(template: str, tmp_path: Path, **answers: object) -> Path:
    return Path(
        cookiecutter(
            str(TEMPLATES_DIR / template),
            no_input=True,
            output_dir=str(tmp_path),
            extra_context={**ANSWERS, **answers},
        )
    )


def load(folder: Path) -> tuple[dict, dict, dict]:
    store = tomllib.loads((folder / "store.toml").read_text())
    theme = tomllib.loads((folder / "theme.toml").read_text())
    content = yaml.safe_load((folder / "content.yaml").read_text())
    return store, theme, content


@pytest.mark.parametrize("template", TEMPLATES)
def test_renders_the_store_file_theme_and_content(template, tmp_path):
    folder = render(template, tmp_path)

    assert folder == tmp_path / "nordlicht"
    assert sorted(p.name for p in folder.iterdir()) == ["content.yaml", "store.toml", "theme.toml"]
    store, theme, content = load(folder)
    assert store["template"] == template
    assert store["store"] == {
        "slug": "nordlicht",
        "name": "Nordlicht Antriebe",
        "brand": "Nordlicht Antriebe",
        "region": "Nordics",
        "hostname": "nordlicht.localhost",
        "languages": ["de", "en"],
        "currency": "SEK",
        "country": "SE",
    }
    assert store["erp"] == {
        "warehouse": "WH-EU",
        "price_list": "Contract A",
        "assortment": ["PTR", "ELE"],
        "sample_skus": ["PTR-1001", "ELE-1002"],
    }
    assert store["contact"]["address"] == ["Hamngatan 4", "411 14 Göteborg", "Sweden"]
    assert store["infrastructure"] == {"driver": "local"}
    assert theme["colours"] == {
        "primary": "#1D4E89",
        "accent": "#FFB000",
        "dark": "#0E1B2B",
        "light": "#F2F4F7",
    }
    assert theme["logo"] == {"text": "Nordlicht", "mark": "hex"}
    media_keys = {item["key"] for item in content["media"]}
    assert media_keys >= {"logo", "hero", "catalogue"}
    # Featured products by SKU alone: the launch names and pictures them from the ERP's
    # catalog (storefleet.provisioning.featured), never with a stand-in or a stock picture.
    assert not any(key.startswith("product-") for key in media_keys)
    featured = content["home"]["body"][1 if template == "showcase" else 2]["value"]
    assert featured["products"] == [
        {"sku": "PTR-1001", "text": ""},
        {"sku": "ELE-1002", "text": ""},
    ]
    # Every page a block or the navigation points at is in the page tree.
    page_keys = {page["key"] for page in content["pages"]}
    links = [link["page"] for link in content["navigation"]["primary"]]
    assert set(links) <= page_keys
    # The readable format keeps non-ASCII letters as they are.
    assert "Göteborg" in (folder / "store.toml").read_text()


def test_the_two_templates_differ_in_their_page_tree(tmp_path):
    full = load(render("b2b-store", tmp_path / "a"))[2]
    showcase = load(render("showcase", tmp_path / "b"))[2]
    assert [p["slug"] for p in full["pages"]] == ["catalog", "about", "terms", "imprint"]
    assert [p["slug"] for p in showcase["pages"]] == ["catalogue", "imprint"]


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize(
    ("choice", "value"),
    [
        ("heading_font", "serif"),
        ("body_font", "humanist"),
        ("corner_style", "rounded"),
        ("logo_mark", "flow"),
        ("hero_motif", "pipes"),
    ],
)
def test_every_choice_renders(template, choice, value, tmp_path):
    _store, theme, _content = load(render(template, tmp_path, **{choice: value}))
    rendered = {
        "heading_font": theme["fonts"]["heading"],
        "body_font": theme["fonts"]["body"],
        "corner_style": theme["shape"]["corners"],
        "logo_mark": theme["logo"]["mark"],
        "hero_motif": theme["hero"]["motif"],
    }
    assert rendered[choice] == value


INVALID = [
    ("slug", "Nord_Licht", "slug: 'Nord_Licht' must be 2-40 lower-case letters"),
    ("slug", "n", "slug: 'n' must be"),
    # The patterns match the whole answer: "$" used to let a trailing newline through.
    ("slug", "nordlicht\n", "slug: 'nordlicht\n' must be 2-40 lower-case letters"),
    ("hostname", "nordlicht.localhost\n", "hostname: 'nordlicht.localhost\n' is not a valid"),
    ("primary_colour", "#1D4E89\n", "primary_colour: '#1D4E89\n' is not a colour"),
    ("email", "a@b.example\n", "email: 'a@b.example\n' is not an e-mail address."),
    ("hostname", "nordlicht", "hostname: 'nordlicht' is not a valid host name"),
    ("hostname", "-bad.localhost", "hostname: '-bad.localhost' is not a valid host name"),
    (
        "languages",
        "en,sv",
        "languages: 'en,sv' must be a comma-separated list of de, en, es, fr, ja",
    ),
    ("currency", "EURO", "currency: 'EURO' is not an ISO 4217 code"),
    ("currency", "XXY", "currency: 'XXY' is not an ISO 4217 code"),
    ("country", "XX", "country: 'XX' is not an ISO 3166 country code"),
    ("erp_warehouse", "wh eu", "erp_warehouse: 'wh eu' is not an ERP warehouse code"),
    ("erp_price_list", " ", "erp_price_list: name the ERP price list."),
    ("assortment", "fasteners", "assortment: 'fasteners' must be a comma-separated list"),
    ("featured_skus", "", "featured_skus: '' must list 1 to 8 ERP SKUs"),
    ("primary_colour", "blue", "primary_colour: 'blue' is not a colour"),
    (
        "accent_colour",
        "#7B7B7B",
        "accent_colour: Dark text (#111418) on the accent colour #7B7B7B (the hero's call to "
        "action and badges) has contrast 4.3:1; it needs 4.5:1.",
    ),
    (
        "light_colour",
        "#777777",
        "light_colour: Body text (#1B2330) on the light colour #777777 (light sections, page "
        "headers) has contrast 3.5:1; it needs 4.5:1.",
    ),
    (
        "primary_colour",
        "#FFEE00",
        "primary_colour: The primary colour #FFEE00 as text on white (links, the header's "
        "outline buttons, prices) has contrast 1.2:1; it needs 4.5:1.",
    ),
    ("legal_name", "", "legal_name: give the company's legal name."),
    ("email", "sales-at-nordlicht", "email: 'sales-at-nordlicht' is not an e-mail address."),
]


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize(("field", "value", "message"), INVALID)
def test_an_invalid_answer_stops_the_hook_and_writes_nothing(
    template, field, value, message, tmp_path, capfd
):
    with pytest.raises(FailedHookException):
        render(template, tmp_path / "out", **{field: value})
    errors = capfd.readouterr().err
    assert f"invalid answer: {message}" in errors
    assert list((tmp_path / "out").iterdir()) == []


def test_every_problem_is_reported_at_once(tmp_path, capfd):
    with pytest.raises(FailedHookException):
        render("b2b-store", tmp_path, currency="eur", country="Germany", email="x")
    lines = [x for x in capfd.readouterr().err.splitlines() if x.startswith("invalid answer:")]
    assert [line.split(":")[1].strip() for line in lines] == ["currency", "country", "email"]


@pytest.mark.parametrize("template", TEMPLATES)
def test_an_unknown_choice_is_refused_before_rendering(template, tmp_path):
    with pytest.raises(
        ValueError,
        match=r"star provided for choice variable logo_mark, but the choices are \[.hex., .flow.\]",
    ):
        render(template, tmp_path / "out", logo_mark="star")
    assert not (tmp_path / "out").exists()


def quoted_filter():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "local_extensions", TEMPLATES_DIR / "b2b-store" / "local_extensions.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.quoted


@pytest.mark.parametrize(
    "value",
    [
        "Göteborg",
        'say "hi" \\ back',
        "a\x7fb",
        "tab\there",
        "line\u2028break",
        "\x00\x1b[31m",
        "😀",
    ],
)
def test_quoted_reads_back_as_the_same_text_in_toml_and_yaml(value):
    quoted = quoted_filter()(value)
    assert tomllib.loads(f"v = {quoted}")["v"] == value
    assert yaml.safe_load(f"v: {quoted}")["v"] == value

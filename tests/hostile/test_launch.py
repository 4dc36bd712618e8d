"""Hostile input to the store-launch pipeline: the wizard's answers (as the regional manager),
``storefleet plan`` targets, and hand-edited store files. Whatever arrives: no server error, no
traceback, a refusal that names the field (or file and key), and nothing written — no brand
folder, no Store, Site, Page or Run rows. Template syntax is data: never evaluated."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from storefleet.provisioning.cli import main
from storefleet.provisioning.demo import regional_managers_group
from storefleet.provisioning.plan import plan_launch
from storefleet.provisioning.rendering import template_get
from tests.hostile.harness import (
    EXAMPLES,
    check_refusal,
    check_response,
    hostile,
    nothing_written,
    tried,
)
from tests.hostile.strategies import (
    MARKUP,
    PATHS,
    TEMPLATE_SYNTAX,
    hostile_bytes,
    hostile_text,
)
from tests.provisioning.conftest import WIZARD_ANSWERS

pytestmark = pytest.mark.django_db


TEMPLATES = ("b2b-store", "showcase")
FREE_TEXT = (
    "brand_name",
    "tagline",
    "region",
    "erp_price_list",
    "legal_name",
    "address",
    "registration",
)
# Every question whose answer has a shape (pattern, list, choice): template syntax, markup and
# paths never fit one, so each of these answers must be refused on its field.
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
VALID = {**WIZARD_ANSWERS, "slug": "nordlicht"}
NEVER_FITS = (
    TEMPLATE_SYNTAX
    + MARKUP
    + (
        "../../etc/passwd",
        "/etc/passwd",
        "..\\..\\windows",
        "%2e%2e%2f",
        "\x00",
        "\x1b[31m",
        "\u202e",
        "\x7f",
    )
)


def shaped_nasty() -> st.SearchStrategy[str]:
    """Text no shaped answer accepts: a known nasty with anything around it, or far too long."""
    known = st.sampled_from(NEVER_FITS)
    mixed = st.tuples(st.text(max_size=12), known, st.text(max_size=12)).map("".join)
    return st.one_of(known, mixed, st.sampled_from(("A" * 1000, "x" * 70_000, "é" * 5000)))


@pytest.fixture
def manager(brands_dir) -> Client:
    user = get_user_model().objects.create_user("regional.manager", "rm@example.com", "pw")
    user.groups.add(regional_managers_group())
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def folder_listing(root: Path):
    return lambda: sorted(p.name for p in root.iterdir())


def field_errors(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    form = response.context["form"] if response.context else None
    return {name: list(errors) for name, errors in form.errors.items()} if form else {}


@hostile
@given(
    template=st.sampled_from(TEMPLATES),
    field=st.sampled_from(SHAPED),
    value=shaped_nasty(),
    action=st.sampled_from(("plan", "launch")),
)
def test_the_wizard_refuses_a_hostile_answer_on_its_field(
    manager,
    brands_dir,
    template,
    field,
    value,
    action,
):
    url = reverse("provisioning_launch_form", args=[template])
    with nothing_written(extra=[("brand folders", folder_listing(brands_dir))]):
        response = manager.post(url, {**VALID, field: value, action: "", "check_erp": ""})

    body = check_refusal(response, says=f'data-field="{field}"')
    assert response.status_code == 200
    assert list(field_errors(response)) == [field], field_errors(response)
    # The answer is shown back as typed, never evaluated: no 7*7 became 49.
    assert "49" not in " ".join(field_errors(response)[field]) or "49" in value
    assert "Traceback" not in body


@settings(hostile, max_examples=max(4, EXAMPLES // 5))
@given(
    field=st.sampled_from(FREE_TEXT),
    value=st.one_of(st.sampled_from(TEMPLATE_SYNTAX), hostile_text(max_size=120)),
)
def test_free_text_is_refused_on_its_field_or_kept_as_typed(manager, brands_dir, field, value):
    # A plan renders into a scratch folder and writes nothing, whether the answer is taken or not.
    url = reverse("provisioning_launch_form", args=["b2b-store"])
    with nothing_written(extra=[("brand folders", folder_listing(brands_dir))]):
        response = manager.post(url, {**VALID, field: value, "plan": "", "check_erp": ""})

    check_response(response, allowed=(200,))
    errors = field_errors(response)
    if errors:
        assert list(errors) == [field], errors
        assert errors[field][0].startswith(f"{field}: ") or "Null characters" in errors[field][0]
        return
    plan = response.context["plan"]
    assert plan is not None and plan.ok, plan
    if field == "brand_name":
        # Shown exactly as typed (spaces trimmed), never evaluated.
        assert plan.changes[0].detail == f"{value.strip()} (Nordics, SEK)"


@hostile
@given(name=st.one_of(st.sampled_from(PATHS), hostile_text(max_size=80)))
def test_a_hostile_template_name_is_not_found(manager, name):
    with nothing_written():
        response = manager.get(f"/admin/launch/{quote(name, safe='')}/")
    # An empty name is the list of templates itself.
    check_response(response, allowed=(404,) if name else (200, 404))


@hostile
@given(target=st.one_of(st.sampled_from(PATHS), hostile_text(max_size=300)))
def test_storefleet_plan_with_a_hostile_target_refuses_it(render_brand, brands_dir, capsys, target):
    if not any(brands_dir.iterdir()):
        render_brand()
    tried()
    with nothing_written(extra=[("brand folders", folder_listing(brands_dir))]):
        try:
            status = main(["plan", target, "--skip-erp-check"])
        except SystemExit as exit_:  # argparse: a target that looks like an option
            status = int(exit_.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if target.strip() in ("nordlicht", str(brands_dir / "nordlicht")):
        return
    assert status != 0
    assert (
        "is not a store's folder in" in err
        or "no such brand folder" in out
        or "usage: storefleet" in err
    ), (out, err)


STORE_KEYS = (
    ("store.toml", "store", "name"),
    ("store.toml", "store", "region"),
    ("store.toml", "store", "hostname"),
    ("store.toml", "store", "slug"),
    ("store.toml", "store", "currency"),
    ("store.toml", "erp", "warehouse"),
    ("store.toml", "erp", "price_list"),
    ("store.toml", "contact", "legal_name"),
    ("store.toml", "contact", "email"),
    ("store.toml", "contact", "phone"),
    ("store.toml", "customers", "codes"),
    ("store.toml", "customers", "countries"),
    ("store.toml", "people", "editors"),
    ("theme.toml", "colours", "primary"),
    ("theme.toml", "fonts", "heading"),
    ("theme.toml", "logo", "text"),
)


@pytest.fixture
def store_folder(render_brand) -> Iterator[Path]:
    folder = render_brand()
    yield folder


def _restore(folder: Path, originals: dict[str, bytes]) -> None:
    for name, content in originals.items():
        (folder / name).write_bytes(content)


def _toml_value(text: str) -> str:
    # A TOML basic string holding ``text`` exactly (JSON's escapes, and \\uXXXX for the rest).
    escaped = json.dumps(text, ensure_ascii=True)
    return escaped.replace("\\/", "/")


@hostile
@given(key=st.sampled_from(STORE_KEYS), value=hostile_text(max_size=200))
def test_a_hostile_value_in_a_store_file_is_data_or_a_named_problem(store_folder, key, value):
    name, table, field = key
    originals = {n: (store_folder / n).read_bytes() for n in ("store.toml", "theme.toml")}
    text = originals[name].decode()
    lines = text.splitlines()
    in_table = False
    for index, line in enumerate(lines):
        if line.startswith("["):
            in_table = line.strip() == f"[{table}]"
        elif in_table and line.split("=")[0].strip() == field:
            lines[index] = f"{field} = {_toml_value(value)}"
            break
    (store_folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    tried()
    try:
        with nothing_written():
            plan = plan_launch(path=store_folder, check_erp=False)
    finally:
        _restore(store_folder, originals)
    if plan.ok:
        return
    # Every problem says which file it is about.
    for problem in plan.problems:
        assert any(f in problem for f in ("store.toml", "theme.toml", "host")), problem
    assert all("Traceback" not in p for p in plan.problems)


@hostile
@given(
    name=st.sampled_from(("store.toml", "theme.toml", "content.yaml")),
    content=st.one_of(
        hostile_bytes(max_size=2000),
        st.sampled_from(
            (
                b"home: !!python/object/apply:os.system ['true']\n",
                b"pages: [{key: a, type: b, title: c, slug: d, children: {x: 1}}]\n",
                b"media: [{key: [1], kind: {a: 1}, title: t}]\n",
                b"a: &a [*a]\n",
                b"[store]\nslug = 1\nlanguages = 'en'\n",
                b"colours = [1]\nfonts = 2\n",
                b"navigation: {primary: 7, footer_columns: x}\n",
                b'name = "{{ 7*7 }}"\n',
                b"\xef\xbb\xbf[store]\n",
            )
        ),
    ),
)
def test_a_broken_store_file_is_a_problem_named_by_its_file(store_folder, capsys, name, content):
    original = (store_folder / name).read_bytes()
    (store_folder / name).write_bytes(content)
    tried()
    try:
        with nothing_written():
            plan = plan_launch(path=store_folder, check_erp=False)
            status = main(["plan", str(store_folder), "--skip-erp-check"])
    finally:
        (store_folder / name).write_bytes(original)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if plan.ok:
        return
    assert status == 1
    assert any(name in problem for problem in plan.problems), plan.problems


def test_every_question_of_every_template_is_tried():
    for template in TEMPLATES:
        names = {q.name for q in template_get(name=template).questions}
        assert names == set(FREE_TEXT) | set(SHAPED)


@hostile
@given(body=hostile_bytes(max_size=3000), launch=st.booleans())
def test_a_wizard_post_of_raw_bytes_writes_nothing(manager, brands_dir, body, launch):
    url = reverse("provisioning_launch_form", args=["b2b-store"])
    # A brand name whose derived slug is refused, then the junk (invalid UTF-8, NULs, BOMs...):
    # the body must be parsed and refused, never crash, and no store may come of it.
    prefix = "slug=&brand_name=%7B%7B+7*7+%7D%7D&" + ("launch=&" if launch else "plan=&")
    with nothing_written(extra=[("brand folders", folder_listing(brands_dir))]):
        response = manager.post(
            url, data=prefix.encode() + body, content_type="application/x-www-form-urlencoded"
        )
    check_response(response, allowed=(200, 400))

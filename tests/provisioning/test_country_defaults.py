"""The legal form, address and phone a template suggests follow the store's country, on the
command line (cookiecutter) and in the wizard alike; a phone number with another country's code
is a warning in the plan, not a refusal."""

from __future__ import annotations

import io
import re
import tomllib
from contextlib import redirect_stdout

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from storefleet.provisioning import cli
from storefleet.provisioning.demo import regional_managers_group
from storefleet.provisioning.plan import plan_launch, plan_launch_from_template
from storefleet.provisioning.services import store_launch
from storefleet.tenants.models import Store
from tests.provisioning.conftest import WIZARD_ANSWERS

pytestmark = pytest.mark.django_db

CONTACT = ("legal_name", "address", "phone")
# What each country's store gets when the manager leaves the legal details to the template.
EXPECTED = {
    "DE": ("Nordlicht Antriebe GmbH", "Germany", "+49 "),
    "US": ("Nordlicht Antriebe Inc.", "United States", "+1 "),
    "CA": ("Nordlicht Antriebe Inc.", "Canada", "+1 "),
    "GB": ("Nordlicht Antriebe Ltd", "United Kingdom", "+44 "),
    "FR": ("Nordlicht Antriebe SAS", "France", "+33 "),
    "SE": ("Nordlicht Antriebe AB", "Sweden", "+46 "),
}


def contact_of(folder) -> dict:
    return tomllib.loads((folder / "store.toml").read_text())["contact"]


@pytest.mark.parametrize("template", ["b2b-store", "showcase"])
@pytest.mark.parametrize("country", sorted(EXPECTED))
def test_cookiecutter_suggests_the_legal_details_of_the_chosen_country(
    render_brand, template, country
):
    contact = contact_of(render_brand("nordlicht", template=template, country=country))

    legal_name, last_line, phone = EXPECTED[country]
    assert contact["legal_name"] == legal_name
    assert contact["address"][-1] == last_line
    assert contact["phone"].startswith(phone)
    assert "GmbH" not in contact["legal_name"] or country == "DE"


def test_a_country_without_defaults_gets_neutral_ones(render_brand):
    contact = contact_of(render_brand("nordlicht", country="IT"))

    # No legal form, no phone number and no address of another country.
    assert contact["legal_name"] == "Nordlicht Antriebe"
    assert contact["phone"] == ""
    assert contact["address"] == ["Street and number", "Postcode and city"]


def test_the_wizard_path_derives_the_same_defaults(brands_dir):
    answers = {k: v for k, v in WIZARD_ANSWERS.items() if k not in CONTACT}

    plan = plan_launch_from_template(
        template="b2b-store", answers={**answers, "country": "US"}, check_erp=False
    )

    assert plan.ok, plan.problems
    legal = next(c.detail for c in plan.changes if c.target == "legal details")
    assert legal == (
        "Nordlicht Antriebe Inc.; 4800 Commerce Parkway, Cleveland, OH 44128, United States; "
        "+1 216 555 0100"
    )
    assert plan.warnings == ()
    assert list(brands_dir.iterdir()) == []


@pytest.fixture
def manager_client(brands_dir) -> Client:
    manager = get_user_model().objects.create_user("regional.manager", "rm@example.com", "pw")
    manager.groups.add(regional_managers_group())
    client = Client(HTTP_HOST="localhost")
    client.force_login(manager)
    return client


FORM_URL = reverse("provisioning_launch_form", args=["b2b-store"])


def input_tag(page: str, name: str) -> str:
    found = re.search(rf'<input type="text" name="{name}"[^>]*>', page)
    assert found is not None, name
    return found.group(0)


def test_the_wizard_shows_the_countrys_defaults_and_launches_with_them(manager_client, brands_dir):
    page = manager_client.get(FORM_URL).content.decode()
    assert 'placeholder="+49 711 555 0000"' in input_tag(page, "phone")
    # Each country's default is on the field, for the page to show when the country changes.
    assert "&quot;US&quot;: &quot;+1 216 555 0100&quot;" in input_tag(page, "phone")

    answers = {k: v for k, v in WIZARD_ANSWERS.items() if k not in CONTACT}
    planned = manager_client.post(
        FORM_URL, {**answers, "country": "GB", "legal_name": "", "phone": "", "plan": ""}
    )
    page = planned.content.decode()
    assert 'placeholder="+44 121 496 0000"' in input_tag(page, "phone")
    assert 'placeholder="Nordlicht Antriebe Ltd"' in input_tag(page, "legal_name")
    assert planned.context["plan"].ok, planned.context["plan"].problems

    launched = manager_client.post(
        FORM_URL, {**answers, "country": "GB", "legal_name": "", "phone": "", "launch": ""}
    )

    assert launched.status_code == 302
    contact = contact_of(brands_dir / "nordlicht")
    assert (contact["legal_name"], contact["phone"]) == (
        "Nordlicht Antriebe Ltd",
        "+44 121 496 0000",
    )


def test_a_phone_number_of_another_country_is_a_warning_not_a_refusal(render_brand):
    folder = render_brand("nordlicht", country="US", phone="+49 711 555 0000")

    plan = plan_launch(path=folder, check_erp=False)

    assert plan.ok, plan.problems
    assert plan.warnings == (
        "The phone number '+49 711 555 0000' has the country code +49, but the store's country "
        "is US (+1); check the phone number.",
    )
    printed = io.StringIO()
    with redirect_stdout(printed):
        cli.main(["plan", str(folder), "--skip-erp-check"])
    assert (
        "  WARNING   The phone number '+49 711 555 0000' has the country code +49"
        in printed.getvalue()
    )
    run = store_launch(path=folder, check_erp=False, inline=True)
    assert run.status == "succeeded", run.error
    assert run.plan["warnings"] == list(plan.warnings)


@pytest.mark.parametrize(
    ("phone", "country", "warned"),
    [
        ("+1 216 555 0100", "US", False),
        ("+1 416 555 0100", "CA", False),
        ("+46 31 555 0100", "SE", False),
        ("0711 555 0000", "US", False),  # no country code written: not judged
        ("", "US", False),
        ("+39 02 555 0100", "IT", False),
        ("+44 121 496 0000", "FR", True),
        ("+33 4 72 55 01 00", "GB", True),
    ],
)
def test_which_phone_numbers_are_warned_about(render_brand, phone, country, warned):
    folder = render_brand("nordlicht", country=country, phone=phone)

    plan = plan_launch(path=folder, check_erp=False)

    assert plan.ok, plan.problems
    assert bool(plan.warnings) is warned


def test_the_wizard_shows_the_phone_warning_beside_a_plan_it_would_launch(manager_client):
    response = manager_client.post(
        FORM_URL, {**WIZARD_ANSWERS, "country": "SE", "phone": "+49 711 555 0000", "plan": ""}
    )

    page = response.content.decode()
    assert 'id="plan-warnings"' in page
    assert (
        '<a href="#field-phone" data-problem-field="phone">The phone number '
        "&#x27;+49 711 555 0000&#x27; has the country code +49, but the store&#x27;s country is "
        "SE (+46); check the phone number.</a>"
    ) in page
    assert 'name="launch"' in page  # a warning does not hold the launch back
    assert "phone" not in response.context["form"].errors
    assert not Store.objects.exists()


def test_the_wizard_path_gives_a_country_without_defaults_neutral_ones(brands_dir):
    answers = {k: v for k, v in WIZARD_ANSWERS.items() if k not in CONTACT}

    plan = plan_launch_from_template(
        template="b2b-store", answers={**answers, "country": "IT"}, check_erp=False
    )

    assert plan.ok, plan.problems
    legal = next(c.detail for c in plan.changes if c.target == "legal details")
    assert legal == "Nordlicht Antriebe; Street and number, Postcode and city; no phone"


def test_hostile_answers_stay_text_in_the_derived_placeholders(manager_client, brands_dir):
    response = manager_client.post(
        FORM_URL,
        {
            **WIZARD_ANSWERS,
            "brand_name": "{{ 7*7 }} <b>Bold</b>",
            "country": '"><script>alert(1)</script>',
            "legal_name": "",
            "plan": "",
        },
    )

    page = response.content.decode()
    tag = input_tag(page, "legal_name")
    # Not evaluated, not markup; an unknown country falls back to the neutral defaults.
    assert 'placeholder="{{ 7*7 }} &lt;b&gt;Bold&lt;/b&gt;"' in tag
    assert "<script>alert(1)" not in page
    assert "country" in response.context["form"].errors
    assert response.context["plan"] is None
    assert list(brands_dir.iterdir()) == []

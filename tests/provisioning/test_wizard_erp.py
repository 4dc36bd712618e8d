"""The wizard's ERP pickers against the real reference ERP: warehouses, price lists, currencies
and categories are the ERP's lists; a value the page did not offer is refused with what the
ERP has; with the ERP down the wizard says so and takes typed codes, which the plan checks.
And the plan at the top of the page, each problem linked to the field it is about."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from storefleet.provisioning.demo import regional_managers_group
from storefleet.provisioning.models import ProvisioningRun
from storefleet.tenants.models import Store
from tests.erp.conftest import point_gateway_at
from tests.provisioning.conftest import WIZARD_ANSWERS

pytestmark = pytest.mark.django_db

# A USD store over the reference ERP's real mapping, as the pickers offer it.
USD_ANSWERS = {
    **WIZARD_ANSWERS,
    "currency": "USD",
    "erp_warehouse": "WH-US",
    "erp_price_list": "List Price",
    "assortment": "HYD,PNE",
    "featured_skus": "HYD-1007,PNE-1001",
    "check_erp": "on",
}
FORM_URL = reverse("provisioning_launch_form", args=["b2b-store"])


@pytest.fixture
def manager_client(brands_dir) -> Client:
    manager = get_user_model().objects.create_user("regional.manager", "rm@example.com", "pw")
    manager.groups.add(regional_managers_group())
    client = Client(HTTP_HOST="localhost")
    client.force_login(manager)
    return client


@pytest.fixture
def erp(settings, erp_server):
    return point_gateway_at(settings, erp_server)


def plan_post(client, **answers):
    return client.post(FORM_URL, {**USD_ANSWERS, **answers, "plan": ""})


def choice_values(form, name: str) -> list[str]:
    return [value for value, _label in form.fields[name].choices]


def test_the_pickers_offer_what_the_erp_has(manager_client, erp):
    response = manager_client.get(FORM_URL)

    form = response.context["form"]
    assert choice_values(form, "currency") == ["EUR", "USD"]
    assert {"WH-EU", "WH-US"} <= set(choice_values(form, "erp_warehouse"))
    assert "List Price" in choice_values(form, "erp_price_list")
    assert {"HYD", "PNE", "FAS"} <= set(choice_values(form, "assortment"))
    # Only categories a store file can name: the ERP's accounting categories have no code.
    assert all(re.fullmatch(r"[A-Z]{2,5}", c) for c in choice_values(form, "assortment"))
    assert form.fields["assortment"].label == "ERP product categories sold here"
    page = response.content.decode()
    assert '<select name="erp_warehouse"' in page
    assert '<select name="currency"' in page
    assert re.search(r'<input type="checkbox" name="assortment" value="HYD"[^>]*>', page)
    # The template's default assortment is ticked, and nothing else.
    assert form["assortment"].value() == ["FAS", "BRG", "SEA"]
    assert 'id="erp-unavailable"' not in page


def test_a_tampered_choice_is_refused_naming_what_the_erp_has_and_nothing_is_planned(
    manager_client,
    erp,
    brands_dir,
):
    response = plan_post(
        manager_client, erp_warehouse="WH-XX", currency="CAD", assortment=["HYD", "ZZZ"]
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["currency"] == [
        "currency: 'CAD' is not a currency the ERP has; pick one of EUR, USD."
    ]
    assert errors["erp_warehouse"][0].startswith(
        "erp_warehouse: 'WH-XX' is not a warehouse the ERP has; pick one of WH-"
    )
    assert errors["assortment"][0].startswith(
        "assortment: 'ZZZ' is not a product category the ERP has; pick one of "
    )
    assert sorted(errors) == ["assortment", "currency", "erp_warehouse"]
    assert response.context["plan"] is None
    page = response.content.decode()
    # The summary at the top links each refused answer to its field, which says why.
    assert page.index('id="answer-problems"') < page.index('id="launch-form"')
    assert '<a href="#field-currency" data-problem-field="currency">' in page
    assert re.search(r'<select name="currency"[^>]*aria-invalid="true"', page)
    assert list(brands_dir.iterdir()) == []
    assert ProvisioningRun.objects.count() == 0


def test_picked_values_plan_with_the_erp_check_on(manager_client, erp, brands_dir):
    # Categories ticked one by one, as the browser posts them.
    response = plan_post(manager_client, assortment=["HYD", "PNE"])

    plan = response.context["plan"]
    assert plan.problems == ()
    check = next(c for c in plan.changes if c.target == "ERP mapping")
    assert "warehouse WH-US" in check.detail and "prices in USD" in check.detail
    assert "Hydraulics" in check.detail
    page = response.content.decode()
    assert page.index('id="plan"') < page.index('id="launch-form"')
    assert 'name="launch"' in page
    assert list(brands_dir.iterdir()) == []


def test_a_plan_problem_is_at_the_top_linked_to_its_field_which_is_marked(
    manager_client,
    erp,
    brands_dir,
):
    response = plan_post(manager_client, featured_skus="HYD-1007,NOPE-1")

    problems = response.context["plan"].problems
    assert problems == ("SKU NOPE-1 is unknown to the ERP (or inactive there).",)
    page = response.content.decode()
    top = page.index('id="plan-problems"')
    assert top < page.index('id="launch-form"')
    assert (
        '<a href="#field-featured_skus" data-problem-field="featured_skus">'
        "SKU NOPE-1 is unknown to the ERP (or inactive there).</a>"
    ) in page
    field = re.search(r'<input type="text" name="featured_skus"[^>]*>', page)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="id_featured_skus_error"' in field.group(0)
    assert (
        '<p class="error-message" data-field="featured_skus">SKU NOPE-1 is unknown to the ERP '
        "(or inactive there).</p>"
    ) in page
    assert 'name="launch"' not in page
    assert list(brands_dir.iterdir()) == []


def visible_text(page: str) -> str:
    soup = BeautifulSoup(page, "html.parser")
    for hidden in soup(["script", "style", "template"]):
        hidden.decompose()
    return soup.get_text(" ")


def test_with_the_erp_down_the_wizard_says_so_and_takes_typed_codes_the_plan_checks(
    manager_client,
    settings,
    brands_dir,
):
    settings.ERP_URL = "http://127.0.0.1:9/"  # nothing listens on the discard port
    settings.ERP_RETRY_BACKOFF_SECONDS = 0
    page = manager_client.get(FORM_URL).content.decode()

    assert 'id="erp-unavailable"' in page
    assert "The ERP cannot be reached" in page
    # The buyers' wording of an outage is not the manager's (in what the page shows: a random
    # CSRF token in its scripts once held "cart").
    assert "cart" not in visible_text(page)
    assert re.search(r'<input type="text" name="currency" value="EUR"', page)
    assert re.search(r'<input type="text" name="erp_warehouse" value="WH-EU"', page)

    # Typed codes pass the form; the plan, with the check on, says it could not check them.
    response = plan_post(manager_client, currency="CAD")
    plan = response.context["plan"]
    assert response.context["form"].errors == {}
    assert len(plan.problems) == 1
    assert plan.problems[0].startswith("ERP mapping cannot be checked: the ERP is not answering")
    page = response.content.decode()
    assert "cart" not in visible_text(page)  # a manager's plan, not a buyer's outage notice
    assert page.index('id="plan-problems"') < page.index('id="launch-form"')
    assert 'name="launch"' not in page
    assert (Store.objects.count(), ProvisioningRun.objects.count()) == (0, 0)
    assert list(brands_dir.iterdir()) == []


def test_a_hostile_picker_value_is_refused_briefly_never_a_server_error(
    manager_client, erp, brands_dir
):
    long = "<script>" + "W" * 5000
    response = plan_post(
        manager_client, erp_price_list=long, currency="US\x00D", assortment=["{{ 7*7 }}"]
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    price_list = errors["erp_price_list"][0]
    assert price_list.startswith("erp_price_list: '<script>WWW")
    assert "W…' is not a price list the ERP has; pick one of List Price, " in price_list
    assert len(price_list) < 250
    assert errors["currency"] == [
        "currency: 'US?D' is not a currency the ERP has; pick one of EUR, USD."
    ]
    assert errors["assortment"][0].startswith("assortment: '{{ 7*7 }}' is not a product category")
    page = response.content.decode()
    assert "<script>WWW" not in page
    # The answer is shown as typed, never rendered as a template (only the text between tags:
    # a CSRF token or a nonce may hold "49" by chance).
    shown = re.sub(r"<[^>]*>", " ", page.split('id="answer-problems"')[1][:2000])
    assert "49" not in shown
    assert (list(brands_dir.iterdir()), ProvisioningRun.objects.count()) == ([], 0)


@pytest.mark.parametrize(
    ("problem", "field"),
    [
        ("The folder /x/brands/nordlicht already exists: a store 'nordlicht' is ...", "slug"),
        ("The hostname 'ferrum.localhost' is used by another site; choose another.", "hostname"),
        ("ERP warehouse 'WH-XX' does not exist (the ERP has WH-EU, WH-US).", "erp_warehouse"),
        ("ERP price list 'Gold' does not exist (the ERP has List Price).", "erp_price_list"),
        ("The ERP cannot price in CAD: it prices in EUR, USD (...).", "currency"),
        ("ERP product categories ZZZ do not exist (the ERP has ...).", "assortment"),
        ("SKU NOPE-1 is unknown to the ERP (or inactive there).", "featured_skus"),
        ("store.toml [customers] codes: C-9 is not a customer in the ERP; ...", "customer_codes"),
        ("ERP mapping cannot be checked: the ERP cannot be reached.", ""),
    ],
)
def test_each_plan_problem_names_the_field_it_is_about(problem, field):
    from storefleet.provisioning.forms import problem_field

    assert problem_field(problem) == field

"""The customers a store file declares are opened to the store at launch and on reconcile, from
the real ERP's customers (check on) or the platform's mirror of them (check off); the plan names
who will be served and refuses codes nobody knows."""

from __future__ import annotations

from pathlib import Path

import pytest

from storefleet.accounts.models import Company
from storefleet.accounts.services import company_stores_set
from storefleet.errors import ApplicationError
from storefleet.provisioning.cli import main
from storefleet.provisioning.models import ProvisioningRun
from storefleet.provisioning.plan import plan_launch
from storefleet.provisioning.services import store_launch
from storefleet.tenants.models import Store
from tests.erp.conftest import point_gateway_at

pytestmark = pytest.mark.django_db

# The reference ERP's customers with an address in the US (infra/local/erp/seed.py).
US_CUSTOMERS = ["C-1006", "C-1008", "C-1012", "C-1015", "C-1018", "C-1023"]
USD_STORE = {
    "currency": "USD",
    "country": "US",
    "erp_warehouse": "WH-US",
    "assortment": "HYD,PNE",
    "featured_skus": "HYD-1001",
}


def served(slug: str) -> list[str]:
    return sorted(Store.objects.get(slug=slug).companies.values_list("code", flat=True))


def store_file_edit(folder: Path, old: str, new: str) -> None:
    path = folder / "store.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_launch_opens_the_store_to_the_customers_its_file_declares(
    render_brand, settings, erp_server
):
    point_gateway_at(settings, erp_server)
    # The template's default rule: the store's own country; and one Canadian customer by code.
    folder = render_brand("nordlicht", customer_codes="C-1010", **USD_STORE)
    assert Company.objects.count() == 0  # never synced: the launch reads the ERP itself

    run = store_launch(path=folder, check_erp=True, inline=True)

    assert run.status == "succeeded", run.error
    assert served("nordlicht") == sorted([*US_CUSTOMERS, "C-1010"])
    step = run.steps.get(name="customers")
    assert step.status == "succeeded"
    assert "served (the ERP): 7 companies: C-1006 Great Lakes Fabrication Inc." in step.log
    assert "opened to C-1006, C-1008, C-1010, C-1012" in step.log
    # A European customer is mirrored but not opened here.
    assert Company.objects.get(code="C-1001").stores.count() == 0


def test_the_plan_shows_who_will_be_served(render_brand, settings, erp_server, capsys):
    point_gateway_at(settings, erp_server)
    folder = render_brand("nordlicht", customer_countries="CA", **USD_STORE)

    assert main(["plan", str(folder)]) == 0

    out = capsys.readouterr().out
    assert (
        "  change    customers served: 2 companies: C-1010 Maple Leaf Hydraulics Ltd., "
        "C-1021 Québec Forestry Machines Inc." in out
    )
    assert Company.objects.count() == 0  # the plan reads, it does not mirror


def test_unknown_customer_codes_are_refused_by_the_plan_naming_them(
    render_brand, settings, erp_server
):
    point_gateway_at(settings, erp_server)
    folder = render_brand("nordlicht", customer_codes="C-1006,C-9999,X-1", **USD_STORE)

    plan = plan_launch(path=folder)
    assert plan.problems == (
        "store.toml [customers] codes: C-9999, X-1 are not a customer in the ERP; correct the "
        "code or remove it.",
    )
    with pytest.raises(ApplicationError, match="C-9999, X-1 are not a customer in the ERP"):
        store_launch(path=folder, check_erp=True, inline=True)
    assert not Store.objects.filter(slug="nordlicht").exists()
    assert ProvisioningRun.objects.count() == 0
    assert Company.objects.count() == 0


def test_reconciling_a_changed_declaration_opens_and_closes_and_leaves_other_stores_alone(
    render_brand, settings, erp_server
):
    point_gateway_at(settings, erp_server)
    folder = render_brand("nordlicht", **USD_STORE)
    assert store_launch(path=folder, check_erp=True, inline=True).status == "succeeded"
    assert served("nordlicht") == US_CUSTOMERS
    # Another store's customer (opened by hand to it) is another store's business.
    other = render_brand("polaris", customer_countries="PL")
    assert store_launch(path=other, check_erp=False, inline=True).status == "succeeded"
    assert served("polaris") == ["C-1007", "C-1020"]
    great_lakes = Company.objects.get(code="C-1006")
    company_stores_set(company=great_lakes, stores=Store.objects.all())

    store_file_edit(
        folder, 'countries = ["US"]', 'countries = ["CA"]\nprice_lists = ["List Price"]'
    )
    # With the check off the mirror is matched (it was filled by the first launch).
    run = store_launch(path=folder, check_erp=False, inline=True)

    assert run.status == "succeeded", run.error
    # CA customers, and those buying from the ERP's "List Price" list (FR, IT and US ones).
    assert served("nordlicht") == ["C-1010", "C-1011", "C-1017", "C-1021", "C-1023"]
    log = run.steps.get(name="customers").log
    assert "opened to C-1010, C-1011, C-1017, C-1021" in log
    assert "closed to C-1006, C-1008, C-1012, C-1015, C-1018 (no longer declared)" in log
    assert sorted(great_lakes.stores.values_list("slug", flat=True)) == ["polaris"]
    assert served("polaris") == ["C-1006", "C-1007", "C-1020"]

    again = store_launch(path=folder, check_erp=False, inline=True)
    assert again.steps.get(name="customers").status == "unchanged"
    assert served("nordlicht") == ["C-1010", "C-1011", "C-1017", "C-1021", "C-1023"]


def test_a_store_file_without_customers_leaves_the_companies_as_they_are(render_brand):
    folder = render_brand("nordlicht")
    text = (folder / "store.toml").read_text()
    start = text.index("[customers]")
    (folder / "store.toml").write_text(text[:start] + text[text.index("[people]") :])

    run = store_launch(path=folder, check_erp=False, inline=True)

    step = run.steps.get(name="customers")
    assert (step.status, step.log) == (
        "unchanged",
        "store.toml declares no [customers]; the store's companies are left as they are",
    )


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            'countries = ["DE"]',
            'countries = ["Germany"]',
            "store.toml [customers]: 'Germany' is not ISO 3166 country codes",
        ),
        (
            "codes = []",
            'codes = ["C 1006; drop"]',
            "store.toml [customers]: 'C 1006; drop' is not ERP customer codes",
        ),
        ("codes = []", "codes = 7", "store.toml [customers]: 'codes' must be a list of texts"),
        ("codes = []", 'region = "EU"', "store.toml [customers]: unknown key region"),
    ],
)
def test_a_bad_customers_table_is_a_plan_problem(render_brand, old, new, problem):
    folder = render_brand("nordlicht")
    store_file_edit(folder, old, new)
    plan = plan_launch(path=folder, check_erp=False)
    assert any(p.startswith(problem) for p in plan.problems), plan.problems
    assert Store.objects.count() == 0

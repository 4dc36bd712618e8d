"""``storefleet`` on the command line: the same services, with the plan and progress printed."""

from __future__ import annotations

import pytest

from storefleet.provisioning.cli import main
from storefleet.provisioning.models import ProvisioningRun
from storefleet.tenants.models import Store

pytestmark = pytest.mark.django_db


def test_launch_prints_the_plan_and_each_step(render_brand, capsys):
    folder = render_brand("nordlicht")

    assert main(["launch", str(folder), "--inline", "--skip-erp-check"]) == 0

    out = capsys.readouterr().out
    assert "Plan: launch nordlicht (nordlicht.localhost)" in out
    assert "  create    site: nordlicht.localhost" in out
    assert "[#........] Register the store" in out
    assert "[#########] Go live                                  succeeded" in out
    # No web server runs beside the CLI here: the smoke test says how it reached the store.
    assert "requested in this process with Django's test client: no web server answers" in out
    # The run's id, not 1: a transactional test before this one may have used 1 already.
    assert out.rstrip().endswith(f"Run {ProvisioningRun.objects.get().pk}: succeeded")
    assert Store.objects.get(slug="nordlicht").status == "live"


def test_plan_writes_nothing(render_brand, capsys):
    folder = render_brand("nordlicht")
    assert main(["plan", str(folder), "--skip-erp-check"]) == 0
    assert "  change    status: live" in capsys.readouterr().out
    assert Store.objects.count() == 0
    assert ProvisioningRun.objects.count() == 0


def test_reconcile_applies_every_brand_folder(render_brand, capsys):
    render_brand("alpha")
    render_brand("beta", template="showcase")
    assert main(["reconcile", "--inline", "--skip-erp-check"]) == 0
    assert sorted(Store.objects.values_list("slug", "status")) == [
        ("alpha", "live"),
        ("beta", "live"),
    ]
    capsys.readouterr()
    assert main(["reconcile", "--inline", "--skip-erp-check"]) == 0
    out = capsys.readouterr().out
    assert out.count("  unchanged store:") == 2
    assert Store.objects.count() == 2


def test_a_plan_with_problems_exits_1_and_creates_nothing(render_brand, capsys, ferrum):
    folder = render_brand("nordlicht", hostname="ferrum.localhost")
    assert main(["launch", str(folder), "--inline", "--skip-erp-check"]) == 1
    assert "PROBLEM   The hostname 'ferrum.localhost' is used by another site" in (
        capsys.readouterr().out
    )
    assert not Store.objects.filter(slug="nordlicht").exists()
    assert ProvisioningRun.objects.count() == 0


def test_suspend_and_destroy(render_brand, capsys):
    main(["launch", str(render_brand("nordlicht")), "--inline", "--skip-erp-check"])
    assert main(["suspend", "nordlicht", "--inline"]) == 0
    assert Store.objects.get(slug="nordlicht").status == "suspended"
    assert main(["destroy", "nordlicht", "--inline"]) == 0
    assert not Store.objects.filter(slug="nordlicht").exists()
    assert main(["destroy", "nordlicht", "--inline"]) == 1
    assert "There is no store 'nordlicht'." in capsys.readouterr().err


def test_a_relative_path_is_taken_from_where_the_command_runs(render_brand, capsys, monkeypatch):
    folder = render_brand("nordlicht")
    monkeypatch.chdir(folder.parent.parent)

    assert main(["launch", f"{folder.parent.name}/nordlicht", "--inline", "--skip-erp-check"]) == 0

    run = ProvisioningRun.objects.get()
    assert run.status == "succeeded"
    assert run.folder == str(folder.resolve())


def test_the_plan_checks_the_mapping_against_the_erp(render_brand, capsys, settings, erp_server):
    from tests.erp.conftest import point_gateway_at

    point_gateway_at(settings, erp_server)
    folder = render_brand(
        "nordlicht",
        currency="USD",
        erp_warehouse="WH-US",
        assortment="HYD,PNE",
        featured_skus="HYD-1007,PNE-1001",
    )

    assert main(["plan", str(folder)]) == 0

    out = capsys.readouterr().out
    assert "  check     ERP mapping: ERP tryton 8.2, company " in out
    assert "warehouse WH-US" in out
    assert "prices in USD" in out
    assert "assortment Hydraulics, Pneumatics" in out
    assert "PROBLEM" not in out
    assert Store.objects.count() == 0


def test_the_plan_refuses_a_currency_the_erp_cannot_price(
    render_brand, capsys, settings, erp_server
):
    from tests.erp.conftest import point_gateway_at

    point_gateway_at(settings, erp_server)
    folder = render_brand("nordlicht", currency="CAD")

    assert main(["plan", str(folder)]) == 1

    assert "PROBLEM   The ERP cannot price in CAD: it prices in EUR, USD" in capsys.readouterr().out


@pytest.mark.parametrize(
    "target",
    ["../../etc", "/etc", "..", "nordlicht/../../x", "", "a\x00b", "../brands/nordlicht/.."],
)
def test_a_target_outside_the_brands_directory_is_refused(render_brand, brands_dir, capsys, target):
    render_brand("nordlicht")

    assert main(["plan", target, "--skip-erp-check"]) == 1

    err = capsys.readouterr().err
    assert "is not a store's folder in" in err
    assert "give a store's slug (e.g. ferrum)" in err
    assert "Traceback" not in err
    assert ProvisioningRun.objects.count() == 0


def test_a_slug_or_its_folder_are_both_targets(render_brand, brands_dir, capsys):
    render_brand("nordlicht")
    assert main(["plan", "nordlicht", "--skip-erp-check"]) == 0
    assert main(["plan", str(brands_dir / "nordlicht"), "--skip-erp-check"]) == 0
    assert capsys.readouterr().out.count("Plan: launch nordlicht (nordlicht.localhost)") == 2

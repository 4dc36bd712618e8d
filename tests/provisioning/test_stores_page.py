"""The Stores page in the Wagtail admin: every store with its status, template, currency,
customers served and last run; each store's runs; each run's steps with timings and log; and
the colour pickers' contrast verdict. Only whoever may launch stores (regional managers,
platform IT) reaches any of it: editors and service agents are turned away."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from storefleet.accounts.models import Company
from storefleet.provisioning.demo import regional_managers_group
from storefleet.provisioning.models import ProvisioningRun, RunStep
from storefleet.provisioning.plan import plan_launch
from storefleet.provisioning.services import store_launch
from storefleet.service.services import service_agent_add
from storefleet.tenants.models import Store, StoreStatus
from tests.factories import build_brand

pytestmark = pytest.mark.django_db

STORE_TOML = 'schema = 1\ntemplate = "b2b-store"\n\n[store]\nslug = "{slug}"\n'


@pytest.fixture
def manager_client(brands_dir) -> Client:
    manager = get_user_model().objects.create_user("regional.manager", "rm@example.com", "pw")
    manager.groups.add(regional_managers_group())
    client = Client(HTTP_HOST="localhost")
    client.force_login(manager)
    return client


def company(code: str, erp_id: int, *stores, active: bool = True) -> Company:
    made = Company.objects.create(
        erp_id=erp_id, code=code, name=code, erp_write_date=timezone.now(), active=active
    )
    made.stores.set(stores)
    return made


def a_run(slug: str, status: str, minutes_ago: int, **fields) -> ProvisioningRun:
    run = ProvisioningRun.objects.create(slug=slug, action="launch", status=status, **fields)
    when = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    ProvisioningRun.objects.filter(pk=run.pk).update(created_at=when)
    return run


@pytest.fixture
def two_stores(ferrum, hydra, brands_dir):
    for slug in ("ferrum", "hydra"):
        (brands_dir / slug).mkdir()
        (brands_dir / slug / "store.toml").write_text(STORE_TOML.format(slug=slug))
    ferrum.store.status = StoreStatus.SUSPENDED
    ferrum.store.save()
    company("C-1", 1, ferrum.store, hydra.store)
    company("C-2", 2, hydra.store)
    company("C-3", 3, hydra.store, active=False)  # no longer served: not counted
    a_run("hydra", "failed", 30)
    latest = a_run("hydra", "succeeded", 5)
    a_run("boreal", "failed", 1, plan={"hostname": "boreal.localhost"})
    return ferrum, hydra, latest


def test_the_stores_page_lists_every_store_with_its_last_run(manager_client, two_stores):
    _ferrum, _hydra, latest = two_stores
    response = manager_client.get(reverse("provisioning_stores"))

    rows = {row.slug: row for row, _url in response.context["rows"]}
    assert list(rows) == ["ferrum", "hydra", "boreal"]
    assert [
        (r.status, r.template, r.schema, r.currency, r.customers, r.registered)
        for r in rows.values()
    ] == [
        # Registered before stores recorded their site template: not known.
        ("suspended", "", "1", "EUR", 1, True),
        ("live", "", "1", "USD", 2, True),
        ("not launched", "", "", "", 0, False),
    ]
    assert [r.template_label for r in rows.values()] == ["unknown"] * 3
    assert rows["ferrum"].last_run is None
    assert rows["hydra"].last_run is not None
    assert (rows["hydra"].last_run.id, rows["hydra"].last_run.status) == (latest.pk, "succeeded")
    assert rows["boreal"].hostname == "boreal.localhost"
    page = response.content.decode()
    assert f'href="{reverse("provisioning_run", args=[latest.pk])}"' in page
    assert f'href="{reverse("provisioning_store", args=["hydra"])}"' in page
    assert 'href="http://hydra.localhost/"' in page
    # A store not yet registered has no store to open.
    assert 'href="http://boreal.localhost/"' not in page


def test_the_stores_page_costs_the_same_queries_for_more_stores(
    manager_client, two_stores, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        manager_client.get(reverse("provisioning_stores"))
    build_brand("ursa", "Ursa Bearings", "EUR", "DE", "#224466")
    a_run("ursa", "succeeded", 2)
    with CaptureQueriesContext(connection) as three:
        response = manager_client.get(reverse("provisioning_stores"))

    assert len(response.context["rows"]) == 4
    assert len(three.captured_queries) == len(two.captured_queries)


def test_a_store_page_lists_its_runs_and_a_run_page_its_steps(manager_client, two_stores):
    _ferrum, _hydra, latest = two_stores
    started = timezone.now() - datetime.timedelta(minutes=5)
    RunStep.objects.create(
        run=latest,
        position=1,
        name="register",
        status="succeeded",
        log="site hydra.localhost created",
        attempts=1,
        started_at=started,
        finished_at=started + datetime.timedelta(seconds=2, milliseconds=500),
    )
    RunStep.objects.create(
        run=latest, position=2, name="erp", status="failed", error="ERP down", attempts=2
    )

    store_page = manager_client.get(reverse("provisioning_store", args=["hydra"]))
    assert [run.pk for run in store_page.context["runs"]] == [
        latest.pk,
        ProvisioningRun.objects.filter(slug="hydra").last().pk,
    ]
    assert f'href="{reverse("provisioning_run", args=[latest.pk])}"' in store_page.content.decode()

    run_page = manager_client.get(reverse("provisioning_run", args=[latest.pk]))
    steps = run_page.context["progress"].steps
    assert [(s.name, s.status, s.seconds, s.attempts, s.log, s.error) for s in steps] == [
        ("register", "succeeded", 2.5, 1, "site hydra.localhost created", ""),
        ("erp", "failed", None, 2, "", "ERP down"),
    ]
    page = run_page.content.decode()
    assert '<td class="step-seconds">2.50</td>' in page
    assert "site hydra.localhost created" in page
    assert f'href="{reverse("provisioning_store", args=["hydra"])}"' in page
    progress = manager_client.get(reverse("provisioning_run_progress", args=[latest.pk])).json()
    assert [(s["name"], s["attempts"]) for s in progress["steps"]] == [("register", 1), ("erp", 2)]

    assert manager_client.get(reverse("provisioning_store", args=["nope"])).status_code == 404


def test_editors_and_agents_neither_see_nor_reach_the_stores_pages(two_stores):
    ferrum, hydra, latest = two_stores
    agent = get_user_model().objects.create_user("agent.hydra", "agent@example.com", "pw")
    service_agent_add(store=hydra.store, user=agent)
    urls = [
        reverse("provisioning_stores"),
        reverse("provisioning_store", args=["hydra"]),
        reverse("provisioning_run", args=[latest.pk]),
        reverse("provisioning_contrast") + "?primary=%23FFEE00",
    ]
    for user in (ferrum.editor, agent):
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        answers = [client.get(url) for url in urls]
        # Wagtail answers a PermissionDenied in its admin with a redirect (to the dashboard
        # for an admin user, to the sign-in page for someone without admin access).
        assert [r.status_code for r in answers] == [302] * 4
        assert all(r["Location"].startswith("/admin/") for r in answers)
        dashboard = client.get("/admin/", follow=True).content.decode()
        assert "/admin/stores/" not in dashboard
        assert "Hydra Flow Systems" not in dashboard
    anonymous = Client(HTTP_HOST="localhost").get(reverse("provisioning_stores"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/admin/login/")


def test_the_menu_offers_the_stores_page_to_a_regional_manager(manager_client):
    dashboard = manager_client.get("/admin/").content.decode()
    assert "/admin/stores/" in dashboard


def test_the_wizard_has_colour_pickers_and_the_contrast_verdict(manager_client):
    url = reverse("provisioning_launch_form", args=["b2b-store"])
    page = manager_client.get(url).content.decode()

    assert (
        '<input type="color" class="colour-picker__swatch" value="#0b3d91" '
        'data-colour-for="id_primary_colour" aria-label="Pick the colour">'
    ) in page
    assert 'name="primary_colour" value="#0B3D91"' in page
    # The template's own colours read well.
    assert '<div class="help-block help-info" id="contrast-ok" >' in page

    theme = {"accent_colour": "#F28C28", "dark_colour": "#14213D", "light_colour": "#F3F5F8"}
    posted = manager_client.post(url, {**theme, "primary_colour": "#FFEE00", "plan": ""})
    failures = posted.context["contrast_failures"]
    assert {f.colour for f in failures} == {"primary"}
    assert "contrast 1." in failures[0].message
    assert escape(failures[0].message) in posted.content.decode()

    verdict = manager_client.get(
        reverse("provisioning_contrast"),
        {"primary": "#FFEE00", "accent": "#F28C28", "dark": "#14213D", "light": "#F3F5F8"},
    ).json()
    # The same verdict the page rendered, asked as the picker moves.
    assert [f["message"] for f in verdict["failures"]] == [f.message for f in failures]
    # What is not a colour is left to the format check, not a server error.
    junk = manager_client.get(reverse("provisioning_contrast"), {"primary": "x" * 5000})
    assert (junk.status_code, junk.json()) == (200, {"failures": []})


def test_a_store_records_the_template_and_version_it_was_launched_from(
    manager_client, render_brand
):
    folder = render_brand("nordlicht", template="showcase")
    assert 'template_version = "2.0"' in (folder / "store.toml").read_text()
    planned = plan_launch(path=folder, check_erp=False)
    assert ("create", "site template", "showcase 2.0") in [
        (c.kind, c.target, c.detail) for c in planned.changes
    ]

    run = store_launch(path=folder, check_erp=False, inline=True)

    assert run.status == "succeeded", run.error
    store = Store.objects.get(slug="nordlicht")
    assert (store.template, store.template_version) == ("showcase", "2.0")
    page = manager_client.get(reverse("provisioning_stores")).content.decode()
    assert "<th>Template and version</th>" in page
    cell = re.search(
        r'<tr data-store="nordlicht">.*?<td class="store-template">([^<]*)<', page, re.S
    )
    assert cell is not None
    assert cell.group(1).strip() == "showcase 2.0"
    detail = manager_client.get(reverse("provisioning_store", args=["nordlicht"]))
    assert '<dd id="store-template">showcase 2.0' in detail.content.decode()

    # The folder re-rendered from a newer template and reconciled: the store was launched
    # from 2.0, and says so.
    path = folder / "store.toml"
    path.write_text(
        path.read_text().replace('template_version = "2.0"', 'template_version = "2.1"')
    )
    again = store_launch(path=folder, check_erp=False, inline=True)

    assert again.status == "succeeded", again.error
    store.refresh_from_db()
    assert (store.template, store.template_version) == ("showcase", "2.0")


def test_a_store_launched_before_templates_were_recorded_shows_unknown(
    manager_client, render_brand
):
    folder = render_brand("nordlicht")
    store_launch(path=folder, check_erp=False, inline=True)
    Store.objects.filter(slug="nordlicht").update(template="", template_version="")

    again = store_launch(path=folder, check_erp=False, inline=True)

    assert again.status == "succeeded", again.error
    assert Store.objects.filter(slug="nordlicht", template="").exists()
    page = manager_client.get(reverse("provisioning_stores")).content.decode()
    cell = re.search(
        r'<tr data-store="nordlicht">.*?<td class="store-template">(.*?)</td>', page, re.S
    )
    assert cell is not None
    assert ">unknown</span>" in cell.group(1)


@pytest.mark.parametrize("version", ['"two point oh!"', "2", '"' + "9" * 41 + '"'])
def test_a_bad_template_version_in_the_store_file_is_a_plan_problem(render_brand, version):
    folder = render_brand("nordlicht")
    path = folder / "store.toml"
    path.write_text(
        path.read_text().replace('template_version = "2.0"', f"template_version = {version}")
    )

    plan = plan_launch(path=folder, check_erp=False)

    assert any(p.startswith("store.toml: template_version must be") for p in plan.problems)

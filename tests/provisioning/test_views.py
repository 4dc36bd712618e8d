"""The "Launch a store" wizard in the Wagtail admin: who may use it, the template's own messages
on refused answers, the plan before anything is created, launching into the configured brands
directory, the run page and its progress endpoint, resuming a failed run."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from storefleet.provisioning.demo import regional_managers_group
from storefleet.provisioning.models import ProvisioningRun, RunStatus
from storefleet.provisioning.services import run_start
from storefleet.tenants.models import Store, StoreStatus
from tests.provisioning.conftest import WIZARD_ANSWERS

pytestmark = pytest.mark.django_db

ANSWERS = WIZARD_ANSWERS


@pytest.fixture
def manager_client(brands_dir) -> Client:
    manager = get_user_model().objects.create_user("regional.manager", "rm@example.com", "pw")
    manager.groups.add(regional_managers_group())
    client = Client(HTTP_HOST="localhost")
    client.force_login(manager)
    return client


def form_url(template: str = "b2b-store") -> str:
    return reverse("provisioning_launch_form", args=[template])


def post(client: Client, action: str, template: str = "b2b-store", **answers: str):
    return client.post(form_url(template), {**ANSWERS, **answers, action: ""})


def test_a_marketing_editor_neither_sees_nor_reaches_the_wizard(ferrum, brands_dir):
    client = Client(HTTP_HOST="localhost")
    client.force_login(ferrum.editor)
    run = ProvisioningRun.objects.create(slug="x", action="launch")

    assert client.get("/admin/").status_code == 200
    sidebar = client.get("/admin/").content.decode()
    assert ("Launch a store" in sidebar, "/admin/launch/" in sidebar) == (False, False)
    denied = [
        client.get(url)
        for url in (
            reverse("provisioning_launch"),
            form_url(),
            reverse("provisioning_run", args=[run.pk]),
            reverse("provisioning_run_progress", args=[run.pk]),
        )
    ]
    denied += [
        post(client, "launch", slug="nordlicht"),
        client.post(reverse("provisioning_run_resume", args=[run.pk])),
    ]
    # Wagtail answers a PermissionDenied in its admin with a redirect to the dashboard and a
    # message, not with the page.
    assert [(r.status_code, r["Location"]) for r in denied] == [(302, "/admin/")] * 6
    dashboard = client.get("/admin/")
    assert [str(m).strip() for m in dashboard.context["messages"]] == [
        "Sorry, you do not have permission to access this area."
    ] * 6
    assert list(brands_dir.iterdir()) == []
    assert ProvisioningRun.objects.count() == 1
    assert not Store.objects.filter(slug="nordlicht").exists()


def test_the_regional_manager_sees_the_menu_item_and_the_templates(manager_client):
    dashboard = manager_client.get("/admin/").content.decode()
    # The sidebar is rendered from JSON props: the item's label and its URL.
    assert "Launch a store" in dashboard
    assert "/admin/launch/" in dashboard
    body = manager_client.get(reverse("provisioning_launch")).content.decode()
    assert 'data-template="b2b-store"' in body
    assert 'data-template="showcase"' in body
    assert manager_client.get(form_url("nope")).status_code == 404


def test_refused_answers_carry_the_template_hooks_messages_and_nothing_is_written(
    manager_client, brands_dir
):
    response = post(manager_client, "plan", currency="eur", email="x", languages="en,sv")

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors == {
        "languages": [
            "languages: 'en,sv' must be a comma-separated list of de, en, es, fr, ja; the first is "
            "the store's default language."
        ],
        "currency": [
            "currency: 'eur' is not an ISO 4217 code; use three capitals, e.g. EUR or USD."
        ],
        "email": ["email: 'x' is not an e-mail address."],
    }
    assert response.context["plan"] is None
    assert list(brands_dir.iterdir()) == []
    assert ProvisioningRun.objects.count() == 0


def test_the_plan_lists_what_would_be_created_and_creates_nothing(manager_client, brands_dir):
    response = post(manager_client, "plan", check_erp="")

    plan = response.context["plan"]
    assert (plan.slug, plan.hostname, plan.problems) == ("nordlicht", "nordlicht.localhost", ())
    assert plan.folder == str(brands_dir / "nordlicht")
    assert [(c.kind, c.target) for c in plan.changes][:3] == [
        ("create", "store"),
        ("create", "site"),
        ("create", "pages"),
    ]
    assert 'name="launch"' in response.content.decode()
    assert list(brands_dir.iterdir()) == []
    assert (Store.objects.count(), ProvisioningRun.objects.count()) == (0, 0)


def test_a_taken_hostname_is_a_plan_problem_and_launching_it_creates_nothing(
    manager_client, brands_dir, ferrum
):
    response = post(manager_client, "plan", check_erp="", hostname="ferrum.localhost")

    assert response.context["plan"].problems == (
        "The hostname 'ferrum.localhost' is used by another site; choose another.",
    )
    assert 'name="launch"' not in response.content.decode()

    response = post(manager_client, "launch", check_erp="", hostname="ferrum.localhost")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The plan has problems; fix them first: The hostname 'ferrum.localhost' is used by "
        "another site; choose another."
    ]
    assert list(brands_dir.iterdir()) == []
    assert (Store.objects.count(), ProvisioningRun.objects.count()) == (1, 0)


def test_launch_renders_the_brand_folder_and_queues_the_run_on_commit(
    manager_client, brands_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(manager_client, "launch", check_erp="")

    run = ProvisioningRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("provisioning_run", args=[run.pk])
    assert sorted(p.name for p in brands_dir.iterdir()) == ["nordlicht"]
    assert sorted(p.name for p in (brands_dir / "nordlicht").iterdir()) == [
        "content.yaml",
        "store.toml",
        "theme.toml",
    ]
    assert (run.slug, run.status, run.folder, run.check_erp, run.requested_by.username) == (
        "nordlicht",
        RunStatus.PENDING,
        str(brands_dir / "nordlicht"),
        False,
        "regional.manager",
    )
    assert len(callbacks) == 1  # the chain is sent once the request's transaction commits

    pending = manager_client.get(reverse("provisioning_run_progress", args=[run.pk])).json()
    assert (pending["status"], pending["finished"]) == ("pending", False)
    # The worker's part, run here through the same chain.
    run_start(run=run, inline=True)

    progress = manager_client.get(reverse("provisioning_run_progress", args=[run.pk])).json()
    assert (progress["status"], progress["finished"], progress["error"]) == ("succeeded", True, "")
    assert [(s["name"], s["status"]) for s in progress["steps"]] == [
        ("register", "succeeded"),
        ("erp", "skipped"),
        ("infrastructure", "succeeded"),
        ("content", "succeeded"),
        ("languages", "succeeded"),  # the wizard's "de, en": the English drafts
        ("customers", "unchanged"),
        ("people", "unchanged"),
        ("smoke_test", "succeeded"),
        ("live", "succeeded"),
    ]
    assert all(s["seconds"] is not None for s in progress["steps"])
    page = manager_client.get(reverse("provisioning_run", args=[run.pk])).content.decode()
    assert 'href="http://nordlicht.localhost/"' in page
    assert Store.objects.get(slug="nordlicht").status == StoreStatus.LIVE

    again = post(manager_client, "launch", check_erp="")
    assert again.context["form"].errors == {
        "slug": [
            f"The folder {brands_dir / 'nordlicht'} already exists: a store 'nordlicht' is "
            "declared already; choose another short name (slug)."
        ]
    }
    assert ProvisioningRun.objects.count() == 1


def test_a_failed_run_offers_resume_and_resumes_from_the_failed_step(
    manager_client, brands_dir, settings, django_capture_on_commit_callbacks
):
    post(manager_client, "launch", check_erp="")
    run = ProvisioningRun.objects.get()
    # The host becomes unroutable after planning, as an operator's change would make it.
    settings.ALLOWED_HOSTS = ["localhost"]
    run_start(run=run, inline=True)
    settings.ALLOWED_HOSTS = [".localhost", "localhost"]

    page = manager_client.get(reverse("provisioning_run", args=[run.pk])).content.decode()
    assert '<div id="run-error" >' in page
    assert "infrastructure: The host &#x27;nordlicht.localhost&#x27; cannot be routed" in page
    assert reverse("provisioning_run_resume", args=[run.pk]) in page

    with django_capture_on_commit_callbacks() as callbacks:
        response = manager_client.post(reverse("provisioning_run_resume", args=[run.pk]))

    assert response.status_code == 302
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert run.status == RunStatus.PENDING
    run_start(run=run, inline=True)  # the worker's part, through the same chain
    assert run.status == RunStatus.SUCCEEDED
    assert [(s.name, s.status, s.attempts) for s in run.steps.all()][2] == (
        "infrastructure",
        "succeeded",
        2,
    )
    # Resuming a run that has not failed says so, and changes nothing.
    response = manager_client.post(reverse("provisioning_run_resume", args=[run.pk]), follow=True)
    assert f"Run {run.pk} has not failed (succeeded); nothing to resume." in [
        str(m) for m in response.context["messages"]
    ]


def test_template_syntax_in_the_brand_name_is_shown_as_typed_never_evaluated(
    manager_client, brands_dir
):
    response = post(
        manager_client, "plan", check_erp="", brand_name="Nord {{ 7*7 }}", slug="nordlicht"
    )

    plan = response.context["plan"]
    assert plan.problems == ()
    assert plan.changes[0].detail == "Nord {{ 7*7 }} (Nordics, SEK)"
    page = response.content.decode()
    assert "Nord {{ 7*7 }} (Nordics, SEK)" in page
    assert "Nord 49" not in page
    assert list(brands_dir.iterdir()) == []


def test_a_slug_derived_from_template_syntax_is_refused_on_its_field(manager_client, brands_dir):
    response = post(manager_client, "launch", check_erp="", brand_name="{{ 7*7 }}")

    assert response.status_code == 200
    assert response.context["form"].errors["slug"] == [
        "slug: '{{' must be 2-40 lower-case letters, digits or hyphens, start with a letter and "
        "not end with a hyphen (it becomes the folder brands/<slug>/). It was derived from your "
        "other answers; give it yourself."
    ]
    assert list(brands_dir.iterdir()) == []
    assert (Store.objects.count(), ProvisioningRun.objects.count()) == (0, 0)


def test_a_platform_host_is_refused_on_the_hostname_field(manager_client, brands_dir):
    response = post(manager_client, "launch", check_erp="", hostname="admin.localhost")

    assert response.context["form"].errors == {
        "hostname": [
            "hostname: 'admin.localhost' is reserved for the platform itself (the admin answers "
            "there); give the store its own host name, e.g. <slug>.localhost or "
            "shop.<brand>.example."
        ]
    }
    assert list(brands_dir.iterdir()) == []
    assert (Store.objects.count(), ProvisioningRun.objects.count()) == (0, 0)

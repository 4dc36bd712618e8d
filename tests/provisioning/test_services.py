"""The launch, suspend and destroy pipelines, steps executed in this process through the same
Celery chain (``inline``); tests/provisioning/test_tasks.py runs them on a real worker."""

from __future__ import annotations

import shutil

import pytest
import yaml
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.test import Client
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    GroupSitePermission,
    Page,
    Site,
)

from storefleet.brand.models import BrandSettings, HomePage, NavigationSettings
from storefleet.errors import ApplicationError
from storefleet.provisioning.drivers import LocalDriver
from storefleet.provisioning.models import ProvisioningRun, RunStatus, RunStep
from storefleet.provisioning.services import (
    run_resume,
    store_launch,
    store_launch_from_template,
    store_suspend,
    store_teardown,
)
from storefleet.tenants.models import Store, StoreStatus

pytestmark = pytest.mark.django_db

LAUNCH_STEPS = [
    "register",
    "erp",
    "infrastructure",
    "content",
    "languages",
    "customers",
    "people",
    "smoke_test",
    "live",
]


def steps(run: ProvisioningRun) -> list[tuple[str, str]]:
    return [(s.name, s.status) for s in run.steps.all()]


def world_counts() -> dict[str, int]:
    return {
        "stores": Store.objects.count(),
        "sites": Site.objects.count(),
        "pages": Page.objects.count(),
        "groups": Group.objects.count(),
        "collections": Collection.objects.count(),
        "images": get_image_model().objects.count(),
        "documents": get_document_model().objects.count(),
        "brand settings": BrandSettings.objects.count(),
        "navigation": NavigationSettings.objects.count(),
        "page permissions": GroupPagePermission.objects.count(),
        "collection permissions": GroupCollectionPermission.objects.count(),
        "site permissions": GroupSitePermission.objects.count(),
    }


def test_launch_builds_the_store_from_its_folder_and_makes_it_live(render_brand):
    folder = render_brand("nordlicht", primary_colour="#1D4E89")

    run = store_launch(path=folder, check_erp=False, inline=True)

    assert run.status == RunStatus.SUCCEEDED
    assert steps(run) == [
        ("register", "succeeded"),
        ("erp", "skipped"),
        ("infrastructure", "succeeded"),
        ("content", "succeeded"),
        ("languages", "unchanged"),
        ("customers", "unchanged"),
        ("people", "unchanged"),
        ("smoke_test", "succeeded"),
        ("live", "succeeded"),
    ]
    assert all(s.started_at and s.finished_at for s in run.steps.all())
    store = Store.objects.get(slug="nordlicht")
    assert (store.status, store.site.hostname, store.currency) == (
        "live",
        "nordlicht.localhost",
        "EUR",
    )
    home = HomePage.objects.get(pk=store.site.root_page_id)
    assert [p.slug for p in home.get_children()] == ["catalog", "about", "terms", "imprint"]
    assert home.get_children().first().specific_class.__name__ == "CatalogPage"
    assert all(p.live for p in home.get_descendants())
    # Logo and hero: no product is mirrored here, so the featured cards have no picture (never
    # one of another product); tests/provisioning/test_featured.py launches over the ERP.
    assert get_image_model().objects.filter(collection=store.collection).count() == 2
    assert get_document_model().objects.filter(collection=store.collection).count() == 2
    settings = BrandSettings.objects.get(site=store.site)
    assert (settings.primary_colour, settings.logo.title) == ("#1D4E89", "Nordlicht Antriebe logo")
    navigation = NavigationSettings.objects.get(site=store.site)
    assert [link.value["label"] for link in navigation.primary_links] == [
        "Catalog",
        "About us",
        "Terms of sale",
    ]
    assert LocalDriver().media_dir("nordlicht").is_dir()
    response = Client().get("/", HTTP_HOST="nordlicht.localhost")
    assert response.status_code == 200
    assert "--brand-primary: #1D4E89" in response.content.decode()


def test_showcase_template_gives_a_catalog_led_store(render_brand):
    run = store_launch(path=render_brand("zeta", template="showcase"), check_erp=False, inline=True)
    assert run.status == RunStatus.SUCCEEDED
    store = Store.objects.get(slug="zeta")
    home = HomePage.objects.get(pk=store.site.root_page_id)
    assert [p.slug for p in home.get_children()] == ["catalogue", "imprint", "catalog"]


def test_relaunching_a_live_store_changes_nothing(render_brand):
    folder = render_brand()
    store_launch(path=folder, check_erp=False, inline=True)
    before = world_counts()
    updated = Store.objects.get(slug="nordlicht").updated_at

    again = store_launch(path=folder, check_erp=False, inline=True)

    assert again.status == RunStatus.SUCCEEDED
    assert steps(again) == [
        ("register", "unchanged"),
        ("erp", "skipped"),
        ("infrastructure", "unchanged"),
        ("content", "unchanged"),
        ("languages", "unchanged"),
        ("customers", "unchanged"),
        ("people", "unchanged"),
        ("smoke_test", "succeeded"),
        ("live", "unchanged"),
    ]
    assert world_counts() == before
    assert Store.objects.get(slug="nordlicht").updated_at == updated


def test_a_taken_hostname_is_refused_by_the_plan_and_nothing_is_created(render_brand, ferrum):
    folder = render_brand("nordlicht", hostname="ferrum.localhost")
    before = world_counts()
    with pytest.raises(
        ApplicationError, match=r"The hostname 'ferrum\.localhost' is used by another"
    ):
        store_launch(path=folder, check_erp=False, inline=True)
    assert world_counts() == before
    assert ProvisioningRun.objects.count() == 0


def test_an_invalid_store_file_is_refused_and_nothing_is_created(render_brand):
    folder = render_brand()
    store_file = folder / "store.toml"
    store_file.write_text(store_file.read_text().replace('currency = "EUR"', 'currency = "euro"'))
    (folder / "theme.toml").write_text(
        (folder / "theme.toml").read_text().replace("#F28C28", "#7B7B7B")
    )
    before = world_counts()
    with pytest.raises(ApplicationError) as error:
        store_launch(path=folder, check_erp=False, inline=True)
    assert "currency 'euro' is not an ISO 4217 code" in error.value.message
    assert (
        "theme.toml: colours.accent: Dark text (#111418) on the accent colour #7B7B7B (the "
        "hero's call to action and badges) has contrast 4.3:1; it needs 4.5:1."
    ) in error.value.message
    assert world_counts() == before
    assert ProvisioningRun.objects.count() == 0
    assert not LocalDriver().media_dir("nordlicht").exists()


def test_stories_only_on_a_catalog_page_and_each_with_a_body(render_brand):
    folder = render_brand()
    content = yaml.safe_load((folder / "content.yaml").read_text())
    content["pages"][1]["stories"] = [{"sku": "FAS-1001", "body": [{"type": "rich_text"}]}]
    content["pages"].append(
        {
            "key": "shop",
            "type": "catalog",
            "title": "Shop",
            "slug": "shop",
            "stories": [{"sku": "X"}],
        }
    )
    (folder / "content.yaml").write_text(yaml.safe_dump(content))
    with pytest.raises(ApplicationError) as error:
        store_launch(path=folder, check_erp=False, inline=True)
    page = content["pages"][1]["key"]
    assert f"page '{page}': only a catalog page has stories" in error.value.message
    assert "page 'shop': every story needs sku and body" in error.value.message
    assert ProvisioningRun.objects.count() == 0


def test_a_missing_template_is_refused(render_brand):
    folder = render_brand()
    store_file = folder / "store.toml"
    store_file.write_text(store_file.read_text().replace('"b2b-store"', '"no-such-template"'))
    with pytest.raises(ApplicationError, match="template 'no-such-template' is not in"):
        store_launch(path=folder, check_erp=False, inline=True)
    assert Store.objects.count() == 0


def test_a_failed_step_leaves_a_run_that_resumes_from_that_step(render_brand, settings):
    folder = render_brand()
    # The local driver refuses a host this machine does not route; the plan catches that, so
    # the host is made unroutable only after planning, as an operator's change would.
    run = store_launch(path=folder, check_erp=False, inline=False)
    settings.ALLOWED_HOSTS = ["localhost"]
    from storefleet.provisioning.services import run_start

    run = run_start(run=run, inline=True)

    assert run.status == RunStatus.FAILED
    assert steps(run)[:3] == [
        ("register", "succeeded"),
        ("erp", "skipped"),
        ("infrastructure", "failed"),
    ]
    assert steps(run)[3:] == [
        ("content", "pending"),
        ("languages", "pending"),
        ("customers", "pending"),
        ("people", "pending"),
        ("smoke_test", "pending"),
        ("live", "pending"),
    ]
    failed = run.steps.get(name="infrastructure")
    assert "cannot be routed on this machine" in failed.error
    assert run.error.startswith("infrastructure: The host 'nordlicht.localhost' cannot be routed")
    assert Store.objects.get(slug="nordlicht").status == StoreStatus.DRAFT

    settings.ALLOWED_HOSTS = [".localhost"]
    run = run_resume(run=run, inline=True)

    assert run.status == RunStatus.SUCCEEDED
    assert [(s.name, s.status, s.attempts) for s in run.steps.all()] == [
        ("register", "succeeded", 1),
        ("erp", "skipped", 1),
        ("infrastructure", "succeeded", 2),
        ("content", "succeeded", 1),
        ("languages", "unchanged", 1),
        ("customers", "unchanged", 1),
        ("people", "unchanged", 1),
        ("smoke_test", "succeeded", 1),
        ("live", "succeeded", 1),
    ]
    assert Store.objects.get(slug="nordlicht").status == StoreStatus.LIVE


def test_suspend_takes_the_store_offline(render_brand):
    store_launch(path=render_brand(), check_erp=False, inline=True)
    run = store_suspend(slug="nordlicht", inline=True)
    assert steps(run) == [("suspend", "succeeded"), ("smoke_test", "succeeded")]
    assert Store.objects.get(slug="nordlicht").status == StoreStatus.SUSPENDED
    assert Client().get("/", HTTP_HOST="nordlicht.localhost").status_code == 503


def test_destroy_leaves_no_orphans(render_brand, ferrum):
    before = world_counts()
    ferrum_pages = Page.objects.filter(path__startswith=ferrum.home.path).count()
    permissions = Permission.objects.count()
    folder = render_brand()
    store_launch(path=folder, check_erp=False, inline=True)
    assert world_counts() != before

    run = store_teardown(slug="nordlicht", inline=True)

    assert run.status == RunStatus.SUCCEEDED
    assert steps(run) == [
        ("infrastructure", "succeeded"),
        ("remove", "succeeded"),
        ("folder", "succeeded"),
        ("smoke_test", "succeeded"),
    ]
    assert not folder.exists()  # reconcile must not launch it again
    assert world_counts() == before
    assert Permission.objects.count() == permissions
    assert Page.objects.filter(path__startswith=ferrum.home.path).count() == ferrum_pages
    assert not LocalDriver().media_dir("nordlicht").exists()
    assert Client().get("/", HTTP_HOST="nordlicht.localhost").status_code == 404
    assert Client().get("/", HTTP_HOST="ferrum.localhost").status_code == 200


def test_a_second_run_waits_for_the_unfinished_one(render_brand):
    folder = render_brand()
    store_launch(path=folder, check_erp=False, inline=False)
    with pytest.raises(
        ApplicationError, match=r"Run \d+ \(launch\) for 'nordlicht' is not finished"
    ):
        store_launch(path=folder, check_erp=False, inline=False)
    assert RunStep.objects.count() == len(LAUNCH_STEPS)


def test_destroying_a_store_that_took_over_a_platform_host_leaves_nothing(render_brand, brands_dir):
    folder = render_brand()
    store_launch(path=folder, check_erp=False, inline=True)
    # As the wizard could before platform hosts were reserved: the store on the admin's host.
    site = Store.objects.get(slug="nordlicht").site
    site.hostname = "admin.localhost"
    site.save()
    cache.clear()

    run = store_teardown(slug="nordlicht", inline=True)

    assert run.status == RunStatus.SUCCEEDED
    assert steps(run) == [
        ("infrastructure", "succeeded"),
        ("remove", "succeeded"),
        ("folder", "succeeded"),
        ("smoke_test", "succeeded"),
    ]
    assert run.steps.get(name="smoke_test").log == "admin.localhost is the platform's again"
    assert list(brands_dir.iterdir()) == []
    assert not Store.objects.filter(slug="nordlicht").exists()
    login = Client().get("/admin/login/", HTTP_HOST="admin.localhost")
    assert login.status_code == 200


def test_a_destroyed_store_without_a_folder_is_destroyed_all_the_same(render_brand, brands_dir):
    folder = render_brand()
    store_launch(path=folder, check_erp=False, inline=True)
    shutil.rmtree(folder)

    run = store_teardown(slug="nordlicht", inline=True)

    assert run.status == RunStatus.SUCCEEDED
    assert run.steps.get(name="folder").status == "unchanged"


def test_a_store_launched_with_template_syntax_in_its_answers_shows_it_as_text(brands_dir):
    run = store_launch_from_template(
        template="b2b-store",
        answers={
            "brand_name": "Nord {{ 7*7 }} Antriebe",
            "slug": "nordlicht",
            "tagline": "{% for x in range(3) %}x{% endfor %} <b>bold</b>",
        },
        check_erp=False,
        inline=True,
    )

    assert run.status == RunStatus.SUCCEEDED
    assert Store.objects.get(slug="nordlicht").name == "Nord {{ 7*7 }} Antriebe"
    home = Client().get("/", HTTP_HOST="nordlicht.localhost").content.decode()
    assert "Nord {{ 7*7 }} Antriebe" in home
    assert "{% for x in range(3) %}x{% endfor %} &lt;b&gt;bold&lt;/b&gt;" in home
    assert "Nord 49" not in home
    assert "xxx" not in home
    about = Client().get("/about/", HTTP_HOST="nordlicht.localhost").content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in about
    assert "<b>bold</b>" not in about

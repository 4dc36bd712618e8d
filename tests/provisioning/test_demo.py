"""``demo_stores`` launches the stores declared in brands/ through the pipeline."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from storefleet.brand.models import BrandSettings, HomePage
from storefleet.catalog.models import ProductStory
from storefleet.provisioning.models import ProvisioningRun
from storefleet.tenants.models import Store

pytestmark = pytest.mark.django_db


def test_demo_stores_launches_brands_folders_and_creates_one_user_per_role(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("demo_stores")

    stores = {s.slug: s for s in Store.objects.select_related("site")}
    assert {
        slug: (s.status, s.site.hostname, s.currency, s.default_language)
        for slug, s in stores.items()
    } == {
        "ferrum": ("live", "ferrum.localhost", "EUR", "de"),
        "hydra": ("live", "hydra.localhost", "USD", "en"),
    }
    # The Stores page shows the template version each demo store was rendered from.
    assert {slug: (s.template, s.template_version) for slug, s in stores.items()} == {
        "ferrum": ("b2b-store", "2.0"),
        "hydra": ("b2b-store", "2.0"),
    }
    assert BrandSettings.objects.get(site=stores["hydra"].site).primary_colour == "#00695C"
    ferrum_home = HomePage.objects.get(pk=stores["ferrum"].site.root_page_id)
    assert ferrum_home.body[0].value["heading"] == "Precision parts for lines that never stop"
    # Each store speaks its declared languages; the other languages' pages are drafts to translate.
    assert {slug: s.languages for slug, s in stores.items()} == {
        "ferrum": ["de", "en", "fr"],
        "hydra": ["en", "fr", "ja"],
    }
    ferrum_languages = {
        page.locale.language_code: page.live
        for page in ferrum_home.get_translations(inclusive=True)
    }
    assert ferrum_languages == {"de": True, "en": False, "fr": False}
    assert Client().get("/fr/", HTTP_HOST="ferrum.localhost").status_code == 200
    assert Client().get("/fr/", HTTP_HOST="hydra.localhost").status_code == 200
    # Hydra's Japanese has a host of its own (brands/hydra/store.toml's [store.hosts]).
    assert stores["hydra"].language_hosts == {"ja": "hydra-ja.localhost"}
    japanese = Client().get("/", HTTP_HOST="hydra-ja.localhost")
    assert (japanese.status_code, japanese["Content-Language"]) == (200, "ja")
    assert Client().get("/ja/", HTTP_HOST="hydra.localhost").status_code == 301
    stories = (
        ProductStory.objects.filter(page__live=True)
        .select_related("page")
        .order_by("page__path", "sort_order")
    )
    assert [(s.page.get_parent().title, s.sku) for s in stories] == [
        ("Ferrum Industrial Components", "FAS-1001"),
        ("Ferrum Industrial Components", "BRG-1001"),
        ("Hydra Flow Systems", "HYD-1007"),
    ]
    # Their images and documents are the store's own, from its collection.
    assert stories[0].body[0].value["image"].collection == stores["ferrum"].collection
    assert stories[2].body[1].value["documents"][0]["document"].collection == (
        stores["hydra"].collection
    )
    assert [(r.slug, r.status) for r in ProvisioningRun.objects.order_by("pk")] == [
        ("ferrum", "succeeded"),
        ("hydra", "succeeded"),
    ]
    users = get_user_model().objects
    assert users.get(username="platform").is_superuser
    assert list(users.get(username="ferrum.editor").groups.values_list("name", flat=True)) == [
        "Ferrum Industrial Components editors"
    ]
    agent = users.get(username="service.agent")
    assert list(agent.groups.values_list("name", flat=True)) == [
        "Ferrum Industrial Components service agents"
    ]
    assert agent.has_perm("service.access_console") and not agent.is_staff
    manager = users.get(username="regional.manager")
    assert manager.has_perm("provisioning.launch_store")
    assert not manager.is_superuser
    html = Client().get("/", HTTP_HOST="hydra.localhost").content.decode()
    assert "Fluid power components, in stock and ready to ship" in html

    call_command("demo_stores")
    assert Store.objects.count() == 2
    latest = ProvisioningRun.objects.order_by("pk").last()
    assert [s.status for s in latest.steps.all()] == [
        "unchanged",
        "skipped",
        "unchanged",
        "unchanged",
        "unchanged",
        "unchanged",
        "unchanged",
        "succeeded",
        "unchanged",
    ]

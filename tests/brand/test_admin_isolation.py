"""Brand walls in the Wagtail admin, as a matrix: every admin area × another brand's object.

Each row names an admin URL that shows or acts on one object of the *other* brand. A brand's
editor must be denied (403/404, or Wagtail's redirect to the dashboard with an error) and the
other brand's marker must not appear in what comes back. Listings and choosers must show the
editor's own objects and none of the other brand's.

Product stories and the assortment are part of the store's catalog page (an inline of the page,
settings of the page): they are edited, previewed and published through the page URLs, and the
images and documents in a story are chosen with the image and document choosers listed here.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from storefleet.catalog.models import CatalogPage, ProductStory
from tests.catalog.factories import catalog_form_data, catalog_page_make, story_publish
from tests.factories import BrandKeys, BrandWorld, build_brand
from tests.module_world import SettingsWhileBuilding, module_world_built


def _catalog(b: BrandWorld) -> CatalogPage:
    return CatalogPage.objects.descendant_of(b.home).get()


pytestmark = pytest.mark.django_db

# (area, url builder for an object of the other brand)
OBJECT_URLS: list[tuple[str, Callable[[BrandWorld], str]]] = [
    ("explorer: page listing", lambda b: reverse("wagtailadmin_explore", args=[b.home.pk])),
    ("explorer: child listing", lambda b: reverse("wagtailadmin_explore", args=[b.landing.pk])),
    ("page edit", lambda b: reverse("wagtailadmin_pages:edit", args=[b.landing.pk])),
    ("page edit (home)", lambda b: reverse("wagtailadmin_pages:edit", args=[b.home.pk])),
    ("page add child", lambda b: reverse("wagtailadmin_pages:add_subpage", args=[b.home.pk])),
    ("page preview", lambda b: reverse("wagtailadmin_pages:view_draft", args=[b.landing.pk])),
    ("page history", lambda b: reverse("wagtailadmin_pages:history", args=[b.landing.pk])),
    ("page delete", lambda b: reverse("wagtailadmin_pages:delete", args=[b.content.pk])),
    ("page copy", lambda b: reverse("wagtailadmin_pages:copy", args=[b.content.pk])),
    ("page move", lambda b: reverse("wagtailadmin_pages:move", args=[b.content.pk])),
    ("page unpublish", lambda b: reverse("wagtailadmin_pages:unpublish", args=[b.content.pk])),
    ("page chooser: browse", lambda b: reverse("wagtailadmin_choose_page_child", args=[b.home.pk])),
    ("image edit", lambda b: reverse("wagtailimages:edit", args=[b.image.pk])),
    ("image delete", lambda b: reverse("wagtailimages:delete", args=[b.image.pk])),
    ("image chosen", lambda b: reverse("wagtailimages_chooser:chosen", args=[b.image.pk])),
    ("document edit", lambda b: reverse("wagtaildocs:edit", args=[b.document.pk])),
    ("document delete", lambda b: reverse("wagtaildocs:delete", args=[b.document.pk])),
    ("document chosen", lambda b: reverse("wagtaildocs_chooser:chosen", args=[b.document.pk])),
    (
        "collection edit",
        lambda b: reverse("wagtailadmin_collections:edit", args=[b.store.collection_id]),
    ),
    (
        "brand settings",
        lambda b: reverse("wagtailsettings:edit", args=["brand", "brandsettings", b.store.site_id]),
    ),
    (
        "navigation settings",
        lambda b: reverse(
            "wagtailsettings:edit", args=["brand", "navigationsettings", b.store.site_id]
        ),
    ),
    ("site edit", lambda b: reverse("wagtailsites:edit", args=[b.store.site_id])),
]

# The catalog page, with its product stories (its inline) and assortment (its settings).
CATALOG_URLS: list[tuple[str, Callable[[BrandWorld], str]]] = [
    ("catalog edit (stories)", lambda b: reverse("wagtailadmin_pages:edit", args=[_catalog(b).pk])),
    ("catalog preview", lambda b: reverse("wagtailadmin_pages:view_draft", args=[_catalog(b).pk])),
    ("catalog history", lambda b: reverse("wagtailadmin_pages:history", args=[_catalog(b).pk])),
    (
        "catalog revisions compare",
        lambda b: reverse(
            "wagtailadmin_pages:revisions_compare", args=[_catalog(b).pk, "earliest", "latest"]
        ),
    ),
    ("catalog unpublish", lambda b: reverse("wagtailadmin_pages:unpublish", args=[_catalog(b).pk])),
]

# Listings, choosers, searches and reports: (area, url) where the editor may look, but only
# their own brand may show up.
LISTING_URLS: list[tuple[str, str]] = [
    ("dashboard", "/admin/"),
    ("page search", "/admin/pages/search/?q=MARKER"),
    ("page chooser: root", "/admin/choose-page/"),
    ("page chooser: search", "/admin/choose-page/search/?q=MARKER"),
    ("image listing", "/admin/images/"),
    ("image listing search", "/admin/images/?q=MARKER"),
    ("image chooser", "/admin/images/chooser/"),
    ("image chooser search", "/admin/images/chooser/results/?q=MARKER"),
    ("document listing", "/admin/documents/"),
    ("document listing search", "/admin/documents/?q=MARKER"),
    ("document chooser", "/admin/documents/chooser/"),
    ("document chooser search", "/admin/documents/chooser/results/?q=MARKER"),
    ("brand settings (current site)", "/admin/settings/brand/brandsettings/"),
    ("report: locked pages", "/admin/reports/locked/"),
    ("report: site history", "/admin/reports/site-history/"),
    ("report: aging pages", "/admin/reports/aging-pages/"),
    ("report: workflows", "/admin/reports/workflow/"),
    ("report: workflow tasks", "/admin/reports/workflow_tasks/"),
    ("report: page types usage", "/admin/reports/page-types-usage/"),
    ("report: page types usage results", "/admin/reports/page-types-usage/results/"),
]


def _denied(response, url: str) -> bool:  # type: ignore[no-untyped-def]
    """403/404, or Wagtail's redirect elsewhere (dashboard, the user's own explorer root)."""
    if response.status_code in (403, 404):
        return True
    if response.status_code == 302:
        return response["Location"].startswith("/admin/") and response["Location"] != url
    return False


def _body(client, url: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    response = client.get(url, HTTP_HOST="localhost", follow=True)
    return response.status_code, response.content.decode()


def _brands_build(_settings: SettingsWhileBuilding) -> dict[str, BrandKeys]:
    return {
        "ferrum": BrandKeys.of(
            build_brand("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91")
        ),
        "hydra": BrandKeys.of(build_brand("hydra", "Hydra Flow Systems", "USD", "US", "#00695C")),
    }


@pytest.fixture(scope="module")
def module_brands(request, django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The two brands, built once for the module's ~150 tests (two stores with their page
    trees, images, documents and editors: about two seconds a test before), in a transaction
    rolled back after the module (``tests.module_world``). No test here commits."""
    with module_world_built(request, django_db_blocker, _brands_build) as world:
        yield world


@pytest.fixture
def brands(module_brands, db) -> dict[str, BrandWorld]:
    """Each test's own instances of the module's brands (each test runs in a savepoint)."""
    assert module_brands is not None and module_brands.is_open
    return {slug: keys.read() for slug, keys in module_brands.keys.items()}


@pytest.fixture
def catalogs(brands) -> dict[str, BrandWorld]:
    """Each brand with a catalog page holding a product story with one of its images."""
    for brand in brands.values():
        catalog = catalog_page_make(brand.home, title=f"{brand.marker} catalog")
        story_publish(catalog, "FAS-1001", f"{brand.marker} story", image=brand.image.pk)
    return brands


def _assert_denied(client, brands, area, url_for, own, other) -> None:  # type: ignore[no-untyped-def]
    client.force_login(brands[own].editor)
    url = url_for(brands[other])
    response = client.get(url, HTTP_HOST="localhost")
    assert _denied(response, url), f"{area}: {url} answered {response.status_code}"
    _status, body = _body(client, url)
    assert brands[other].marker not in body, f"{area}: {url} shows {other}'s content"


@pytest.mark.parametrize(("area", "url_for"), OBJECT_URLS, ids=[a for a, _ in OBJECT_URLS])
@pytest.mark.parametrize(("own", "other"), [("ferrum", "hydra"), ("hydra", "ferrum")])
def test_editor_is_denied_the_other_brands_object(client, brands, area, url_for, own, other):
    _assert_denied(client, brands, area, url_for, own, other)


@pytest.mark.parametrize(("area", "url_for"), CATALOG_URLS, ids=[a for a, _ in CATALOG_URLS])
@pytest.mark.parametrize(("own", "other"), [("ferrum", "hydra"), ("hydra", "ferrum")])
def test_editor_is_denied_the_other_brands_catalog(client, catalogs, area, url_for, own, other):
    _assert_denied(client, catalogs, area, url_for, own, other)


OWN_REACHABLE = [(a, u) for a, u in OBJECT_URLS if not a.startswith(("collection", "site"))]


@pytest.mark.parametrize(("area", "url_for"), OWN_REACHABLE, ids=[a for a, _ in OWN_REACHABLE])
def test_editor_reaches_their_own_objects(client, brands, area, url_for):
    """The same URLs work for the brand's own objects, so the walls are not a broken admin."""
    client.force_login(brands["ferrum"].editor)
    response = client.get(url_for(brands["ferrum"]), HTTP_HOST="localhost")
    assert response.status_code == 200, f"{area} answered {response.status_code}"


@pytest.mark.parametrize(("area", "url_for"), CATALOG_URLS, ids=[a for a, _ in CATALOG_URLS])
def test_editor_reaches_their_own_catalog(client, catalogs, area, url_for):
    client.force_login(catalogs["ferrum"].editor)
    response = client.get(url_for(catalogs["ferrum"]), HTTP_HOST="localhost")
    assert response.status_code == 200, f"{area} answered {response.status_code}"
    if area == "catalog edit (stories)":
        body = response.content.decode()
        assert "FERRUM-MARKER story" in body and "HYDRA-MARKER" not in body


CATALOG_LISTINGS = [
    (a, u) for a, u in LISTING_URLS if a.startswith(("dashboard", "page", "report: site"))
]


@pytest.mark.parametrize(("area", "url"), CATALOG_LISTINGS, ids=[a for a, _ in CATALOG_LISTINGS])
def test_listings_show_nothing_of_the_other_brands_catalog(client, catalogs, area, url):
    client.force_login(catalogs["ferrum"].editor)
    status, body = _body(client, url)
    assert status == 200, f"{area}: {url} answered {status}"
    assert "HYDRA-MARKER" not in body, f"{area} lists hydra's catalog"


@pytest.mark.parametrize(("area", "url"), LISTING_URLS, ids=[a for a, _ in LISTING_URLS])
@pytest.mark.parametrize(("own", "other"), [("ferrum", "hydra"), ("hydra", "ferrum")])
def test_listings_show_nothing_of_the_other_brand(client, brands, area, url, own, other):
    client.force_login(brands[own].editor)
    status, body = _body(client, url)
    assert status == 200, f"{area}: {url} answered {status}"
    assert brands[other].marker not in body, f"{area} lists {other}'s objects"
    assert brands[other].store.site.hostname not in body, f"{area} names {other}'s site"


@pytest.mark.parametrize(
    ("area", "url", "own_marker_text"),
    [
        ("page search", "/admin/pages/search/?q=MARKER", "landing"),
        ("page chooser: search", "/admin/choose-page/search/?q=MARKER", "landing"),
        ("image listing", "/admin/images/", "image"),
        ("document listing", "/admin/documents/", "document"),
    ],
)
def test_listings_show_the_editors_own_brand(client, brands, area, url, own_marker_text):
    client.force_login(brands["ferrum"].editor)
    _status, body = _body(client, url)
    assert f"{brands['ferrum'].marker} {own_marker_text}" in body, area


def test_other_brand_settings_cannot_be_changed_by_post(client, brands):
    from storefleet.brand.models import BrandSettings

    client.force_login(brands["ferrum"].editor)
    url = reverse(
        "wagtailsettings:edit", args=["brand", "brandsettings", brands["hydra"].store.site_id]
    )
    response = client.post(url, {"primary_colour": "#FF0000"}, HTTP_HOST="localhost")
    assert _denied(response, url)
    assert BrandSettings.objects.get(site=brands["hydra"].store.site).primary_colour != "#FF0000"


def test_other_brand_page_cannot_be_edited_by_post(client, brands):
    from wagtail.models import Page

    client.force_login(brands["ferrum"].editor)
    landing = brands["hydra"].landing
    url = reverse("wagtailadmin_pages:edit", args=[landing.pk])
    response = client.post(url, {"title": "hijacked", "slug": "campaign"}, HTTP_HOST="localhost")
    assert _denied(response, url)
    assert Page.objects.get(pk=landing.pk).title == landing.title


def test_other_brand_product_story_cannot_be_written_by_post(client, catalogs):
    client.force_login(catalogs["ferrum"].editor)
    catalog = _catalog(catalogs["hydra"])
    revisions = catalog.revisions.count()
    url = reverse("wagtailadmin_pages:edit", args=[catalog.pk])
    data = catalog_form_data(stories=[("FAS-1001", "hijacked")], sells="assortment")
    response = client.post(url, data, HTTP_HOST="localhost")
    assert _denied(response, url)
    assert [s.body[0].value.source for s in ProductStory.objects.filter(page=catalog)] == [
        "<p>HYDRA-MARKER story</p>"
    ]
    assert catalog.revisions.count() == revisions


def test_platform_it_sees_every_brand(client, brands, django_user_model):
    admin = django_user_model.objects.create_superuser("it", "it@example.com", "x")
    client.force_login(admin)
    _status, body = _body(client, "/admin/pages/search/?q=MARKER")
    assert brands["ferrum"].marker in body and brands["hydra"].marker in body

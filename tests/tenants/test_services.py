"""Registering a store: everything or nothing, with a message that says what to fix."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
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
from storefleet.tenants.models import Store
from storefleet.tenants.services import StoreSpec, store_create

pytestmark = pytest.mark.django_db


def _spec(**overrides: object) -> StoreSpec:
    values: dict[str, object] = dict(
        slug="acme",
        name="Acme Parts",
        brand="Acme",
        region="Europe",
        hostname="acme.localhost",
        currency="EUR",
        country="DE",
    )
    values.update(overrides)
    return StoreSpec(**values)  # type: ignore[arg-type]


def _counts() -> tuple[int, ...]:
    return (
        Store.objects.count(),
        Site.objects.count(),
        Page.objects.count(),
        Group.objects.count(),
        Collection.objects.count(),
        BrandSettings.objects.count(),
        GroupPagePermission.objects.count(),
    )


def test_store_create_builds_the_whole_tenant():
    store = store_create(spec=_spec(hostname="ACME.localhost"))
    assert store.site.hostname == "acme.localhost"
    assert store.site.is_default_site is False
    home = HomePage.objects.get(pk=store.site.root_page_id)
    assert (home.title, home.live, home.depth) == ("Acme Parts", True, 2)
    assert store.collection.get_parent() == Collection.get_first_root_node()
    assert store.editors_group.name == "Acme Parts editors"
    assert set(
        GroupPagePermission.objects.filter(group=store.editors_group).values_list(
            "permission__codename", flat=True
        )
    ) == {"add_page", "change_page", "publish_page", "lock_page", "unlock_page"}
    assert set(
        GroupCollectionPermission.objects.filter(group=store.editors_group).values_list(
            "collection_id", flat=True
        )
    ) == {store.collection_id}
    assert set(
        GroupSitePermission.objects.filter(group=store.editors_group).values_list(
            "site_id", "permission__codename"
        )
    ) == {(store.site_id, "change_brandsettings"), (store.site_id, "change_navigationsettings")}
    assert BrandSettings.objects.filter(site=store.site).count() == 1
    assert NavigationSettings.objects.filter(site=store.site).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"currency": "euro"}, "currency", "three-letter ISO 4217 currency code"),
        ({"country": "Germany"}, "country", "two-letter ISO 3166 country code"),
        ({"slug": "Not a slug!"}, "slug", "slug"),
    ],
)
def test_invalid_spec_is_refused_and_nothing_is_created(overrides, field, message):
    before = _counts()
    with pytest.raises(ApplicationError) as error:
        store_create(spec=_spec(**overrides))
    assert error.value.field == field
    assert message in error.value.message
    assert _counts() == before


def test_duplicate_hostname_is_refused_and_nothing_is_created():
    store_create(spec=_spec())
    before = _counts()
    with pytest.raises(ApplicationError) as error:
        store_create(spec=_spec(slug="acme2", name="Acme Two", hostname="acme.localhost"))
    assert error.value.field == "hostname"
    assert "choose another hostname" in error.value.message
    assert _counts() == before


def test_duplicate_slug_is_refused():
    store_create(spec=_spec())
    with pytest.raises(ApplicationError) as error:
        store_create(spec=_spec(name="Other", hostname="other.localhost"))
    assert (error.value.field, error.value.code) == ("slug", "duplicate")


def test_the_stores_erp_mapping_reaches_the_request_without_a_query():
    from storefleet.tenants.selectors import store_for_hostname

    store_create(spec=_spec(erp_warehouse="WH-EU", erp_price_list="List Price"))
    assert Store.objects.get(slug="acme").erp_price_list == "List Price"
    assert store_for_hostname("acme.localhost").erp_warehouse == "WH-EU"

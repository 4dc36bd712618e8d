"""The store comes from the Host header, with at most one query whatever the number of stores."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefleet.tenants.models import StoreStatus
from storefleet.tenants.selectors import store_for_hostname
from storefleet.tenants.services import store_content_changed, store_set_status
from tests.factories import make_store

pytestmark = pytest.mark.django_db


def _queries(client, host: str, path: str = "/") -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, HTTP_HOST=host)
    return response.status_code, len(captured)


def test_resolution_is_one_query_on_a_cold_cache_and_none_when_warm(ferrum, hydra):
    with CaptureQueriesContext(connection) as cold:
        record = store_for_hostname("ferrum.localhost")
    with CaptureQueriesContext(connection) as warm:
        again = store_for_hostname("FERRUM.localhost")
    assert record is not None and again is not None
    assert (record.slug, record.currency, record.site.pk) == ("ferrum", "EUR", ferrum.store.site_id)
    assert again == record
    assert len(cold) == 1
    assert len(warm) == 0


def test_home_page_query_count_is_the_same_with_2_and_100_stores(client, ferrum, hydra):
    from django.core.cache import cache

    cache.clear()
    status_2, queries_2 = _queries(client, "ferrum.localhost")
    for number in range(98):
        make_store(f"extra{number}", f"Extra store {number}")
    assert store_for_hostname("extra97.localhost") is not None
    cache.clear()
    status_100, queries_100 = _queries(client, "ferrum.localhost")
    assert (status_2, status_100) == (200, 200)
    assert queries_100 == queries_2
    # Served from the page cache the second time: no query at all.
    assert _queries(client, "ferrum.localhost") == (200, 0)


def test_store_changes_invalidate_the_host_map(ferrum):
    assert store_for_hostname("ferrum.localhost").status == StoreStatus.LIVE
    store_set_status(store=ferrum.store, status=StoreStatus.SUSPENDED)
    assert store_for_hostname("ferrum.localhost").status == StoreStatus.SUSPENDED
    site = ferrum.store.site
    site.hostname = "ferrum-eu.localhost"
    site.save()
    assert store_for_hostname("ferrum.localhost") is None
    assert store_for_hostname("ferrum-eu.localhost").slug == "ferrum"


def test_content_change_moves_only_that_stores_version(ferrum, hydra):
    before = (
        store_for_hostname("ferrum.localhost").content_version,
        store_for_hostname("hydra.localhost").content_version,
    )
    store_content_changed(site_id=ferrum.store.site_id)
    after = (
        store_for_hostname("ferrum.localhost").content_version,
        store_for_hostname("hydra.localhost").content_version,
    )
    assert after == (before[0] + 1, before[1])


def test_unknown_host_gets_a_clear_404_never_another_brands_site(client, ferrum, hydra):
    response = client.get("/", HTTP_HOST="unknown.localhost")
    body = response.content.decode()
    assert response.status_code == 404
    assert "There is no store at unknown.localhost" in body
    assert ferrum.marker not in body and hydra.marker not in body


def test_unknown_host_path_gets_the_same_404(client, ferrum):
    response = client.get("/campaign/", HTTP_HOST="other.localhost")
    assert response.status_code == 404
    assert ferrum.marker not in response.content.decode()


def test_each_store_host_serves_its_own_home(client, ferrum, hydra):
    ferrum_home = client.get("/", HTTP_HOST="ferrum.localhost").content.decode()
    hydra_home = client.get("/", HTTP_HOST="hydra.localhost:8000").content.decode()
    assert f"{ferrum.marker} hero" in ferrum_home and hydra.marker not in ferrum_home
    assert f"{hydra.marker} hero" in hydra_home and ferrum.marker not in hydra_home


def test_pages_of_another_store_are_not_routed_on_this_host(client, ferrum, hydra):
    # Both stores have /campaign/; each host serves its own, never the other's.
    response = client.get("/campaign/", HTTP_HOST="hydra.localhost")
    assert response.status_code == 200
    assert hydra.marker in response.content.decode()
    assert ferrum.marker not in response.content.decode()


def test_platform_host_shows_the_store_directory_not_a_storefront(client, ferrum, hydra):
    response = client.get("/", HTTP_HOST="localhost")
    body = response.content.decode()
    assert response.status_code == 200
    assert "http://ferrum.localhost/" in body and "http://hydra.localhost/" in body
    assert ferrum.marker not in body
    assert client.get("/campaign/", HTTP_HOST="localhost").status_code == 404


def test_suspended_store_is_unavailable(client, ferrum):
    store_set_status(store=ferrum.store, status=StoreStatus.SUSPENDED)
    response = client.get("/", HTTP_HOST="ferrum.localhost")
    assert response.status_code == 503
    assert ferrum.marker not in response.content.decode()


def test_disallowed_host_is_rejected(client, ferrum):
    assert client.get("/", HTTP_HOST="evil.example.com").status_code == 400


def test_a_change_made_by_another_process_is_seen_through_the_version_key(ferrum):
    from django.core.cache import cache

    from storefleet.tenants.models import Store
    from storefleet.tenants.selectors import HOST_MAP_VERSION_KEY

    assert store_for_hostname("ferrum.localhost").name == "Ferrum Industrial Components"
    # Another process renames the store (no signal reaches this one) and moves the version on.
    Store.objects.filter(pk=ferrum.store.pk).update(name="Ferrum EU")
    assert store_for_hostname("ferrum.localhost").name == "Ferrum Industrial Components"
    cache.set(HOST_MAP_VERSION_KEY, "moved-on-elsewhere", timeout=None)
    with CaptureQueriesContext(connection) as rebuilt:
        assert store_for_hostname("ferrum.localhost").name == "Ferrum EU"
    assert len(rebuilt) == 1

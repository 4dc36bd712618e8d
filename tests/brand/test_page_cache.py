"""The anonymous page cache's key (storefleet.brand.middleware): query parameters a page does
not read are not part of it, so inventing parameters makes no new entries."""

from __future__ import annotations

import pytest

from tests.catalog.factories import catalog_page_make

pytestmark = pytest.mark.django_db

HOST = "ferrum.localhost"


def _cache(client, path: str) -> str | None:  # type: ignore[no-untyped-def]
    response = client.get(path, HTTP_HOST=HOST)
    assert response.status_code == 200
    return response.get("X-Storefleet-Cache")


def test_parameters_the_home_page_does_not_read_share_its_entry(client, ferrum):
    assert _cache(client, "/") == "miss"
    for path in ("/?utm_source=mail", "/?utm_source=x&fbclid=1", "/?page=3", "/?q=bolts"):
        assert _cache(client, path) == "hit", path


def test_a_first_visit_with_junk_parameters_is_kept_as_the_plain_page(client, ferrum):
    assert _cache(client, "/?utm_source=first") == "miss"
    assert _cache(client, "/") == "hit"
    assert _cache(client, "/?utm_source=second") == "hit"


def test_the_catalog_keys_what_it_reads_and_nothing_else(client, ferrum):
    catalog_page_make(ferrum.home)
    assert _cache(client, "/catalog/?q=bolt") == "miss"
    assert _cache(client, "/catalog/?utm=1&q=bolt") == "hit"
    assert _cache(client, "/catalog/?q=bolt&gclid=abc&ref=x") == "hit"
    assert _cache(client, "/catalog/?q=nut") == "miss"
    assert _cache(client, "/catalog/?category=1&q=bolt") == "miss"
    assert _cache(client, "/catalog/?q=bolt&category=1") == "hit"  # order doesn't matter
    assert _cache(client, "/catalog/?page=2&q=bolt") == "miss"


def test_a_page_type_that_does_not_say_what_it_reads_is_not_kept_with_a_query(
    client, ferrum, monkeypatch
):
    from storefleet.brand.models import BrandPage

    monkeypatch.setattr(BrandPage, "cache_query_parameters", None)
    assert _cache(client, "/?anything=1") is None
    assert _cache(client, "/") == "miss"
    assert _cache(client, "/") == "hit"


def test_a_new_release_is_never_answered_with_pages_an_older_one_rendered(
    client, ferrum, monkeypatch
):
    """A deployment that changes a template or a translation must not serve the pages the
    previous one kept (they live an hour): the release is part of every page's key."""
    from storefleet import release

    assert _cache(client, "/") == "miss"
    assert _cache(client, "/") == "hit"
    monkeypatch.setenv("STOREFLEET_RELEASE", "next-release")
    release.release.cache_clear()
    try:
        assert _cache(client, "/") == "miss"
        assert _cache(client, "/") == "hit"
    finally:
        monkeypatch.delenv("STOREFLEET_RELEASE")
        release.release.cache_clear()


def test_the_release_digest_follows_the_files_a_page_is_rendered_from(tmp_path, monkeypatch):
    from storefleet import release

    (tmp_path / "templates").mkdir()
    template = tmp_path / "templates" / "page.html"
    template.write_text("<p>one</p>")
    (tmp_path / "notes.rst").write_text("not rendered")
    monkeypatch.setattr(release, "PACKAGE", tmp_path)
    monkeypatch.delenv("STOREFLEET_RELEASE", raising=False)
    release.release.cache_clear()
    try:
        first = release.release()
        (tmp_path / "notes.rst").write_text("still not rendered")
        release.release.cache_clear()
        assert release.release() == first
        template.write_text("<p>two</p>")
        release.release.cache_clear()
        assert release.release() != first
    finally:
        release.release.cache_clear()

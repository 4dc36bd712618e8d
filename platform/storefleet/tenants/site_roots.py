"""Wagtail's list of site root paths in two queries, whatever the number of stores.

With i18n on, Wagtail's ``Site.get_site_root_paths`` asks for each Site's root page
translations one query per Site: a platform of 100 stores pays 100 queries on the first page
after each publish that moves a root. The result (and its cache entry, which Wagtail clears
itself) is the same, but that a Site's root translated as another Site's root stays that
Site's; only the reading is batched."""

from __future__ import annotations

from collections import defaultdict

from django.core.cache import cache
from wagtail.models import Page, Site
from wagtail.models.sites import (
    SITE_ROOT_PATHS_CACHE_KEY,
    SITE_ROOT_PATHS_CACHE_VERSION,
    SiteRootPath,
)


def site_root_paths() -> list[SiteRootPath]:
    """Every Site's root path in each of its root page's languages, most specific first (as
    Wagtail orders them)."""
    result = cache.get(SITE_ROOT_PATHS_CACHE_KEY, version=SITE_ROOT_PATHS_CACHE_VERSION)
    if result is not None:
        return [SiteRootPath(*row) for row in result]
    sites = list(
        Site.objects.select_related("root_page").order_by(
            "-root_page__url_path", "-is_default_site", "hostname"
        )
    )
    translations: dict[object, list[Page]] = defaultdict(list)
    for page in (
        Page.objects.filter(translation_key__in={site.root_page.translation_key for site in sites})
        .select_related("locale")
        .only("path", "url_path", "translation_key", "locale__language_code")
        .order_by("path")
    ):
        translations[page.translation_key].append(page)
    # A translation of a Site's root that is another Site's root (a store per language, on its
    # own host) is that Site's only: its pages are addressed on their own store's host.
    roots = {site.root_page_id for site in sites}
    result = [
        SiteRootPath(site.pk, root.url_path, site.root_url, root.locale.language_code)
        for site in sites
        for root in translations[site.root_page.translation_key]
        if root.pk == site.root_page_id or root.pk not in roots
    ]
    cache.set(SITE_ROOT_PATHS_CACHE_KEY, result, 3600, version=SITE_ROOT_PATHS_CACHE_VERSION)
    return result


def install() -> None:
    Site.get_site_root_paths = staticmethod(site_root_paths)

"""URLs of a store's host: the storefront (Wagtail and the buyers' pages) in each language the
store speaks, and, unprefixed, the admin, the API, media and what search engines read.

The store's default language is unprefixed (``/catalog/``), each other under its code
(``/fr/catalog/``): ``tenants.locale.StoreLocalePrefixPattern``. Reversed URLs are cached per
URLconf and language, so each default language has its URLconf (:func:`store_urlconf`), which
the store middleware sets for the request; this module's own ``urlpatterns`` read the current
store's default language (for tests that build on them)."""

import sys
from types import ModuleType

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from . import error_pages, views
from .api import urls as api_urls
from .brand import seo
from .brand.localization import serve_page
from .tenants.locale import store_language_patterns


def _api(pattern: object) -> bool:
    """The partner API's own addresses (api.urls also holds storefront pages)."""
    return str(getattr(pattern, "pattern", "")).startswith("api/")


# A store's errors in its brand (storefleet.error_pages); platform hosts keep Django's plain ones.
handler404 = error_pages.page_not_found
handler500 = error_pages.server_error

unprefixed = [
    path("healthz", views.health, name="health"),
    path("django-admin/", admin.site.urls),
    path("admin/", include("storefleet.brand.admin_urls")),  # first: Wagtail's, scoped by store
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("robots.txt", seo.robots_txt, name="robots_txt"),
    path("sitemap.xml", seo.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", seo.sitemap_section, name="sitemap_section"),
    # The partner API (/api/v1/) is one address whatever the language; the company admin's
    # key pages are storefront pages.
    *(p for p in api_urls.urlpatterns if _api(p)),
    *views.media_urlpatterns(),
]

storefront = [
    *(p for p in api_urls.urlpatterns if not _api(p)),
    path("", include("storefleet.webhooks.urls")),  # /account/webhooks/
    path("account/approvals/", include("storefleet.approvals.urls")),
    path("account/", include("storefleet.accounts.urls")),
    path("", include("storefleet.billing.urls")),
    path("lists/", include("storefleet.lists.urls")),
    path("quotes/", include("storefleet.quotes.urls")),
    path("", include("storefleet.service.urls")),
    path("", include("storefleet.ordering.urls")),
    *(p for p in wagtail_urls.urlpatterns if p.name != "wagtail_serve"),
    # Wagtail's pages last (its serve view, with the fallback to the default language's page).
    re_path(r"^((?:[\w\-]+/)*)$", serve_page, name="wagtail_serve"),
]


def _urlpatterns(default_language: str | None) -> list:
    return [*unprefixed, *store_language_patterns(*storefront, default_language=default_language)]


urlpatterns = _urlpatterns(None)


def store_urlconf(default_language: str) -> str:
    """The name of the URLconf of stores whose default language is ``default_language`` (made
    once per process and language)."""
    known = {code for code, _name in settings.LANGUAGES}
    language = default_language if default_language in known else settings.LANGUAGE_CODE
    name = f"{__name__}_store_{language.replace('-', '_')}"
    if name not in sys.modules:
        module = ModuleType(name)
        module.urlpatterns = _urlpatterns(language)  # type: ignore[attr-defined]
        module.handler404 = handler404  # type: ignore[attr-defined]
        module.handler500 = handler500  # type: ignore[attr-defined]
        sys.modules[name] = module
    return name

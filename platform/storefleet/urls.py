"""URLs of a store's host: the storefront (Wagtail) and the admin."""

from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from . import error_pages, views
from .brand import seo

# A store's errors in its brand (storefleet.error_pages); platform hosts keep Django's plain ones.
handler404 = error_pages.page_not_found
handler500 = error_pages.server_error

urlpatterns = [
    path("healthz", views.health, name="health"),
    path("django-admin/", admin.site.urls),
    path("admin/", include("storefleet.brand.admin_urls")),  # first: Wagtail's, scoped by store
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("robots.txt", seo.robots_txt, name="robots_txt"),
    path("sitemap.xml", seo.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", seo.sitemap_section, name="sitemap_section"),
]

urlpatterns += views.media_urlpatterns()

urlpatterns += [
    path("", include("storefleet.api.urls")),  # /api/v1/ and /account/api-keys/
    path("", include("storefleet.webhooks.urls")),  # /account/webhooks/
    path("account/approvals/", include("storefleet.approvals.urls")),
    path("account/", include("storefleet.accounts.urls")),
    path("", include("storefleet.billing.urls")),
    path("lists/", include("storefleet.lists.urls")),
    path("quotes/", include("storefleet.quotes.urls")),
    path("", include("storefleet.service.urls")),
    path("", include("storefleet.ordering.urls")),
]

urlpatterns += [path("", include(wagtail_urls))]

"""URLs of the platform's own hosts (admin, health, the store directory).

Wagtail's serving view is included last only so that page URLs can be reversed here (previews,
"view live" links in the admin); on these hosts it finds no site and answers 404."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from . import views

urlpatterns = [
    path("", views.store_directory, name="store_directory"),
    path("healthz", views.health, name="health"),
    path("django-admin/", admin.site.urls),
    path("admin/", include("storefleet.brand.admin_urls")),  # first: Wagtail's, scoped by store
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

urlpatterns += views.media_urlpatterns()

if settings.STOREFLEET_BENCH_VIEWS:
    # The ceiling the storefront benchmark measures against: same middleware, no work.
    urlpatterns += [path("bench/trivial", views.trivial, name="bench_trivial")]

urlpatterns += [path("", include(wagtail_urls))]

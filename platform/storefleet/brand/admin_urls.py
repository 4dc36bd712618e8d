"""Admin URLs that replace Wagtail's own, included before Wagtail's admin on every host that
serves it (``storefleet.urls``, ``storefleet.urls_platform``): the same paths, scoped views."""

from django.urls import path

from .reports import StorePageTypesUsageReportView

urlpatterns = [
    path(
        "reports/page-types-usage/",
        StorePageTypesUsageReportView.as_view(),
        name="store_page_types_usage",
    ),
    path(
        "reports/page-types-usage/results/",
        StorePageTypesUsageReportView.as_view(results_only=True),
        name="store_page_types_usage_results",
    ),
]

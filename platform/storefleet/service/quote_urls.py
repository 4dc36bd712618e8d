"""The console's quote pages, registered among its admin URLs (``wagtail_hooks``)."""

from django.urls import path

from . import quote_views

urlpatterns = [
    path("service/quotes/", quote_views.quote_list, name="service_quotes"),
    path("service/quotes/<int:quote_id>/", quote_views.quote_detail, name="service_quote"),
    path(
        "service/quotes/<int:quote_id>/attachment/",
        quote_views.quote_attachment,
        name="service_quote_attachment",
    ),
]

"""The store URLconf with a view that fails: what the branded 500 page is tested on
(storefleet.urls' own handlers are re-exported)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from storefleet.urls import handler404, handler500
from storefleet.urls import urlpatterns as store_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


urlpatterns = [
    path("boom/", boom),
    *store_urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]

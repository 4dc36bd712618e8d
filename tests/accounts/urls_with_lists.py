"""The store URLconf with a stand-in ``lists:index`` and a view that fails: what the navigation
rule and the 500 page are tested on (storefleet.urls' own handlers are re-exported)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from storefleet.urls import handler404, handler500
from storefleet.urls import urlpatterns as store_urlpatterns


def lists_index(request: HttpRequest) -> HttpResponse:
    return HttpResponse("lists")


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


lists_patterns = ([path("", lists_index, name="index")], "lists")

urlpatterns = [
    path("lists/", include(lists_patterns)),
    path("boom/", boom),
    *store_urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]

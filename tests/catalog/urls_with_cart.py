"""A store's URLs with a stand-in for the ordering app's ``ordering:cart_add``: the catalog's
add-to-cart form only renders where that URL exists."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from tests.catalog import urls_without_cart


def _cart_add(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=204)


urlpatterns = [
    path("cart/", include(([path("add/", _cart_add, name="cart_add")], "ordering"))),
    *urls_without_cart.urlpatterns,
]

"""Branded error pages: a store's 404 and 500 in its own theme, header and navigation, with a
way back; platform hosts keep the plain pages.

``handler404``/``handler500`` (storefleet.urls) answer when DEBUG is off. With DEBUG on,
Django would answer a store's 404 with its technical page that lists every URL pattern:
:class:`StoreNotFoundMiddleware` answers a store's 404s itself, DEBUG or not."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve

logger = logging.getLogger("storefleet.errors")

STORE_BASE = "brand/base.html"


def _store(request: HttpRequest) -> object | None:
    return getattr(request, "store", None)


def store_not_found(request: HttpRequest) -> HttpResponse:
    """The store's 404 page."""
    return render(
        request,
        "404.html",
        # No canonical address or structured data for an address that is nothing (and that
        # may carry another company's document number): noindex only.
        {"base_template": STORE_BASE, "request_path": request.path, "seo_noindex": True},
        status=404,
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _store(request) is not None:
        return store_not_found(request)
    return render(request, "404.html", {"request_path": request.path}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The store's 500 page; the plain one where there is no store, or where drawing the
    store's page fails too (its database, say, is what failed)."""
    if _store(request) is not None:
        try:
            return render(
                request, "500.html", {"base_template": STORE_BASE, "seo_noindex": True}, status=500
            )
        except Exception:  # the error page must never fail: fall back to the plain one
            logger.exception("the store's 500 page could not be drawn")
    return HttpResponseServerError(loader.render_to_string("500.html"))


class StoreNotFoundMiddleware:
    """A store's 404 is its branded page, also with DEBUG on: an address no URL pattern takes
    is answered here before routing (CommonMiddleware, outside, still adds a missing slash),
    and a view's ``Http404`` in :meth:`process_exception`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _store(request) is not None:
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404:
                return store_not_found(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404) and _store(request) is not None:
            return store_not_found(request)
        return None

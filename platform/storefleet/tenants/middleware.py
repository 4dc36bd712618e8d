"""Which store is this request for? Resolved from the Host header before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import render

from .locale import serve_in_store_locale
from .models import StoreStatus
from .selectors import store_for_hostname

PLATFORM_URLCONF = "storefleet.urls_platform"


class StoreMiddleware:
    """Sets ``request.store`` (a :class:`StoreRecord` or ``None`` on a platform host).

    A host that is neither a store nor the platform gets a 404 page of its own: Wagtail's
    fallback to a default site would otherwise show some brand's storefront on any host.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.platform_hosts = {h.lower() for h in settings.STOREFLEET_PLATFORM_HOSTS}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        hostname, _port = split_domain_port(request.get_host())
        store = store_for_hostname(hostname)
        request.store = store  # type: ignore[attr-defined]
        if store is not None:
            if store.status == StoreStatus.SUSPENDED:
                return render(
                    request, "tenants/store_unavailable.html", {"store": store}, status=503
                )
            # Saves Wagtail's own Site lookup (one query per request).
            request._wagtail_site = store.site  # type: ignore[attr-defined]
            # The storefront in the store's language and time zone (the admin in its own).
            return serve_in_store_locale(request, self.get_response)
        elif hostname.lower() in self.platform_hosts:
            request.urlconf = PLATFORM_URLCONF  # type: ignore[attr-defined]
            request._wagtail_site = None  # type: ignore[attr-defined]
        else:
            return render(request, "tenants/unknown_host.html", {"hostname": hostname}, status=404)
        return self.get_response(request)

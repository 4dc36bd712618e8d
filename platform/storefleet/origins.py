"""The one way an absolute address is put together: scheme, host and port, the port left out
when it is the scheme's default (what browsers show, and what a Host header carries).

Free of Django so that the settings can use it too (the admin's own base URL)."""

from __future__ import annotations

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(*, scheme: str, host: str, port: int | None = None) -> str:
    """``scheme://host[:port]``, no trailing slash."""
    if port is None or port == DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def public_port() -> int:
    """The port the public reaches the platform on: ``STOREFLEET_PUBLIC_PORT`` or the scheme's
    default. Every store's Wagtail Site carries it (``tenants.services.store_sites_port_sync``):
    Wagtail builds a page's absolute URL from its Site's hostname and port (443: https)."""
    from django.conf import settings

    scheme = settings.STOREFLEET_PUBLIC_SCHEME
    return settings.STOREFLEET_PUBLIC_PORT or DEFAULT_PORTS.get(scheme, 80)


def public_base_url(hostname: str) -> str:
    """A store's canonical address (``https://shop.example.com``, ``http://ferrum.localhost:8000``):
    the scheme and port the public reaches the platform on (``STOREFLEET_PUBLIC_SCHEME``,
    ``STOREFLEET_PUBLIC_PORT``) with the store's hostname; no trailing slash. For every address
    written where no request says how the buyer came in (e-mails, PDFs, the admin's links to a
    store's pages, the demo's output); a page answering a request links relatively instead."""
    from django.conf import settings

    return origin(
        scheme=settings.STOREFLEET_PUBLIC_SCHEME,
        host=hostname.lower(),
        port=settings.STOREFLEET_PUBLIC_PORT,
    )

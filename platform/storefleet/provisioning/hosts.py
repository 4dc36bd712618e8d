"""Which host names a store may not take: the platform's own.

A store on the admin's host takes that host over (the store middleware resolves stores before
platform hosts), and destroying it then fails its own "the host answers 404" check. So the
hosts the platform answers on (``STOREFLEET_PLATFORM_HOSTS``, the hosts ``urls_platform`` serves),
``localhost`` and IP addresses are reserved; every plan refuses them."""

from __future__ import annotations

import re

from django.conf import settings

ALWAYS_RESERVED = frozenset({"localhost", "127.0.0.1", "::1"})
_IP_LIKE = re.compile(r"[0-9.]+|\[?[0-9a-f]*:[0-9a-f:]*\]?")


def platform_hosts() -> frozenset[str]:
    """The hosts the platform itself answers on, lower-case."""
    configured = getattr(settings, "STOREFLEET_PLATFORM_HOSTS", ())
    return ALWAYS_RESERVED | {host.lower().strip() for host in configured}


def host_reserved_reason(hostname: str) -> str | None:
    """Why ``hostname`` cannot be a store's host, in the manager's words; ``None`` if it can."""
    host = hostname.lower().strip().rstrip(".")
    if host in platform_hosts():
        return (
            f"'{host}' is reserved for the platform itself (the admin answers there); give "
            "the store its own host name, e.g. <slug>.localhost or shop.<brand>.example."
        )
    if _IP_LIKE.fullmatch(host):
        return f"'{host}' is an IP address; give the store a host name, e.g. <slug>.localhost."
    return None

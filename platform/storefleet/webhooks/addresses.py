"""Where a webhook may be sent: an ``https`` URL of a host on the public internet.

Refused: other schemes, credentials in the URL, and hosts that are — or resolve to — private,
loopback, link-local (cloud metadata at 169.254.169.254), multicast, reserved or unspecified
addresses, so a subscription cannot make the platform call into its own network (SSRF).
``WEBHOOKS_ALLOW_LOOPBACK`` (DEBUG and tests) lets ``http://127.0.0.1`` / ``localhost`` through.
The check runs when a subscription is saved and again before every attempt (DNS may change)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from storefleet.errors import ApplicationError

MAX_URL = 500


class UnsafeUrl(ApplicationError):
    pass


def _loopback_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK", False))


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise UnsafeUrl(
            _("The host %(host)r cannot be resolved: check the URL.") % {"host": host}
        ) from error
    found = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        found.append(address)
    return found


def url_check(url: str) -> str:
    """``url`` if webhooks may be sent there, else ``UnsafeUrl`` saying what to change."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL or not url.isprintable():
        raise UnsafeUrl(
            _("Give the endpoint as an https URL of at most %(n)d characters.") % {"n": MAX_URL}
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeUrl(_("The URL cannot be read: give it as https://host/path.")) from error
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("https", "http"):
        raise UnsafeUrl(_("Give the endpoint as an https URL (https://host/path)."))
    if parts.username or parts.password:
        raise UnsafeUrl(_("Leave credentials out of the URL: verify our signature instead."))
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _addresses(host, port)
    if not addresses:
        raise UnsafeUrl(_("The host %(host)r has no address: check the URL.") % {"host": host})
    loopback = all(a.is_loopback for a in addresses)
    if loopback and _loopback_allowed():
        return url
    if parts.scheme != "https":
        raise UnsafeUrl(_("Webhooks are sent over https only: give an https URL."))
    for address in addresses:
        if not address.is_global or address.is_multicast:
            raise UnsafeUrl(
                _(
                    "The host %(host)r is a private, loopback or link-local address "
                    "(%(address)s): give an endpoint reachable on the public internet."
                )
                % {"host": host, "address": address}
            )
    return url

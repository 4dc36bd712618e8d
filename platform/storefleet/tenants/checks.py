"""Start-up checks of the stores' public address settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from storefleet.origins import DEFAULT_PORTS


@register()
def public_address_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Wagtail writes a page's absolute URL from its Site's port alone: https exactly when the
    port is 443. Any other combination would put links on the wrong scheme."""
    scheme = settings.STOREFLEET_PUBLIC_SCHEME
    port = settings.STOREFLEET_PUBLIC_PORT
    if scheme not in DEFAULT_PORTS:
        return [
            Error(
                f"STOREFLEET_PUBLIC_SCHEME is {scheme!r}.",
                hint="Set it to http or https.",
                id="tenants.E001",
            )
        ]
    if port is not None and (scheme == "https") != (port == 443):
        return [
            Error(
                f"STOREFLEET_PUBLIC_PORT {port} with STOREFLEET_PUBLIC_SCHEME {scheme}: store "
                "pages' addresses are https exactly on port 443.",
                hint="Serve https on port 443 (leave STOREFLEET_PUBLIC_PORT unset), or http on "
                "another port.",
                id="tenants.E002",
            )
        ]
    return []

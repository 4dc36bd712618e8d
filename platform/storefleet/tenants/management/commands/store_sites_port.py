"""Move every store's Wagtail Site to the public port (after changing STOREFLEET_PUBLIC_PORT or
STOREFLEET_PUBLIC_SCHEME, or on a database made before Sites carried it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from storefleet.origins import public_port
from storefleet.tenants.services import store_sites_port_sync


class Command(BaseCommand):
    help = "Give every store's Site the port the public reaches the platform on."

    def handle(self, *args: Any, **options: Any) -> None:
        moved = store_sites_port_sync()
        self.stdout.write(f"{moved} store site(s) moved to port {public_port()}.")

"""Print where to look once the embedded default is up: store URLs, admin, demo users."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from storefleet.tenants.selectors import store_list

from .demo_stores import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo stores' URLs, the admin URL and the demo credentials for each role."

    def handle(self, *args: Any, **options: Any) -> None:
        # The addresses the platform itself writes (STOREFLEET_PUBLIC_PORT: make demo's PORT).
        out = self.stdout.write
        admin = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        out("")
        out(self.style.SUCCESS("Storefleet is starting (embedded default: SQLite, file broker)."))
        out("")
        out("Stores:")
        for store in store_list():
            out(
                f"  {store.name:<32} {store.base_url}/   "
                f"({store.region}, {store.currency}, {store.get_status_display()})"
            )
        out("")
        out(f"Admin (Wagtail):    {admin}/admin/")
        out(f"Store directory:    {admin}/")
        out(f"Health:             {admin}/healthz")
        erp = f"{settings.ERP_URL.rstrip('/')}/{settings.ERP_DATABASE}/"
        out(f"Reference ERP:      {erp} (Tryton JSON-RPC, user {settings.ERP_USER};")
        out("                    its first start builds and seeds it, about two minutes)")
        out("")
        out(f"Demo users (password for all: {DEMO_PASSWORD}):")
        out("  platform           platform IT (superuser): every store, sites, users")
        for store in store_list():
            out(f"  {store.slug + '.editor':<18} marketing editor of {store.name} only")
        out("  regional.manager   launches stores: admin > Launch a store, or `storefleet launch`")
        out("  service.agent      customer service for Ferrum: admin > Customer service")
        out("  ferrum.buyer       company admin of C-1001 Nordwerk, buys in Ferrum")
        out("  hydra.buyer        company admin of C-1006 Great Lakes Fabrication, buys in Hydra")
        out("                     (buyers exist once the ERP answered and was synced, as the")
        out("                     'setup' process says; they sign in at /account/sign-in/)")
        out("")
        out("*.localhost names resolve to this machine in Chromium and Firefox; for curl use")
        port = settings.STOREFLEET_PUBLIC_PORT or 80
        out(f"  curl -H 'Host: ferrum.localhost:{port}' http://127.0.0.1:{port}/")
        out("Stop with Ctrl-C.")
        out("")

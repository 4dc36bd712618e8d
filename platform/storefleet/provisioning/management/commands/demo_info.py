"""Print where to look once the embedded default is up: one table of stores, one of the demo
users with where each signs in, and the platform's own addresses.

`make demo` runs it from the `setup` process once the ERP answered and the demo buyers exist, so
that what it prints is true when it is printed (a buyer is listed only once it can sign in).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from storefleet.accounts.models import Membership
from storefleet.tenants.locale import language_url
from storefleet.tenants.selectors import store_list

from .demo_stores import DEMO_PASSWORD


def table(rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    """Rows as aligned columns (the first row is the heading); the last column is not padded."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    padded = ([cell.ljust(w) for cell, w in zip(row, widths, strict=False)] for row in rows)
    return [indent + "  ".join([*cells, row[-1]]) for cells, row in zip(padded, rows, strict=True)]


class Command(BaseCommand):
    help = "Print the demo stores' URLs, the admin URL and the demo credentials for each role."

    def handle(self, *args: Any, **options: Any) -> None:
        # The addresses the platform itself writes (STOREFLEET_PUBLIC_PORT: make demo's PORT).
        out = self.stdout.write
        admin = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        stores = list(store_list())
        out("")
        out(
            self.style.SUCCESS(
                "Storefleet is ready (embedded default: SQLite, file broker, the reference ERP)."
            )
        )
        out("")
        rows = [["Store", "Address", "Region", "Currency", "Status"]]
        for s in stores:
            status = str(s.get_status_display())
            rows.append([s.name, f"{s.base_url}/", s.region, s.currency, status])
            # A language on a host of its own (store.toml's [store.hosts]): its address too.
            rows += [
                [f"{s.name} ({language})", language_url(s, language), s.region, s.currency, status]
                for language in sorted(s.language_hosts or {})
            ]
        for line in table(rows):
            out(line)
        out("")
        out(f"Demo users (password for all: {DEMO_PASSWORD}):")
        for line in table(self._user_rows(stores, admin)):
            out(line)
        out("")
        erp = f"{settings.ERP_URL.rstrip('/')}/{settings.ERP_DATABASE}/"
        for line in table(
            [
                ["Platform", "Address"],
                ["Admin (Wagtail)", f"{admin}/admin/"],
                ["Store directory", f"{admin}/"],
                ["Health", f"{admin}/healthz"],
                ["Reference ERP", f"{erp} (Tryton JSON-RPC, user {settings.ERP_USER})"],
            ]
        ):
            out(line)
        out("")
        port = settings.STOREFLEET_PUBLIC_PORT or 80
        first = stores[0].hostname if stores else "ferrum.localhost"
        out("*.localhost names resolve to this machine in Chromium and Firefox; with curl send")
        out(f"the Host header: curl -H 'Host: {first}:{port}' http://127.0.0.1:{port}/")
        out("Stop everything with Ctrl-C.")
        out("")

    def _user_rows(self, stores: list[Any], admin: str) -> list[list[str]]:
        """The demo users that exist now, what each does and where each signs in."""
        users = get_user_model().objects
        sign_in = f"{admin}/admin/"
        rows = [["User", "Role", "Signs in at"]]
        if users.filter(username="platform").exists():
            rows.append(["platform", "platform IT (superuser): every store, sites, users", sign_in])
        for store in stores:
            username = f"{store.slug}.editor"
            if users.filter(username=username).exists():
                rows.append([username, f"marketing editor of {store.name} only", sign_in])
        if users.filter(username="regional.manager").exists():
            rows.append(["regional.manager", "launches stores: admin > Launch a store", sign_in])
        if users.filter(username="service.agent").exists():
            rows.append(["service.agent", "customer service: admin > Customer service", sign_in])
        by_slug = {store.slug: store for store in stores}
        memberships = Membership.objects.select_related("user", "company").filter(
            user__username__endswith=".buyer"
        )
        for membership in memberships.order_by("user__username"):
            username = membership.user.username
            store = by_slug.get(username.removesuffix(".buyer"))
            if store is None:
                continue
            company = membership.company
            rows.append(
                [
                    username,
                    f"{membership.get_role_display().lower()} of {company.code} {company.name}",
                    f"{store.base_url}/account/sign-in/",
                ]
            )
        return rows

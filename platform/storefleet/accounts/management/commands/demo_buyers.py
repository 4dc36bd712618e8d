"""Once the reference ERP answers: mirror its catalog and customers, let the European customers
buy in the Ferrum store and the American ones in Hydra, and give one company of each a demo
company admin. Idempotent; `make demo` runs it next to the servers."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from storefleet.accounts.models import Company, MemberRole, Membership
from storefleet.accounts.services import company_stores_set, membership_create
from storefleet.erp.errors import ErpError
from storefleet.erp.gateway import get_gateway
from storefleet.erp.sync import erp_sync
from storefleet.tenants.models import Store

DEMO_PASSWORD = "storefleet-demo"  # noqa: S105 - documented demo credential, local only
DEMO_BUYERS = {"ferrum": "C-1001", "hydra": "C-1006"}
NORTH_AMERICA = {"US", "CA"}


class Command(BaseCommand):
    help = "Sync the ERP, open the demo stores to its customers and create demo buyers."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--wait", type=int, default=600, help="Seconds to wait for the ERP.")

    def handle(self, *args: Any, wait: int, **options: Any) -> None:
        deadline = time.monotonic() + wait
        while True:
            try:
                get_gateway().test_connection()
                break
            except ErpError as error:
                if time.monotonic() > deadline:
                    message = f"The ERP did not answer within {wait} s: {error}"
                    raise CommandError(message) from error
                time.sleep(5)
        for name in ("products", "customers"):
            report = erp_sync(name=name, full=True)
            # The worker may be running beat's sync of the same kind right now (it holds the
            # lock): wait for it to finish rather than give buyers to companies not mirrored yet.
            while report.skipped:
                if time.monotonic() > deadline:
                    raise CommandError(f"The ERP {name} sync stayed locked for {wait} s.")
                time.sleep(1)
                report = erp_sync(name=name, full=True)
            self.stdout.write(f"ERP sync: {report.records} {name}")
        stores = {store.slug: store for store in Store.objects.filter(slug__in=DEMO_BUYERS)}
        for company in Company.objects.prefetch_related("addresses"):
            american = any(a.country in NORTH_AMERICA for a in company.addresses.all())
            store = stores.get("hydra" if american else "ferrum")
            if store is not None:
                company_stores_set(company=company, stores=[store])
        users = get_user_model()
        for slug, code in DEMO_BUYERS.items():
            buyer_company = Company.objects.filter(code=code).first()
            if buyer_company is None or slug not in stores:
                continue
            username = f"{slug}.buyer"
            user = users.objects.filter(username=username).first()
            if user is None:
                user = users.objects.create_user(
                    username, f"{username}@storefleet.example", DEMO_PASSWORD
                )
            if not Membership.objects.filter(user=user).exists():
                membership_create(company=buyer_company, user=user, role=MemberRole.ADMIN)
            self.stdout.write(
                f"Demo buyer {username} / {DEMO_PASSWORD}: company admin of {buyer_company.code} "
                f"{buyer_company.name}, signs in at {stores[slug].base_url}/account/sign-in/"
            )

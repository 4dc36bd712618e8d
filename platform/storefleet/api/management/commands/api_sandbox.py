"""``manage.py api_sandbox <store-slug> [--company CODE]``: a partner's sandbox of a store in one
command — launched if it is not yet, then a fresh sandbox key, the base URL and a curl to try."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from storefleet.accounts.models import Company
from storefleet.api.sandbox import sandbox_key_create, sandbox_store_launch
from storefleet.errors import ApplicationError
from storefleet.tenants.models import Store


class Command(BaseCommand):
    help = "Make (or reuse) the sandbox of a store and print a fresh sandbox API key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("store", help="the slug of the store to make a sandbox of")
        parser.add_argument(
            "--company", help="the ERP customer number the key acts for (default: the first)"
        )

    def handle(self, *args: Any, store: str, company: str | None, **options: Any) -> None:
        source = Store.objects.filter(slug=store).first()
        if source is None:
            raise CommandError(f"No store '{store}': name one of {_slugs()}.")
        chosen = None
        if company:
            chosen = Company.objects.filter(code=company).first()
            if chosen is None:
                raise CommandError(f"No company '{company}': give an ERP customer number.")
        try:
            sandbox = sandbox_store_launch(source=source)
            made = sandbox_key_create(store=sandbox, company=chosen)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Sandbox: {sandbox.name} ({sandbox.slug})")
        self.stdout.write(f"Acts for: {made.company.code} {made.company.name}")
        self.stdout.write(f"Base URL: {made.base_url}")
        self.stdout.write(f"Key (shown once, valid 30 days): {made.text}")
        self.stdout.write(f"Try: {made.example_curl()}")


def _slugs() -> str:
    return ", ".join(Store.objects.filter(sandbox=False).values_list("slug", flat=True)) or "none"

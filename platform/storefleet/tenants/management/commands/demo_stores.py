"""Create the demo brand stores, their content and one user per role (idempotent)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from storefleet.brand.demo import DEMO_BRANDS, seed_store_content
from storefleet.tenants.models import Store, StoreStatus
from storefleet.tenants.services import StoreSpec, store_create, store_editor_add

DEMO_PASSWORD = "storefleet-demo"  # noqa: S105 - documented demo credential, local only
DEMO_REGIONS = {
    "ferrum": ("Ferrum Industrial", "Europe", "EUR", "DE", "de"),
    "hydra": ("Hydra Flow", "North America", "USD", "US", "en"),
}


class Command(BaseCommand):
    help = "Create the demo stores (ferrum, hydra) with content, and demo users for each role."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--domain",
            default="localhost",
            help="Stores are served on <slug>.<domain> (default: localhost).",
        )

    @transaction.atomic
    def handle(self, *args: Any, domain: str, **options: Any) -> None:
        user_model = get_user_model()
        if not user_model.objects.filter(username="platform").exists():
            user_model.objects.create_superuser(
                "platform",
                "platform@storefleet.example",
                DEMO_PASSWORD,
                first_name="Pat",
                last_name="Platform-IT",
            )
        for brand in DEMO_BRANDS:
            store = Store.objects.filter(slug=brand.slug).first()
            if store is None:
                brand_name, region, currency, country, language = DEMO_REGIONS[brand.slug]
                store = store_create(
                    spec=StoreSpec(
                        slug=brand.slug,
                        name=brand.name,
                        brand=brand_name,
                        region=region,
                        hostname=f"{brand.slug}.{domain}",
                        currency=currency,
                        country=country,
                        default_language=language,
                        status=StoreStatus.LIVE,
                    )
                )
                self.stdout.write(f"Created store {store.name} on {store.site.hostname}")
            seed_store_content(site=store.site, collection=store.collection, brand=brand)
            username = f"{brand.slug}.editor"
            editor = user_model.objects.filter(username=username).first()
            if editor is None:
                editor = user_model.objects.create_user(
                    username,
                    f"{username}@storefleet.example",
                    DEMO_PASSWORD,
                    first_name=brand.name.split()[0],
                    last_name="Marketing",
                )
            store_editor_add(store=store, user=editor)
        self.stdout.write(self.style.SUCCESS("Demo stores ready."))

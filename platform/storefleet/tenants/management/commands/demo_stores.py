"""Launch the demo stores declared in brands/ through the provisioning pipeline, and create one
user per role (idempotent: a live store is left as it is)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from storefleet.provisioning.demo import DEMO_PASSWORD, demo_setup

__all__ = ["DEMO_PASSWORD", "Command"]


class Command(BaseCommand):
    help = "Launch the demo stores (brands/ferrum, brands/hydra) and create demo users."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--check-erp",
            action="store_true",
            help="Check each store's ERP mapping against the running ERP (off: make demo "
            "launches the stores before the ERP starts).",
        )

    def handle(self, *args: Any, check_erp: bool, **options: Any) -> None:
        result = demo_setup(check_erp=check_erp)
        for run in result.runs:
            if run.status != "succeeded":
                raise CommandError(f"Launching {run.slug} failed: {run.error}")
            changed = [s.name for s in run.steps.all() if s.status == "succeeded"]
            self.stdout.write(f"{run.slug}: run {run.pk} {run.status} ({', '.join(changed)})")
        self.stdout.write(self.style.SUCCESS("Demo stores ready."))

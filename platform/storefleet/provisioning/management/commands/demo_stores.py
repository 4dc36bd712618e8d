"""Launch the demo stores declared in brands/ through the provisioning pipeline, and create one
user per role (idempotent: a live store is left as it is)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from storefleet.provisioning.demo import DEMO_PASSWORD, demo_setup
from storefleet.tenants.services import store_sites_port_sync

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
        # The pipeline's steps run in this process (the worker is not up yet): one line per run
        # below says what happened, not one per task.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        result = demo_setup(check_erp=check_erp)
        for run in result.runs:
            if run.status != "succeeded":
                raise CommandError(f"Launching {run.slug} failed: {run.error}")
            changed = [s.name for s in run.steps.all() if s.status == "succeeded"]
            self.stdout.write(f"{run.slug}: run {run.pk} {run.status} ({', '.join(changed)})")
        # make demo may run on another PORT than last time: the stores' Sites follow it.
        moved = store_sites_port_sync()
        if moved:
            port = settings.STOREFLEET_PUBLIC_PORT
            self.stdout.write(f"{moved} store site(s) now on port {port}")
        self.stdout.write(self.style.SUCCESS("Demo stores ready."))

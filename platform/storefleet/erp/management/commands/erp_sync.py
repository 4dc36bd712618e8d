"""Sync the ERP's products and customers (and, with ``--only sales``, the customers' sales)
into the platform (``--full`` from the beginning)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from storefleet.erp.errors import ErpError
from storefleet.erp.sync import erp_sync, sync_kinds


class Command(BaseCommand):
    help = "Mirror products and customers (with addresses) from the ERP; --full re-reads all."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--full", action="store_true", help="Start from the beginning.")
        parser.add_argument(
            "--only",
            choices=sorted(kind.name for kind in sync_kinds()),
            help="One kind only (each app that mirrors something registers its kind).",
        )

    def handle(self, *args: Any, full: bool, only: str | None, **options: Any) -> None:
        for name in [only] if only else ["products", "customers"]:
            try:
                report = erp_sync(name=name, full=full)
            except ErpError as error:
                raise CommandError(f"{name}: {error}") from error
            if report.skipped:
                self.stdout.write(f"{name}: another sync is running; nothing done")
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{name}: {report.records} records in {report.batches} batches, "
                        f"{report.seconds:.1f} s"
                    )
                )

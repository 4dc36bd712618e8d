"""The ``burst`` fixture of the fault tests (tests/ordering/faults/burst.py: what they share).

The fault tests are split by kind into modules of their own, so that pytest-xdist can run them
on different workers at once: each module has its own ERP (``fresh_erp_server``), as the one
module had before."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.db import connection

from tests.worker_support import PLATFORM, database_url, shared_broker

from .burst import LEASE_SECONDS, SWEEP_SECONDS, Burst


@pytest.fixture
def burst(settings, shop, tmp_path) -> Iterator[Burst]:
    """The shop, a worker process on the same database and broker, and short leases."""
    settings.OUTBOX_LEASE_SECONDS = LEASE_SECONDS
    settings.ERP_BREAKER_COOLDOWN_SECONDS = 1
    server = shop.server
    with shared_broker(tmp_path) as broker_env:
        env = {
            **os.environ,
            **broker_env,
            "DJANGO_SETTINGS_MODULE": "storefleet.settings.test",
            "PYTHONPATH": str(PLATFORM),
            "DATABASE_URL": database_url(connection.settings_dict),
            "ERP_URL": server.url,
            "ERP_DATABASE": server.database,
            "ERP_USER": server.user,
            "STOREFLEET_ERP_PASSWORD": server.password,
            "ERP_RETRY_ATTEMPTS": "2",
            "ERP_RETRY_BACKOFF_SECONDS": "0",
            "ERP_CONNECT_TIMEOUT_SECONDS": "1",
            "ERP_BREAKER_FAILURE_THRESHOLD": "3",
            "ERP_BREAKER_COOLDOWN_SECONDS": "1",
            "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
            "OUTBOX_SWEEP_SECONDS": str(SWEEP_SECONDS),
            "ERP_SYNC_PRODUCTS_SECONDS": "3600",
            "ERP_SYNC_CUSTOMERS_SECONDS": "3600",
        }
        burst = Burst(shop=shop, tmp_path=tmp_path, worker_env=env, workers=[])
        try:
            yield burst
        finally:
            # Every message is done by now (or the test failed): a worker that takes longer
            # than a few seconds to shut down warm (its beat, on a loaded machine, took the
            # whole 30 s) has nothing left to hand back, and is killed.
            for worker in burst.workers:
                worker.stop(timeout=5)
            from storefleet.celery import app

            app.control.purge()  # what the workers left queued must not reach later tests

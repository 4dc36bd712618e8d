"""The launch pipeline as a Celery chain consumed by a real worker from the configured broker."""

from __future__ import annotations

import itertools
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client

from storefleet.celery import app
from storefleet.provisioning.models import ProvisioningRun, RunStatus
from storefleet.provisioning.services import store_launch
from storefleet.tenants.models import Store, StoreStatus

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("wagtail_roots_restored"),
]


def wait_for(run: ProvisioningRun, timeout: float = 60) -> ProvisioningRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run.pk} still {run.status} after {timeout} s")


def test_a_worker_runs_the_launch_chain_step_by_step(render_brand):
    folder = render_brand("ostwind")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        run = wait_for(store_launch(path=folder, check_erp=False))

    assert run.status == RunStatus.SUCCEEDED
    assert [(s.name, s.status, s.attempts) for s in run.steps.all()] == [
        ("register", "succeeded", 1),
        ("erp", "skipped", 1),
        ("infrastructure", "succeeded", 1),
        ("content", "succeeded", 1),
        ("languages", "unchanged", 1),
        ("customers", "unchanged", 1),
        ("people", "unchanged", 1),
        ("smoke_test", "succeeded", 1),
        ("live", "succeeded", 1),
    ]
    steps = list(run.steps.all())
    assert all(a.finished_at <= b.started_at for a, b in itertools.pairwise(steps))
    assert Store.objects.get(slug="ostwind").status == StoreStatus.LIVE
    assert Client().get("/", HTTP_HOST="ostwind.localhost").status_code == 200

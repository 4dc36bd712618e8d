"""The worker path, left on: deliveries carried by a real Celery worker in a process of its own
through the outbox's task (sent on commit), retried by the task itself after a 500 (the kind's
retry_at, within the lease) and by the sweeper after the receiver was down — the receiver gets
every event, once it is back, under one delivery id each. The other tests run the outbox's
processing by hand; this one proves the same deliveries arrive without that shortcut."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from django.db import connection

from storefleet.outbox.models import Message
from storefleet.webhooks.models import Delivery, DeliveryState
from tests.worker_support import PLATFORM, WorkerProcess, database_url, shared_broker

from .conftest import emit, subscribe

pytestmark = pytest.mark.django_db(transaction=True)

STALL_SECONDS = 120


@pytest.fixture
def worker(tmp_path) -> Iterator[WorkerProcess]:
    with shared_broker(tmp_path) as broker_env:
        env = {
            **os.environ,
            **broker_env,
            "DJANGO_SETTINGS_MODULE": "storefleet.settings.test",
            "PYTHONPATH": str(PLATFORM),
            "DATABASE_URL": database_url(connection.settings_dict),
            "WEBHOOK_BACKOFF_BASE_SECONDS": "0.2",
            "WEBHOOK_BACKOFF_MAX_SECONDS": "2",
            "OUTBOX_LEASE_SECONDS": "20",
            "ERP_SYNC_PRODUCTS_SECONDS": "3600",
            "ERP_SYNC_CUSTOMERS_SECONDS": "3600",
            "ERP_SYNC_SALES_SECONDS": "3600",
            "OUTBOX_SWEEP_SECONDS": "1",
        }
        process = WorkerProcess(
            env,
            tmp_path / "worker.log",
            args=("-B", "--pool=solo", f"--schedule={tmp_path / 'beat'}"),
        )
        process.start()
        try:
            yield process
        finally:
            process.stop()
            from storefleet.celery import app

            app.control.purge()


def expect_all_delivered(process: WorkerProcess) -> None:
    pending = Delivery.objects.filter(state=DeliveryState.PENDING)
    deadline = time.monotonic() + STALL_SECONDS
    while pending.exists():
        if time.monotonic() > deadline:
            pytest.fail(
                f"still pending: {list(pending.values('id', 'attempts', 'last_error'))}, "
                f"messages {list(Message.objects.values('subject', 'attempts', 'state'))}\n"
                + process.log()[-4000:]
            )
        time.sleep(0.2)


def test_a_worker_delivers_retries_and_delivers_once_the_receiver_is_back(
    shop, receiver, worker, settings
):
    subscribe(shop, receiver, events=["order.placed"])
    first = emit(shop, subject="order:W-1")
    expect_all_delivered(worker)
    receiver.mode = "fail"
    second = emit(shop, subject="order:W-2")
    while not receiver.received[1:]:
        time.sleep(0.1)
    receiver.mode = "ok"  # the task's own retry (retry_at within the lease) brings it
    expect_all_delivered(worker)
    receiver.down()
    third = emit(shop, subject="order:W-3")
    while not Delivery.objects.filter(id=third[0].id, attempts__gte=1).exists():
        time.sleep(0.1)
    receiver.up()
    expect_all_delivered(worker)
    made = [str(d.uuid) for d in (*first, *second, *third)]
    assert sorted(receiver.accepted()) == sorted(made)  # each once, once it was back
    assert all(r.valid for r in receiver.received)
    assert Delivery.objects.get(id=second[0].id).attempts >= 2
    assert Delivery.objects.get(id=third[0].id).attempts >= 2

"""Faults during a burst of 24 orders carried into the real ERP by a real Celery worker in a
process of its own (tests/ordering/faults/burst.py): the ERP stopped and started again, or the
worker killed with SIGKILL and another one started; and a task meeting its own resend."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from storefleet.ordering.outbox_kinds import SUBMIT_ORDER
from storefleet.ordering.submission import outbox_sweep
from storefleet.outbox.models import Message
from storefleet.outbox.tasks import messages_sweep_task

from .burst import BUYERS, check_erp_stopped_and_started_mid_burst, check_worker_killed_mid_burst

pytestmark = pytest.mark.django_db(transaction=True)


def test_erp_stopped_and_started_mid_burst_ends_with_one_sale_per_order(burst):
    check_erp_stopped_and_started_mid_burst(burst, SUBMIT_ORDER)


def test_worker_killed_mid_burst_ends_with_one_sale_per_order(burst):
    check_worker_killed_mid_burst(burst, SUBMIT_ORDER)


def test_the_sweeper_can_be_sent_to_the_broker():
    """Beat sends it with the task's own time limits: a soft limit above the hard one (the
    global soft limit over the task's hard one) made Celery refuse to send it at all."""
    from storefleet.celery import app

    app.control.purge()  # what earlier tests sent and nobody consumed
    messages_sweep_task.apply_async()  # refused before it reached the broker, it raised
    assert app.control.purge() == 1  # it is in the queue (and taken out: nobody consumes it)


def test_a_task_and_its_resend_running_at_the_same_moment_make_one_sale(burst):
    """A task that waited in the queue past its lease, and the sweeper's re-send of it, reach
    the two processes of one worker together: only one of them may submit."""
    before = {sale["id"] for sale in burst.erp_sales()}
    orders = []
    for index in range(6):
        code = BUYERS[index % len(BUYERS)]
        burst.fill(code)
        orders.append(burst.checkout(code, f"pair-{index}"))
        # Its lease runs out while it waits in the queue: the sweeper sends it again, right
        # behind the order's own task, and a worker takes the two together.
        Message.objects.filter(kind=SUBMIT_ORDER, subject=orders[-1].id).update(
            next_try_at=timezone.now()
        )
        assert outbox_sweep() == 1
    burst.start_worker()
    burst.wait_until_done()
    numbers = {order.number for order in orders}
    new = [sale for sale in burst.erp_sales() if sale["id"] not in before]
    keys = Counter(sale["description"].removeprefix("storefleet:") for sale in new)
    assert keys == Counter(numbers)

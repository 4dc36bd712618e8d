"""Faults during a burst of 14 payments recorded, carried into the real ERP by a real Celery
worker in a process of its own (tests/ordering/faults/burst.py): the ERP stopped and started
again, or the worker killed with SIGKILL and another one started. Either way: one payment move
per payment."""

from __future__ import annotations

import pytest

from storefleet.billing.outbox_kinds import RECORD_PAYMENT

from .burst import check_erp_stopped_and_started_mid_burst, check_worker_killed_mid_burst

pytestmark = pytest.mark.django_db(transaction=True)


def test_erp_stopped_and_started_mid_burst_ends_with_one_payment_move_per_payment(burst):
    check_erp_stopped_and_started_mid_burst(burst, RECORD_PAYMENT)


def test_worker_killed_mid_burst_ends_with_one_payment_move_per_payment(burst):
    check_worker_killed_mid_burst(burst, RECORD_PAYMENT)

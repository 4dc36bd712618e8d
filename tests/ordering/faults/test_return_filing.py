"""Faults during a burst of 14 returns filed, carried into the real ERP by a real Celery worker in a
process of its own (tests/ordering/faults/burst.py): the ERP stopped and started again, or the
worker killed with SIGKILL and another one started. Either way: one complaint per return."""

from __future__ import annotations

import pytest

from storefleet.ordering.outbox_kinds import FILE_RETURN

from .burst import check_erp_stopped_and_started_mid_burst, check_worker_killed_mid_burst

pytestmark = pytest.mark.django_db(transaction=True)


def test_erp_stopped_and_started_mid_burst_ends_with_one_complaint_per_return(burst):
    check_erp_stopped_and_started_mid_burst(burst, FILE_RETURN)


def test_worker_killed_mid_burst_ends_with_one_complaint_per_return(burst):
    check_worker_killed_mid_burst(burst, FILE_RETURN)

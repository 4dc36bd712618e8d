"""The messages of ordering's and billing's own outboxes move into the one outbox (issue 16):
pending, in-flight, refused, cancelled and done rows alike, with their attempts, leases,
errors and times, under the keys the ERP dedupes by. Run with Django's migration executor:
the old tables are made again, filled, and migrated forward."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from storefleet.accounts.models import Address, Company
from storefleet.billing.models import Payment
from storefleet.ordering.models import Order, ReturnRequest
from storefleet.outbox.models import Message, State
from storefleet.outbox.processing import message_claim

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("ordering", "0005_backorder_choice"),
    ("billing", "0001_initial"),
    ("outbox", "0001_messages"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def test_every_message_of_the_old_outboxes_moves_with_its_state_and_key(ferrum):
    company = Company.objects.create(
        erp_id=9001, code="C-9001", name="Test company", erp_write_date=timezone.now()
    )
    address = Address.objects.create(erp_id=99001, company=company, name="Dock 1")
    orders = [
        Order.objects.create(
            number=f"FER-OLD{n}",
            ship_to=address,
            store=ferrum.store,
            company=company,
            submit_token=f"old-{n}",
            currency="EUR",
        )
        for n in range(1, 5)
    ]
    returned = ReturnRequest.objects.create(
        number="RET-OLD1",
        store=ferrum.store,
        company=company,
        submit_token="ret-old-1",
        order=orders[3],
        order_number="SO-00042",
        reason="damaged",
    )
    payments = [
        Payment.objects.create(
            reference=f"P-OLD{n}",
            store=ferrum.store,
            company=company,
            invoice_numbers=[f"INV-{n}"],
            amount=Decimal("10.00"),
            currency="EUR",
            provider="sandbox",
            idempotency_key=f"storefleet-pay-old{n}",
        )
        for n in (1, 2)
    ]
    old = _migrate(BEFORE)
    OrderOutbox = old.get_model("ordering", "OutboxMessage")
    PaymentOutbox = old.get_model("billing", "OutboxMessage")
    now = timezone.now().replace(microsecond=0)
    later = now + datetime.timedelta(seconds=120)
    rows = [  # (kind, order, return, attempts, last_error, done_at)
        ("order.submit", orders[0], None, 0, "", None),  # waiting for its first run
        ("order.submit", orders[1], None, 3, "Connection refused", None),  # the ERP was away
        ("order.submit", orders[2], None, 1, "", now),  # confirmed
        ("order.submit", orders[3], None, 0, "cancelled by the buyer before it was sent", now),
        ("return.file", orders[3], returned, 0, "", None),
    ]
    for kind, order, ret, attempts, error, done_at in rows:
        OrderOutbox.objects.create(
            kind=kind,
            order_id=order.id,
            return_request_id=ret.id if ret else None,
            available_at=later,
            attempts=attempts,
            last_error=error,
            done_at=done_at,
        )
    PaymentOutbox.objects.create(payment_id=payments[0].id, available_at=later, attempts=2)
    PaymentOutbox.objects.create(
        payment_id=payments[1].id,
        available_at=later,
        attempts=1,
        last_error="Invoice(s) INV-2 are not open for C-9001.",
        done_at=now,
    )

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = {
        (m.kind, m.subject): (m.key, m.state, m.attempts, m.last_error, m.done_at, m.leased_until)
        for m in Message.objects.all()
    }
    assert moved == {
        ("order.submit", str(orders[0].id)): ("FER-OLD1", State.PENDING, 0, "", None, None),
        ("order.submit", str(orders[1].id)): (
            "FER-OLD2",
            State.PENDING,
            3,
            "Connection refused",
            None,
            later,
        ),
        ("order.submit", str(orders[2].id)): ("FER-OLD3", State.DONE, 1, "", now, later),
        ("order.submit", str(orders[3].id)): (
            "FER-OLD4",
            State.CANCELLED,
            0,
            "cancelled by the buyer before it was sent",
            now,
            None,
        ),
        ("return.file", str(returned.id)): ("RET-OLD1", State.PENDING, 0, "", None, None),
        ("payment.record", str(payments[0].id)): (
            "storefleet-pay-old1",
            State.PENDING,
            2,
            "",
            None,
            later,
        ),
        ("payment.record", str(payments[1].id)): (
            "storefleet-pay-old2",
            State.FAILED,
            1,
            "Invoice(s) INV-2 are not open for C-9001.",
            now,
            later,
        ),
    }
    assert set(Message.objects.values_list("next_try_at", flat=True)) == {later}
    # The tasks queued before the move carried claims the moved rows still honour: the first
    # run's claim (0) takes the message up, a stale one waits for the lease to run out.
    first = Message.objects.get(kind="order.submit", subject=str(orders[0].id))
    away = Message.objects.get(kind="order.submit", subject=str(orders[1].id))
    assert message_claim(message_id=away.id, claim=1) is None
    assert message_claim(message_id=away.id, claim=3) is not None
    assert message_claim(message_id=first.id, claim=0) is not None

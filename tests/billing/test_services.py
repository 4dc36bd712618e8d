"""Paying open invoices against the real ERP: the sandbox's signed events, duplicate, shuffled
and late deliveries, and bad input that must leave nothing behind."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from storefleet.accounts.principal import Principal
from storefleet.billing import services
from storefleet.billing.models import Payment, PaymentStatus, ProcessedEvent
from storefleet.billing.providers import InvalidEvent
from storefleet.billing.services import InvoiceChoice
from storefleet.erp.errors import ErpUnavailable
from storefleet.errors import ApplicationError
from storefleet.money import format_money
from storefleet.outbox.models import Message

from .conftest import URLS, deliver, eur, run_outbox, seeded_invoices, start

pytestmark = pytest.mark.django_db


def erp_payment_moves(shop, payment: Payment) -> list[dict]:
    """The payment's moves in the ERP: one per invoice, each under ``<key>/<invoice>``."""
    return shop.server.client().search_read(
        "account.move",
        [["description", "like", f"storefleet:{payment.idempotency_key}/%"]],
        ["id"],
    )


def test_bad_input_says_what_to_do_and_records_nothing(shop, fresh_erp_server):
    own = seeded_invoices(fresh_erp_server, "C-1002")
    others = seeded_invoices(fresh_erp_server, "C-1003")
    open_now = {i.number: i for i in shop.gateway.open_invoices(customer="C-1002")}
    cases = [
        ((), "Pick at least one invoice to pay."),
        (
            (InvoiceChoice(others[0]),),
            f"Invoice “{others[0]}” is not one of your open invoices: it may have been paid "
            "already. Reload the list and pick again.",
        ),
        (
            (InvoiceChoice(own[0]), InvoiceChoice("INV-9999-99999")),
            "Invoice “INV-9999-99999” is not one of your open invoices",
        ),
        (
            (InvoiceChoice(own[0], open_now[own[0]].amount_to_pay.amount - Decimal("0.01")),),
            # Both amounts in the store's notation, as the invoice list shows them.
            f"The amount to pay for invoice “{own[0]}” is now "
            f"{format_money(open_now[own[0]].amount_to_pay.amount, 'EUR')}, not "
            f"{format_money(open_now[own[0]].amount_to_pay.amount - Decimal('0.01'), 'EUR')}: "
            "check the list and pay again.",
        ),
    ]
    for choices, message in cases:
        with pytest.raises(ApplicationError) as refused:
            start(shop, "C-1002", *choices)
        assert refused.value.message.startswith(message)
    assert Payment.objects.count() == 0
    assert [i.number for i in shop.gateway.open_invoices(customer="C-1002")] == own


def test_only_a_buyer_starts_a_payment_and_an_agent_in_the_console_records_nothing(shop):
    buyer = shop.membership("C-1002")
    agent = Principal.for_agent(agent=buyer.user, company=buyer.company, store=shop.store)
    with pytest.raises(ApplicationError) as refused:
        services.payment_start(principal=agent, choices=[InvoiceChoice("INV-00001")], urls=URLS)
    assert refused.value.code == "not_a_buyer"
    assert Payment.objects.count() == 0


def test_a_forged_or_stale_signature_is_refused(shop, sandbox, fresh_erp_server):
    own = seeded_invoices(fresh_erp_server, "C-1002")
    payment = start(shop, "C-1002", InvoiceChoice(own[0]))
    signed = sandbox.event_sign(
        outcome="pay",
        session_id=payment.provider_session_id,
        payment_id=payment.id,
        amount=eur(str(payment.amount)),
    )
    forged = signed.payload.replace(b'"paid"', b'"paid" ')
    stale = sandbox.event_sign(
        outcome="pay",
        session_id=payment.provider_session_id,
        payment_id=payment.id,
        amount=eur(str(payment.amount)),
        timestamp=int(payment.created_at.timestamp()) - 3600,
    )
    for payload, signature in [
        (forged, signed.signature),
        (stale.payload, stale.signature),
        (signed.payload, ""),
    ]:
        with pytest.raises(InvalidEvent):
            services.payment_webhook_receive(
                provider_name="sandbox", payload=payload, signature=signature
            )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert (ProcessedEvent.objects.count(), Message.objects.count()) == (0, 0)


def test_an_expired_session_is_marked_expired_and_records_nothing(shop, sandbox, fresh_erp_server):
    (invoice,) = seeded_invoices(fresh_erp_server, "C-1001")
    payment = start(shop, "C-1001", InvoiceChoice(invoice))
    deliver(sandbox, payment, "expire")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.EXPIRED
    assert (Message.objects.count(), run_outbox()) == (0, 0)
    assert [i.number for i in shop.gateway.open_invoices(customer="C-1001")] == [invoice]
    assert erp_payment_moves(shop, payment) == []


def test_paying_two_invoices_records_one_payment_however_events_arrive(
    shop, sandbox, fresh_erp_server, django_capture_on_commit_callbacks
):
    own = seeded_invoices(fresh_erp_server, "C-1002")
    assert len(own) == 2
    before = shop.gateway.credit_status(customer="C-1002")
    invoices = shop.gateway.open_invoices(customer="C-1002")
    assert [i.number for i in invoices] == own
    total = invoices[0].amount_to_pay + invoices[1].amount_to_pay

    payment = start(
        shop,
        "C-1002",
        *(InvoiceChoice(i.number, i.amount_to_pay.amount) for i in reversed(invoices)),
    )
    assert (payment.status, payment.invoice_numbers, payment.amount) == (
        PaymentStatus.PENDING,
        own,
        total.amount,
    )
    assert payment.provider_session_id.startswith("cs_sandbox_")
    assert payment.checkout_url == (
        f"http://ferrum.localhost/account/payments/sandbox/{payment.provider_session_id}/"
    )

    # 8 deliveries: the paid event three times, Stripe's second "paid" event, a decline and an
    # expiry that lost the race, in a shuffled order, the worker running after each one.
    deliveries = [
        ("pay", "evt_paid"),
        ("pay", "evt_paid"),
        ("pay", "evt_paid"),
        ("pay", "evt_paid_again"),
        ("decline", "evt_declined"),
        ("expire", "evt_expired"),
        ("expire", "evt_expired"),
        ("pay", "evt_paid"),
    ]
    random.Random(5).shuffle(deliveries)
    with django_capture_on_commit_callbacks() as dispatched:
        for outcome, event_id in deliveries:
            deliver(sandbox, payment, outcome, event_id=event_id)
            run_outbox()
    # Late: everything once more after the payment is recorded, and the task redelivered.
    for outcome, event_id in deliveries:
        deliver(sandbox, payment, outcome, event_id=event_id)
    run_outbox()
    run_outbox()

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.RECORDED
    assert payment.erp_allocations == [
        {"invoice": i.number, "amount": str(i.amount_to_pay.amount), "remaining": "0.00"}
        for i in invoices
    ]
    assert len(dispatched) == 1  # one outbox row, dispatched once
    assert Message.objects.get().attempts == 1
    assert ProcessedEvent.objects.count() == 4
    assert len(erp_payment_moves(shop, payment)) == 2  # one payment line per invoice
    assert shop.gateway.open_invoices(customer="C-1002") == []
    after = shop.gateway.credit_status(customer="C-1002")
    assert after.available == before.available + total  # type: ignore[operator]
    assert after.used.amount == before.used.amount - total.amount

    # Paying an invoice already paid: refused, nothing recorded twice.
    with pytest.raises(ApplicationError, match=f"Invoice “{own[0]}” is not one of your open"):
        start(shop, "C-1002", InvoiceChoice(own[0]))
    assert Payment.objects.count() == 1
    assert len(erp_payment_moves(shop, payment)) == 2


def test_a_paid_amount_other_than_the_payments_is_not_recorded(shop, sandbox, fresh_erp_server):
    (invoice,) = seeded_invoices(fresh_erp_server, "C-1001")
    payment = start(shop, "C-1001", InvoiceChoice(invoice))
    signed = sandbox.event_sign(
        outcome="pay",
        session_id=payment.provider_session_id,
        payment_id=payment.id,
        amount=eur(str(payment.amount - Decimal("1.00"))),
    )
    services.payment_webhook_receive(
        provider_name="sandbox", payload=signed.payload, signature=signed.signature
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert payment.erp_error == (
        f"the provider reports {payment.amount - Decimal('1.00')} EUR paid, "
        f"not {payment.amount} EUR"
    )
    assert (Message.objects.count(), run_outbox()) == (0, 0)
    assert [i.number for i in shop.gateway.open_invoices(customer="C-1001")] == [invoice]


def test_two_sessions_paid_for_one_invoice_record_it_once(shop, sandbox, fresh_erp_server):
    (invoice,) = seeded_invoices(fresh_erp_server, "C-1001")
    first = start(shop, "C-1001", InvoiceChoice(invoice))
    second = start(shop, "C-1001", InvoiceChoice(invoice))  # another tab, before paying
    deliver(sandbox, first, "pay")
    with pytest.raises(ApplicationError, match="is paid already and being recorded"):
        start(shop, "C-1001", InvoiceChoice(invoice))
    deliver(sandbox, second, "pay")
    run_outbox()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == PaymentStatus.RECORDED
    # The ERP refuses the second: it stays paid, flagged for the service team to refund.
    assert second.status == PaymentStatus.PAID
    assert second.erp_error == f"Invoice(s) {invoice} are not open for C-1001."
    assert (len(erp_payment_moves(shop, first)), erp_payment_moves(shop, second)) == (1, [])
    assert shop.gateway.open_invoices(customer="C-1001") == []


def test_while_the_erp_is_away_nothing_is_started_and_a_paid_payment_waits_in_the_outbox(
    shop, sandbox, settings, fresh_erp_server
):
    # Made directly: starting one needs the ERP, and it is the ERP being away that is tested.
    payment = Payment.objects.create(
        reference="P-OUTBOXWAIT",
        store_id=shop.store.id,
        company=shop.membership("C-1004").company,
        invoice_numbers=["INV-00099"],
        amount=Decimal("10.00"),
        currency="EUR",
        provider="sandbox",
        provider_session_id="cs_sandbox_wait",
        idempotency_key="k-outbox-wait",
    )
    deliver(sandbox, payment, "pay")
    settings.ERP_URL = "http://127.0.0.1:9/"  # nothing listens there
    with pytest.raises(ApplicationError, match="We can't reach our accounting system"):
        start(shop, "C-1002", InvoiceChoice("INV-00005"))
    message = Message.objects.get()
    with pytest.raises(ErpUnavailable):
        services.outbox_process(message_id=message.id)
    message.refresh_from_db()
    payment.refresh_from_db()
    assert (message.done_at, message.attempts, payment.status) == (None, 1, PaymentStatus.PAID)
    assert message.last_error
    assert Payment.objects.count() == 1

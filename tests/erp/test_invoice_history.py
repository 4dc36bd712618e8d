"""The customer's invoice history on the module's own ERP: issued invoices, open and paid,
newest first, in one request; another customer's never."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from storefleet.erp.types import PaymentRequest
from storefleet.money import Money

from .conftest import point_gateway_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(settings, fresh_erp_server):
    return point_gateway_at(settings, fresh_erp_server)


def test_history_holds_open_and_paid_invoices_newest_first(gateway, fresh_erp_server):
    seeded = [i for i in fresh_erp_server.manifest["invoices"] if i["customer"] == "C-1005"]
    gateway.invoice_history(customer="C-1005")  # signs in, learns the customer's id
    calls = gateway.backend.request_count()
    history = gateway.invoice_history(customer="C-1005")
    assert gateway.backend.request_count() - calls == 1
    assert [i.number for i in history] == [i["number"] for i in reversed(seeded)]
    assert {i.customer for i in history} == {"C-1005"}
    newest = history[0]
    gateway.record_payment(
        payment=PaymentRequest(
            customer="C-1005",
            invoice_numbers=(newest.number,),
            amount=newest.amount_to_pay,
            date=datetime.date.today(),
            idempotency_key="history-pay",
        )
    )
    assert gateway.open_invoices(customer="C-1005")[-1].number != newest.number
    again = gateway.invoice_history(customer="C-1005")
    assert [i.number for i in again] == [i.number for i in history]  # paid stays listed
    assert again[0].amount_to_pay == Money(Decimal("0.00"), "EUR")


def test_history_is_limited_and_a_customer_without_invoices_has_none(gateway):
    assert len(gateway.invoice_history(customer="C-1003", limit=2)) == 2
    assert gateway.invoice_history(customer="C-1004") == []

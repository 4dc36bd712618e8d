"""Credit, open invoices, payments and returns on the module's own ERP."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from storefleet.erp.errors import ErpRejected
from storefleet.erp.types import (
    CreditStatus,
    PaymentAllocation,
    PaymentRequest,
    ReasonCode,
    ReturnLine,
    ReturnRequest,
)
from storefleet.money import Money

from .conftest import point_gateway_at


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


@pytest.fixture
def gateway(settings, fresh_erp_server):
    return point_gateway_at(settings, fresh_erp_server)


def test_credit_status(gateway):
    assert gateway.credit_status(customer="C-1003") == CreditStatus(
        "C-1003", eur("5000"), eur("8874.38"), eur("-3874.38")
    )
    assert gateway.credit_status(customer="C-1002") == CreditStatus(
        "C-1002", eur("9913"), eur("9512.50"), eur("400.50")
    )
    assert gateway.credit_status(customer="C-1007") == CreditStatus("C-1007", None, eur("0"), None)


def test_open_invoices_oldest_due_first(gateway, fresh_erp_server):
    seeded = {i["number"]: i for i in fresh_erp_server.manifest["invoices"]}
    invoices = gateway.open_invoices(customer="C-1003")
    assert [(i.number, i.total, i.amount_to_pay, i.overdue) for i in invoices] == [
        ("INV-00001", eur("2704.44"), eur("2704.44"), True),
        ("INV-00003", eur("1891.89"), eur("1891.89"), True),
        ("INV-00008", eur("4278.05"), eur("4278.05"), True),
    ]
    assert [i.due_date for i in invoices] == [
        datetime.date.fromisoformat(seeded[i.number]["due_date"]) for i in invoices
    ]
    partly = gateway.open_invoices(customer="C-1005")
    assert [(i.number, i.amount_to_pay, i.overdue) for i in partly] == [
        ("INV-00002", eur("126.38"), True),
        ("INV-00012", eur("219.20"), False),
    ]
    assert gateway.open_invoices(customer="C-1007") == []


def test_payment_is_applied_oldest_first_and_once_per_key(gateway):
    payment = PaymentRequest(
        customer="C-1005",
        invoice_numbers=("INV-00002", "INV-00012"),
        amount=eur("200.00"),
        date=datetime.date.today(),
        idempotency_key="pay-1",
    )
    result = gateway.record_payment(payment=payment)
    assert result.allocations == (
        PaymentAllocation("INV-00002", eur("126.38"), eur("0.00")),
        PaymentAllocation("INV-00012", eur("73.62"), eur("145.58")),
    )
    assert result.unallocated == eur("0.00")
    again = gateway.record_payment(payment=payment)
    assert (again.allocations, again.unallocated) == ((), eur("0"))
    left = gateway.open_invoices(customer="C-1005")
    assert [(i.number, i.amount_to_pay) for i in left] == [("INV-00012", eur("145.58"))]


def test_payment_of_an_invoice_that_is_not_open_is_refused(gateway):
    with pytest.raises(ErpRejected) as refused:
        gateway.record_payment(
            payment=PaymentRequest(
                "C-1005", ("INV-00001",), eur("10"), datetime.date.today(), "pay-2"
            )
        )
    assert refused.value.reasons == (ReasonCode.NOTHING_TO_PAY,)


def test_return_request_is_a_complaint_once_per_key(gateway, fresh_erp_server):
    sent = fresh_erp_server.manifest["scenarios"]["sales_by_shipment_state"]["sent"][0]
    customer = next(
        s["customer"] for s in fresh_erp_server.manifest["sales"] if s["id"] == sent["id"]
    )
    # The seal line of the sale, as the seed picked it; a return names SKUs that are on it.
    erp = fresh_erp_server.client()
    (sale,) = erp.search_read("sale.sale", [["id", "=", sent["id"]]], ["lines"])
    seal = next(
        line
        for line in erp.model("sale.line", "read", sale["lines"], ["product.code"])
        if line["product."]["code"].startswith("SEA-")
    )
    sku = seal["product."]["code"]
    request = ReturnRequest(
        customer=customer,
        order_number=sent["number"],
        reason="Two seals damaged in transit",
        idempotency_key="ret-1",
        lines=(ReturnLine(sku, Decimal(2)),),
    )
    first = gateway.request_return(request=request)
    second = gateway.request_return(request=request)
    assert (first.created, second.created, first.state) == (True, False, "waiting")
    assert second.erp_id == first.erp_id and first.number
    rows = erp.search_read(
        "sale.complaint",
        [["reference", "=", "storefleet:ret-1"]],
        ["origin", "description", "actions"],
    )
    assert [(r["origin"], r["description"]) for r in rows] == [
        (f"sale.sale,{sent['id']}", f"Two seals damaged in transit\n{sku} × 2")
    ]
    # The quantity is on the complaint's return action, against the sale line.
    asked = erp.search_read(
        "sale.complaint.action-sale.line",
        [["action", "in", rows[0]["actions"]]],
        ["line", "quantity"],
    )
    assert [(a["line"], a["quantity"]) for a in asked] == [(seal["id"], 2.0)]


def test_return_of_an_unconfirmed_order_is_refused(gateway, fresh_erp_server):
    quotation = fresh_erp_server.manifest["scenarios"]["sales_by_shipment_state"]["quotation"][0]
    with pytest.raises(ErpRejected) as refused:
        gateway.request_return(
            request=ReturnRequest("C-1005", quotation["number"], "wrong", "ret-2")
        )
    assert refused.value.reasons == (ReasonCode.NOT_RETURNABLE,)


def test_a_payment_cut_off_after_its_first_invoice_is_finished_by_the_retry(gateway, monkeypatch):
    """Two invoices, one payment: the first is paid, then the connection drops. The retry
    pays the second — not nothing (the key was seen) and not the first again."""
    from storefleet.erp.backends.tryton import accounts
    from storefleet.erp.errors import ErpUnavailable

    customer, invoices = next(
        (code, found)
        for code in ("C-1001", "C-1002", "C-1003", "C-1005", "C-1006")
        if len(found := gateway.open_invoices(customer=code)) >= 2
    )
    numbers = (invoices[0].number, invoices[1].number)
    total = invoices[0].amount_to_pay.amount + invoices[1].amount_to_pay.amount
    payment = PaymentRequest(customer, numbers, eur(str(total)), datetime.date.today(), "pay-cut")
    pay_one = accounts._pay_one
    paid: list[int] = []

    def cut_after_the_first(client, invoice_id, *args):  # type: ignore[no-untyped-def]
        if paid:
            raise ErpUnavailable("connection dropped")
        pay_one(client, invoice_id, *args)
        paid.append(invoice_id)

    monkeypatch.setattr(accounts, "_pay_one", cut_after_the_first)
    monkeypatch.setattr("django.conf.settings.ERP_RETRY_ATTEMPTS", 1)
    with pytest.raises(ErpUnavailable):
        gateway.record_payment(payment=payment)
    monkeypatch.setattr(accounts, "_pay_one", pay_one)
    retried = gateway.record_payment(payment=payment)
    assert [a.invoice_number for a in retried.allocations] == [numbers[1]]
    assert retried.allocations[0].remaining.amount == 0
    left = {i.number for i in gateway.open_invoices(customer=customer)}
    assert not left & set(numbers)
    again = gateway.record_payment(payment=payment)
    assert (again.allocations, again.unallocated) == ((), eur("0"))

"""A quote acceptance goes through the same approval rules as an order: above the limit it
is held (the ERP hears nothing), and the last approval sends it on at exactly the agreed
prices; a rejection puts the quote back to quoted, and accepting it again waits afresh."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404

from storefleet.approvals import selectors, services
from storefleet.approvals.models import ApprovalRequest, ApprovalState
from storefleet.outbox.models import Message
from storefleet.outbox.processing import message_process
from storefleet.quotes import services as quote_services
from storefleet.quotes.kinds import ACCEPT_QUOTE
from storefleet.quotes.models import QuoteState
from tests.quotes.conftest import erp_entered_quotation

from .conftest import HOST, people, principal_of, rule

__all__ = ["people"]

LINES = [("FAS-1003", Decimal(20), Decimal("0.3333")), ("BRG-1003", Decimal(1), Decimal(99))]


def erp_prices(shop, number: str) -> list[tuple[str, Decimal]]:
    rows = shop.server.client().search_read(
        "sale.line",
        [["sale.number", "=", number]],
        ["product.code", "unit_price"],
        order=[["id", "ASC"]],
    )
    return [(r["product."]["code"], r["unit_price"]) for r in rows]


def sale_state(shop, number: str) -> str:
    (row,) = shop.server.client().search_read("sale.sale", [["number", "=", number]], ["state"])
    return row["state"]


def test_an_acceptance_above_the_limit_waits_and_the_approval_orders_the_agreed_prices(
    shop, people
):
    rule("C-1004", "100.00")  # the quote is 105.67
    number = erp_entered_quotation(shop, "C-1004", LINES)
    quote = quote_services.quote_accept(principal=shop.principal("C-1004"), erp_number=number)
    assert quote.state == QuoteState.ACCEPTING
    assert not Message.objects.filter(kind=ACCEPT_QUOTE).exists()
    assert sale_state(shop, number) == "quotation"
    request = ApprovalRequest.objects.get(quote=quote)
    assert (request.reference, request.total) == (f"Q{quote.id}", Decimal("105.666"))
    # Accepting again changes nothing: one approval, no message.
    quote_services.quote_accept(principal=shop.principal("C-1004"), quote_id=quote.id)
    assert ApprovalRequest.objects.filter(quote=quote).count() == 1
    lines = selectors.approval_lines(request=request)
    assert [(line.sku, line.unit_price) for line in lines] == [
        ("FAS-1003", Decimal("0.3333")),
        ("BRG-1003", Decimal("99.0000")),
    ]

    approver = principal_of(shop, people["approver"])
    outcome = services.order_approve(principal=approver, number=request.reference)
    assert outcome.finished and not outcome.changes
    (message,) = Message.objects.filter(kind=ACCEPT_QUOTE)
    assert message.key == f"accept:{quote.key}"
    message_process(message_id=message.id)
    quote.refresh_from_db()
    assert quote.state == QuoteState.ORDERED
    assert sale_state(shop, number) in ("confirmed", "processing")
    assert erp_prices(shop, number) == [(sku, price) for sku, _q, price in LINES]  # no drift


def test_a_rejected_acceptance_puts_the_quote_back_and_a_new_acceptance_waits_again(shop, people):
    rule("C-1004", "100.00")
    number = erp_entered_quotation(shop, "C-1004", LINES)
    quote = quote_services.quote_accept(principal=shop.principal("C-1004"), erp_number=number)
    approver = principal_of(shop, people["approver"])
    services.order_reject(principal=approver, number=f"Q{quote.id}", comment="Too dear")
    quote.refresh_from_db()
    assert quote.state == QuoteState.QUOTED and quote.accepted_at is None
    assert not Message.objects.filter(kind=ACCEPT_QUOTE).exists()
    assert sale_state(shop, number) == "quotation"

    again = quote_services.quote_accept(principal=shop.principal("C-1004"), quote_id=quote.id)
    assert again.state == QuoteState.ACCEPTING
    request = ApprovalRequest.objects.get(quote=quote)
    assert request.state == ApprovalState.PENDING and request.turns.count() == 1
    assert not Message.objects.filter(kind=ACCEPT_QUOTE).exists()


def test_an_acceptance_under_every_limit_goes_straight_on(shop, people):
    rule("C-1004", "1000.00")
    number = erp_entered_quotation(shop, "C-1004", LINES)
    quote = quote_services.quote_accept(principal=shop.principal("C-1004"), erp_number=number)
    assert Message.objects.filter(kind=ACCEPT_QUOTE, subject=str(quote.id)).count() == 1
    assert not ApprovalRequest.objects.exists()


@pytest.mark.parametrize("who", ["other_approver", "other_admin"])
def test_another_companys_approver_cant_find_a_held_acceptance(shop, people, who):
    rule("C-1004", "100.00")
    number = erp_entered_quotation(shop, "C-1004", LINES)
    quote = quote_services.quote_accept(principal=shop.principal("C-1004"), erp_number=number)
    with pytest.raises(Http404):
        services.order_approve(principal=principal_of(shop, people[who]), number=f"Q{quote.id}")
    assert (
        selectors.quote_approval(quote_id=quote.id, company=principal_of(shop, people[who]).company)
        is None
    )
    assert not Message.objects.filter(kind=ACCEPT_QUOTE).exists()


def test_the_buyers_quote_page_says_whose_approval_the_acceptance_waits_for(client, shop, people):
    """Held, the page names the approver (not "being confirmed"); approved, it is confirmed as
    any acceptance; a rejection is shown with its comment, and the quote can be accepted again."""
    rule("C-1004", "100.00")
    number = erp_entered_quotation(shop, "C-1004", LINES)
    quote = quote_services.quote_accept(principal=shop.principal("C-1004"), erp_number=number)
    client.force_login(people["buyer"])
    page = client.get(f"/quotes/{quote.id}/", HTTP_HOST=HOST).content.decode()
    assert 'data-status="awaiting_approval"' in page
    waiting = "Your acceptance waits for approval by admin@c-1004.example, approver@c-1004.example"
    assert waiting in page
    assert "being confirmed" not in page
    assert 'data-status="accepting"' not in page

    approver = principal_of(shop, people["approver"])
    services.order_reject(principal=approver, number=f"Q{quote.id}", comment="Too dear")
    page = client.get(f"/quotes/{quote.id}/", HTTP_HOST=HOST).content.decode()
    assert 'class="approval-rejected"' in page and "<q>Too dear</q>" in page
    assert 'data-status="awaiting_approval"' not in page

    quote_services.quote_accept(principal=shop.principal("C-1004"), quote_id=quote.id)
    services.order_approve(principal=approver, number=f"Q{quote.id}")
    page = client.get(f"/quotes/{quote.id}/", HTTP_HOST=HOST).content.decode()
    assert 'data-status="accepting"' in page  # on its way to the ERP, nobody else to wait on
    assert "waits for approval" not in page and "approval-rejected" not in page

"""Quotes through the real reference ERP and the outbox: a request becomes a quotation there
(once), a quotation a salesperson entered shows up, accepting confirms the ERP sale at its
quoted prices (once, also across an outage), and an expired quote is refused."""

from __future__ import annotations

import dataclasses
import datetime
import secrets
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from storefleet.accounts.principal import Principal
from storefleet.erp.backends.tryton import quotations
from storefleet.erp.errors import ErpRejected, ErpUnavailable
from storefleet.erp.types import QuotationLineRequest, QuotationRequest, ReasonCode
from storefleet.errors import ApplicationError
from storefleet.outbox.models import Message, State
from storefleet.outbox.processing import message_process
from storefleet.quotes import selectors, services
from storefleet.quotes.kinds import ACCEPT_QUOTE, REQUEST_QUOTE
from storefleet.quotes.models import QuoteRequest, QuoteState
from storefleet.quotes.selectors import QuoteStatus

from .conftest import erp_entered_quotation

pytestmark = pytest.mark.django_db


def ask(shop, code: str = "C-1004", **extra) -> QuoteRequest:
    lines = extra.pop(
        "lines",
        (
            services.WantedLine("FAS-1003", Decimal(10), Decimal("0.5"), "Zinc plated"),
            services.WantedLine("BRG-1003", Decimal(2)),
        ),
    )
    return services.quote_request(
        principal=shop.principal(code),
        request=services.QuoteRequestInput(
            token=extra.pop("token", secrets.token_hex(16)),
            lines=lines,
            message=extra.pop("message", "Monthly need"),
            **extra,
        ),
    )


def carry(kind: str, quote: QuoteRequest):  # type: ignore[no-untyped-def]
    message = Message.objects.get(kind=kind, subject=str(quote.id))
    return message_process(message_id=message.id)


def erp_sale(shop, number: str) -> dict:
    (row,) = shop.server.client().search_read(
        "sale.sale",
        [["number", "=", number]],
        ["state", "description", "comment", "lines"],
    )
    return row


def erp_lines(shop, number: str) -> list[tuple[str, Decimal, str]]:
    rows = shop.server.client().search_read(
        "sale.line",
        [["sale.number", "=", number]],
        ["product.code", "unit_price", "note"],
        order=[["id", "ASC"]],
    )
    return [(r["product."]["code"], r["unit_price"], r["note"] or "") for r in rows]


def test_a_request_becomes_a_quotation_in_the_erp_once(shop, validity):
    token = secrets.token_hex(16)
    quote = ask(shop, token=token)
    assert ask(shop, token=token).id == quote.id  # the same form twice: one quote
    assert quote.state == QuoteState.REQUESTED
    assert Message.objects.filter(kind=REQUEST_QUOTE, subject=str(quote.id)).count() == 1
    listing = selectors.quote_list(
        principal=Principal.for_member(store=shop.store, membership=shop.membership("C-1004"))
    )
    assert [v.status for v in listing.quotes if v.quote] == [QuoteStatus.REQUESTED]

    quotation = carry(REQUEST_QUOTE, quote).value
    quote.refresh_from_db()
    assert quote.state == QuoteState.QUOTED and quote.erp_number == quotation.number
    assert quote.expires == timezone.localdate() + datetime.timedelta(days=validity)
    sale = erp_sale(shop, quote.erp_number)
    assert sale["state"] == "quotation"
    assert sale["description"] == f"storefleet:{quote.key}"
    assert sale["comment"] == "Monthly need"
    lines = erp_lines(shop, quote.erp_number)
    assert [(sku, note) for sku, _, note in lines] == [
        ("FAS-1003", "Target price: 0.5\nZinc plated"),
        ("BRG-1003", ""),
    ]
    # A retry of the same key (an answer lost on the way back) finds the sale it made.
    again = shop.gateway.request_quotation(
        request=QuotationRequest(
            customer="C-1004",
            warehouse="WH-EU",
            ship_to_address_id=quote.ship_to.erp_id,
            lines=(QuotationLineRequest("FAS-1003", Decimal(10)),),
            idempotency_key=quote.key,
            currency="EUR",
        )
    )
    assert again.number == quote.erp_number
    assert len(shop.erp_sales(quote.key)) == 1
    listing = selectors.quote_list(
        principal=Principal.for_member(store=shop.store, membership=shop.membership("C-1004"))
    )
    (view,) = [v for v in listing.quotes if v.quote]
    assert view.status == QuoteStatus.QUOTED and view.can_accept
    assert [line.sku for line in view.quotation.lines] == ["FAS-1003", "BRG-1003"]


def test_a_quotation_entered_in_the_erp_shows_up_for_its_company_only(shop):
    number = erp_entered_quotation(shop, "C-1004", [("FAS-1003", Decimal(20), Decimal("0.3333"))])
    mine = selectors.quote_list(
        principal=Principal.for_member(store=shop.store, membership=shop.membership("C-1004"))
    )
    (view,) = [v for v in mine.quotes if v.erp_number == number]
    assert view.from_erp and view.status == QuoteStatus.QUOTED
    assert view.quotation.lines[0].unit_price.amount == Decimal("0.3333")
    for other in ("C-1001", "C-1002"):
        theirs = selectors.quote_list(principal=shop.principal(other))
        assert number not in [v.erp_number for v in theirs.quotes]
        assert selectors.erp_quote_view(principal=shop.principal(other), number=number) is None
        with pytest.raises(ApplicationError) as refused:
            services.quote_accept(
                principal=Principal.for_member(store=shop.store, membership=shop.membership(other)),
                erp_number=number,
            )
        assert refused.value.code == "not_found"
    assert not Message.objects.filter(kind=ACCEPT_QUOTE).exists()


def test_accepting_confirms_the_erp_sale_at_the_quoted_prices_once(shop):
    number = erp_entered_quotation(
        shop,
        "C-1004",
        [("FAS-1003", Decimal(20), Decimal("0.3333")), ("BRG-1003", Decimal(1), Decimal(99))],
    )
    membership = shop.membership("C-1004")
    first = services.quote_accept(
        principal=Principal.for_member(store=shop.store, membership=membership), erp_number=number
    )
    second = services.quote_accept(
        principal=Principal.for_member(store=shop.store, membership=membership), erp_number=number
    )
    by_id = services.quote_accept(
        principal=Principal.for_member(store=shop.store, membership=membership), quote_id=first.id
    )
    assert first.id == second.id == by_id.id and first.state == QuoteState.ACCEPTING
    assert Message.objects.filter(kind=ACCEPT_QUOTE).count() == 1
    order = carry(ACCEPT_QUOTE, first).value
    assert order.number == number and order.created
    assert erp_sale(shop, number)["state"] in ("confirmed", "processing")
    assert [(sku, price) for sku, price, _ in erp_lines(shop, number)] == [
        ("FAS-1003", Decimal("0.3333")),
        ("BRG-1003", Decimal(99)),
    ]
    first.refresh_from_db()
    assert first.state == QuoteState.ORDERED
    # The ERP's own answer to a second confirmation: the same order, nothing new made.
    assert not shop.gateway.accept_quotation(customer="C-1004", number=number).created
    view = selectors.quote_view(
        principal=Principal.for_member(store=shop.store, membership=membership), quote_id=first.id
    )
    assert view.status == QuoteStatus.ORDERED and not view.can_accept


def test_an_expired_quote_cannot_be_accepted_and_says_how_to_renew(shop):
    long_ago = timezone.localdate() - datetime.timedelta(days=40)
    number = erp_entered_quotation(
        shop, "C-1004", [("FAS-1003", Decimal(10), Decimal("0.4"))], quoted_on=long_ago, days=30
    )
    membership = shop.membership("C-1004")
    listing = selectors.quote_list(
        principal=Principal.for_member(store=shop.store, membership=membership)
    )
    (view,) = [v for v in listing.quotes if v.erp_number == number]
    assert view.status == QuoteStatus.EXPIRED and not view.can_accept
    with pytest.raises(ApplicationError) as refused:
        services.quote_accept(
            principal=Principal.for_member(store=shop.store, membership=membership),
            erp_number=number,
        )
    assert refused.value.code == "expired"
    assert "request a new quote" in refused.value.message
    assert not Message.objects.filter(kind=ACCEPT_QUOTE).exists()
    # The ERP refuses it too, should an acceptance reach it (a stale validity read).
    with pytest.raises(ErpRejected) as erp_refusal:
        shop.gateway.accept_quotation(customer="C-1004", number=number)
    assert erp_refusal.value.reasons == (ReasonCode.QUOTE_EXPIRED,)
    # And Tryton itself: asked to confirm past the validity, its sale-date rule refuses.
    backend = shop.gateway.backend
    with pytest.raises(ErpRejected) as tryton_refusal:
        quotations.accept_quotation(backend.client, backend.lookups, "C-1004", number, long_ago)
    assert tryton_refusal.value.reasons == (ReasonCode.QUOTE_EXPIRED,)
    assert erp_sale(shop, number)["state"] == "quotation"


def test_an_acceptance_during_an_erp_outage_makes_one_order_when_it_is_back(shop, validity):
    quote = ask(shop)
    carry(REQUEST_QUOTE, quote)
    quote.refresh_from_db()
    membership = shop.membership("C-1004")
    shop.server.stop()
    try:
        accepted = services.quote_accept(
            principal=Principal.for_member(store=shop.store, membership=membership),
            quote_id=quote.id,
        )
        assert accepted.state == QuoteState.ACCEPTING
        with pytest.raises(ErpUnavailable):
            carry(ACCEPT_QUOTE, quote)
        services.quote_accept(
            principal=Principal.for_member(store=shop.store, membership=membership),
            quote_id=quote.id,
        )
    finally:
        shop.server.start()
    cache.delete_many(["erp:breaker:opened_at", "erp:breaker:failures"])
    message = Message.objects.get(kind=ACCEPT_QUOTE, subject=str(quote.id))
    assert message.attempts == 1 and message.state == State.PENDING
    carry(ACCEPT_QUOTE, quote)
    message.refresh_from_db()
    assert message.state == State.DONE
    assert erp_sale(shop, quote.erp_number)["state"] in ("confirmed", "processing")
    assert len(shop.erp_sales(quote.key)) == 1
    assert QuoteRequest.objects.get(id=quote.id).state == QuoteState.ORDERED


def test_a_request_for_what_the_store_does_not_sell_is_refused_and_nothing_is_saved(shop):
    cases = [
        ((services.WantedLine("NOPE-0000", Decimal(1)),), "We don't sell NOPE-0000"),
        ((), "at least one line"),
        (
            (
                services.WantedLine("FAS-1003", Decimal(1)),
                services.WantedLine("FAS-1003", Decimal(2)),
            ),
            "more than one line",
        ),
    ]
    for lines, expected in cases:
        with pytest.raises(ApplicationError) as refused:
            ask(shop, lines=lines)
        assert expected in refused.value.message
    with pytest.raises(ApplicationError):
        ask(shop, requested_date=timezone.localdate() - datetime.timedelta(days=1))
    other_address = shop.membership("C-1001").company.addresses.first()
    with pytest.raises(ApplicationError) as refused:
        ask(shop, ship_to_id=other_address.id)
    assert refused.value.field == "ship_to"
    assert not QuoteRequest.objects.exists()
    assert not Message.objects.filter(kind=REQUEST_QUOTE).exists()


def test_a_request_the_erp_refuses_is_marked_refused_with_its_reason(shop):
    # The ERP's sales unit of BRG-1003 takes no decimals: the ERP, not the form, refuses it.
    quote = ask(shop, lines=(services.WantedLine("BRG-1003", Decimal("2.5")),))
    outcome = carry(REQUEST_QUOTE, quote)
    assert outcome.state == State.FAILED
    quote.refresh_from_db()
    assert quote.state == QuoteState.REFUSED and quote.error and not quote.erp_number
    assert shop.erp_sales(quote.key) == []  # nothing half-made is left in the ERP
    with pytest.raises(ApplicationError) as refused:
        services.quote_accept(
            principal=Principal.for_member(store=shop.store, membership=shop.membership("C-1004")),
            quote_id=quote.id,
        )
    assert "Request a new quote" in refused.value.message


def test_a_request_is_its_stores_own(shop):
    quote = ask(shop)
    elsewhere = dataclasses.replace(shop.store, id=shop.store.id + 1000)
    there = shop.buyer("C-1004", store=elsewhere)
    assert selectors.quote_view(principal=there, quote_id=quote.id) is None
    # Quotations entered in the ERP are the company's in each of its stores; requests are not.
    listing = selectors.quote_list(principal=there)
    assert all(view.quote is None for view in listing.quotes)
    with pytest.raises(ApplicationError) as refused:
        services.quote_accept(
            principal=Principal.for_member(store=elsewhere, membership=shop.membership("C-1004")),
            quote_id=quote.id,
        )
    assert refused.value.code == "not_found"
    assert selectors.quote_view(principal=shop.principal("C-1004"), quote_id=quote.id) is not None

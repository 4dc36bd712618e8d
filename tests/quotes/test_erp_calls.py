"""How many requests the quote paths send the reference ERP, and that the fewer requests of a
first attempt cost nothing in safety: a request's first take-up does not look for an earlier
sale (there can't be one), a retry after a lost answer still does and finds the sale the first
attempt made (one quotation, never two); an acceptance is not read back after its confirm."""

from __future__ import annotations

import secrets
from decimal import Decimal

import pytest
from django.core.cache import cache

from storefleet.erp.errors import ErpUnavailable
from storefleet.outbox.models import Message, State
from storefleet.outbox.processing import message_process
from storefleet.quotes import services
from storefleet.quotes.kinds import ACCEPT_QUOTE, REQUEST_QUOTE
from storefleet.quotes.models import QuoteRequest, QuoteState

pytestmark = pytest.mark.django_db


def ask(shop, sku: str = "FAS-1003", quantity: int = 10) -> QuoteRequest:
    return services.quote_request(
        principal=shop.principal("C-1004"),
        request=services.QuoteRequestInput(
            token=secrets.token_hex(16), lines=(services.WantedLine(sku, Decimal(quantity)),)
        ),
    )


def message_of(kind: str, quote: QuoteRequest) -> Message:
    return Message.objects.get(kind=kind, subject=str(quote.id))


def requests_sent(shop) -> int:
    return shop.gateway.backend.request_count()


@pytest.fixture
def warm(shop, validity):
    """One request and acceptance first, so the customer and product lookups (read once
    per process) are not counted."""
    quote = ask(shop)
    message_process(message_id=message_of(REQUEST_QUOTE, quote).id)
    services.quote_accept(principal=shop.principal("C-1004"), quote_id=quote.id)
    message_process(message_id=message_of(ACCEPT_QUOTE, quote).id)
    return shop


def losing_read_backs(shop, monkeypatch, times: int) -> list[object]:
    """The ERP does what it is asked, but the answer to the next ``times`` read backs of a
    quotation (after create and quote) is lost on the way."""
    client = shop.gateway.backend.client
    model = client.model
    lost: list[object] = []

    def losing(name, method, *args, **kwargs):  # type: ignore[no-untyped-def]
        answer = model(name, method, *args, **kwargs)
        fields = args[-1] if args else []
        if (
            (name, method) == ("sale.sale", "search_read")
            and "quotation_expire" in fields
            and len(lost) < times
        ):
            lost.append(args)
            raise ErpUnavailable("read timed out")
        return answer

    monkeypatch.setattr(client, "model", losing)
    return lost


def test_a_first_request_is_four_erp_requests_and_an_acceptance_two(warm):
    """The customer's price of now, create, quote and the read back — raw Tryton's create and
    quote, and a read each side — with no search for an earlier sale; accepting reads the
    quotation (its validity is judged) and confirms it, no read back."""
    shop = warm
    quote = ask(shop)
    message = message_of(REQUEST_QUOTE, quote)
    before = requests_sent(shop)
    message_process(message_id=message.id)
    assert requests_sent(shop) - before == 4
    quote.refresh_from_db()
    assert quote.state == QuoteState.QUOTED and len(shop.erp_sales(quote.key)) == 1

    services.quote_accept(principal=shop.principal("C-1004"), quote_id=quote.id)
    before = requests_sent(shop)
    outcome = message_process(message_id=message_of(ACCEPT_QUOTE, quote).id)
    assert requests_sent(shop) - before == 2
    assert outcome is not None and outcome.value.number == quote.erp_number
    quote.refresh_from_db()
    assert quote.state == QuoteState.ORDERED
    (sale,) = shop.erp_sales(quote.key)
    assert sale["state"] in ("confirmed", "processing")


def test_the_gateways_retry_after_a_lost_answer_looks_and_finds_the_sale(warm, monkeypatch):
    """The first attempt makes and quotes the sale, its read back is lost: the retry looks for
    the key's sale (one search) and reads it (one read); nothing is made twice."""
    shop = warm
    quote = ask(shop)
    lost = losing_read_backs(shop, monkeypatch, times=1)
    before = requests_sent(shop)
    message_process(message_id=message_of(REQUEST_QUOTE, quote).id)
    assert len(lost) == 1
    assert requests_sent(shop) - before == 4 + 2
    quote.refresh_from_db()
    assert quote.state == QuoteState.QUOTED
    (sale,) = shop.erp_sales(quote.key)
    assert sale["state"] == "quotation" and quote.erp_number


def test_a_run_that_lost_every_answer_is_taken_up_again_and_finds_the_first_sale(warm, monkeypatch):
    """The first take-up makes the quotation and loses both its attempts' answers (the
    outbox keeps the message); the next take-up is no first request: it looks, finds the
    sale the first one made, and the quote shows it — one quotation in the ERP."""
    shop = warm
    quote = ask(shop)
    message = message_of(REQUEST_QUOTE, quote)
    lost = losing_read_backs(shop, monkeypatch, times=2)
    with pytest.raises(ErpUnavailable):
        message_process(message_id=message.id)
    assert len(lost) == 2
    quote.refresh_from_db()
    assert quote.state == QuoteState.REQUESTED and not quote.erp_number
    (made,) = shop.erp_sales(quote.key)  # made by the first take-up, its answer lost
    assert made["state"] == "quotation"
    cache.delete_many(["erp:breaker:opened_at", "erp:breaker:failures"])

    before = requests_sent(shop)
    message_process(message_id=message.id)
    assert requests_sent(shop) - before == 2  # the search that finds it, and its read
    message.refresh_from_db()
    assert (message.attempts, message.state) == (2, State.DONE)
    quote.refresh_from_db()
    assert quote.state == QuoteState.QUOTED
    (sale,) = shop.erp_sales(quote.key)
    assert sale["id"] == made["id"]

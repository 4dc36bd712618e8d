"""How many requests the quote paths send the reference ERP, and that the fewer requests of a
first attempt cost nothing in safety: a request's first take-up does not look for an earlier
sale (there can't be one), a retry after a lost answer still does and finds the sale the first
attempt made (one quotation, never two); an acceptance is not read back after its confirm."""

from __future__ import annotations

import secrets
import threading
from decimal import Decimal

import pytest
from django.core.cache import cache

from storefleet.erp.backends.tryton import quotations
from storefleet.erp.errors import ErpUnavailable
from storefleet.erp.types import LineQuery, QuotationLineRequest, QuotationRequest
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
            name == "sale.sale"
            and method in ("read", "search_read")
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


def hold_prices(shop, code: str = "C-1004", sku: str = "FAS-1003", quantity: int = 10):
    """The buyer looked at the product: the catalog read their price (in the store's currency)
    and the platform holds it."""
    return shop.gateway.prices(
        store=shop.store.slug,
        customer=code,
        lines=[LineQuery(sku, Decimal(quantity))],
        currency=shop.store.currency,
    )


def test_held_prices_are_the_catalogs_cached_ones_and_never_an_erp_request(warm):
    shop = warm
    line = [LineQuery("FAS-1003", Decimal(10))]
    held = {"store": shop.store.slug, "customer": "C-1004", "lines": line, "currency": "EUR"}
    before = requests_sent(shop)
    assert shop.gateway.prices_held(**held) is None  # nothing looked at yet
    assert requests_sent(shop) == before
    [shown] = hold_prices(shop)
    before = requests_sent(shop)
    assert shop.gateway.prices_held(**held) == [shown]
    assert shop.gateway.prices_held(**{**held, "customer": "C-1001"}) is None  # another's
    assert shop.gateway.prices_held(**{**held, "currency": "USD"}) is None
    shop.gateway.invalidate_prices(store=shop.store.slug, customer="C-1004")
    assert shop.gateway.prices_held(**held) is None  # forgotten with the customer's prices
    assert requests_sent(shop) == before


def test_with_the_buyers_price_held_the_sale_is_made_while_the_price_is_asked(warm, monkeypatch):
    """Still four requests, but the ERP's price of now and the sale's create go at once: the
    price read waits here until the create has been sent (a request path that asked first
    would leave it waiting and fail)."""
    shop = warm
    hold_prices(shop)
    quote = ask(shop)
    client = shop.gateway.backend.client
    model = client.model
    create_sent = threading.Event()
    price_waited: list[bool] = []

    def watching(name, method, *args, **kwargs):  # type: ignore[no-untyped-def]
        if (name, method) == ("sale.sale", "create"):
            create_sent.set()
        elif (name, method) == ("product.product", "search_read"):
            price_waited.append(create_sent.wait(timeout=10))
        return model(name, method, *args, **kwargs)

    monkeypatch.setattr(client, "model", watching)
    before = requests_sent(shop)
    message_process(message_id=message_of(REQUEST_QUOTE, quote).id)
    assert requests_sent(shop) - before == 4
    assert price_waited == [True]
    quote.refresh_from_db()
    assert quote.state == QuoteState.QUOTED
    (sale,) = shop.erp_sales(quote.key)
    [line] = shop.gateway.backend.client.search_read(
        "sale.line", [["sale", "=", sale["id"]]], ["unit_price"]
    )
    assert line["unit_price"] == Decimal("1.7730")  # the ERP's price of now


def test_a_held_price_that_moved_makes_the_quotation_at_the_erps_price_once(warm):
    """The platform held a price the ERP no longer gives: the draft made at it is deleted
    before anything is quoted, and the quotation is made at the ERP's price of now — one sale
    for the key, at the right price."""
    shop = warm
    backend = shop.gateway.backend
    address = shop.membership("C-1004").company.addresses.filter(is_ship_to=True).first()
    key = f"moved-{secrets.token_hex(4)}"
    quotation = quotations.request_quotation(
        backend.client,
        backend.lookups,
        QuotationRequest(
            customer="C-1004",
            warehouse="WH-EU",
            ship_to_address_id=address.erp_id,
            lines=(QuotationLineRequest("FAS-1003", Decimal(10), held_unit_price=Decimal("1.5")),),
            idempotency_key=key,
            currency="EUR",
            first_request=True,
        ),
    )
    assert [line.unit_price.amount for line in quotation.lines] == [Decimal("1.7730")]
    (sale,) = shop.erp_sales(key)
    assert sale["state"] == "quotation"

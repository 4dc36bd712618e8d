"""The wall, over every endpoint: two stores × companies × key kinds. A company key reads its
own company in its own store; a partner key the companies it was granted, named per request;
nothing else answers but a problem (401 wrong store, revoked, expired or no key; 403 missing
scope or company not granted; 400 partner without a company) — and another company's or
store's order, invoice or quote is "not found", like a number that does not exist."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from storefleet.api.models import ApiKey, Scope
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import LineQuery
from storefleet.ordering.models import Order, ReturnReason, ReturnRequest
from storefleet.ordering.outbox_kinds import SUBMIT_ORDER
from storefleet.outbox import services as outbox
from storefleet.quotes.models import QuoteLine, QuoteRequest, QuoteState

from .conftest import ALL_SCOPES, FERRUM, HYDRA, World, bearer

pytestmark = pytest.mark.django_db

SKU = "BRG-1001"  # Nordwerk (C-1001) has its own fixed price; Van der Berg buys on Contract A
INVOICES = {"C-1001": "INV-00006", "C-1006": "INV-00009"}
SCOPES = [*ALL_SCOPES, Scope.ORDERS_WRITE, Scope.QUOTES_WRITE]
WRITES = (Scope.ORDERS_WRITE, Scope.QUOTES_WRITE)
STOCKED = "FAS-1003"  # in stock in WH-EU (BRG-1001 is not): what an order by API takes


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: Callable[[World], str]  # the path of a resource of C-1001 in Ferrum
    scope: Scope
    body: dict[str, Any] | None = None


ENDPOINTS = [
    Endpoint("catalog", "get", lambda w: f"/api/v1/catalog/products?sku={SKU}", Scope.CATALOG_READ),
    Endpoint(
        "validate",
        "post",
        lambda w: "/api/v1/orders/validate",
        Scope.CATALOG_READ,
        {"lines": [{"sku": SKU, "quantity": "10"}]},
    ),
    Endpoint("orders", "get", lambda w: "/api/v1/orders", Scope.ORDERS_READ),
    Endpoint(
        "order",
        "get",
        lambda w: f"/api/v1/orders/{w.orders[(FERRUM, 'C-1001')]}",
        Scope.ORDERS_READ,
    ),
    Endpoint("invoices", "get", lambda w: "/api/v1/invoices", Scope.INVOICES_READ),
    Endpoint(
        "invoice", "get", lambda w: f"/api/v1/invoices/{INVOICES['C-1001']}", Scope.INVOICES_READ
    ),
    Endpoint(
        "invoice_pdf",
        "get",
        lambda w: f"/api/v1/invoices/{INVOICES['C-1001']}/pdf",
        Scope.INVOICES_READ,
    ),
    Endpoint("credit", "get", lambda w: "/api/v1/credit", Scope.INVOICES_READ),
    Endpoint(
        "place",
        "post",
        lambda w: "/api/v1/orders",
        Scope.ORDERS_WRITE,
        {"lines": [{"sku": STOCKED, "quantity": "10"}]},
    ),
    Endpoint(
        "cancel",
        "post",
        lambda w: f"/api/v1/orders/{w.orders[(FERRUM, 'C-1001')]}/cancel",
        Scope.ORDERS_WRITE,
    ),
    Endpoint("returns", "get", lambda w: "/api/v1/returns", Scope.ORDERS_READ),
    Endpoint(
        "return_file",
        "post",
        lambda w: "/api/v1/returns",
        Scope.ORDERS_WRITE,
        {
            "order_number": "W-F-1001",  # Nordwerk's Ferrum web order: found, nothing shipped
            "reason": "damaged",
            "lines": [{"sku": SKU, "quantity": "1"}],
        },
    ),
]


def quote_id(host: str, code: str) -> int:
    """The quote ``_writable`` made for company ``code`` in store ``host``."""
    return QuoteRequest.objects.get(key=f"q-matrix-{host}-{code}").id


ENDPOINTS += [
    Endpoint("quotes", "get", lambda w: "/api/v1/quotes", Scope.QUOTES_READ),
    Endpoint(
        "quote", "get", lambda w: f"/api/v1/quotes/{quote_id(FERRUM, 'C-1001')}", Scope.QUOTES_READ
    ),
    Endpoint(
        "quote_request",
        "post",
        lambda w: "/api/v1/quotes",
        Scope.QUOTES_WRITE,
        {"lines": [{"sku": SKU, "quantity": "10"}], "message": "By API"},
    ),
    Endpoint(
        "quote_accept",
        "post",
        lambda w: f"/api/v1/quotes/{quote_id(FERRUM, 'C-1001')}/accept",
        Scope.QUOTES_WRITE,
    ),
]
# Nordwerk's own answer from a write that finds the resource but can't be done on it (its
# quote has not reached the ERP: nothing to accept yet).
REFUSED_OWN = {"return_file": (422, "return-invalid"), "quote_accept": (409, "quote-not-answered")}
# What another company's key (or the company's key in another store) finds: nothing.
NOT_THEIRS = ("order", "invoice", "invoice_pdf", "cancel", "return_file", "quote", "quote_accept")


def call(client, endpoint: Endpoint, world: World, host: str, headers: dict[str, str]):
    path = endpoint.path(world)
    if endpoint.method == "post":
        if endpoint.scope in WRITES:  # a write: a new Idempotency-Key each call
            headers = {**headers, "HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}
        return client.post(
            path, endpoint.body or {}, content_type="application/json", HTTP_HOST=host, **headers
        )
    return client.get(path, HTTP_HOST=host, **headers)


def assert_problem(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["type"] == f"/api/v1/problems/{code}"
    assert body["detail"]


def price_of(
    code: str,
    store: str = "ferrum",
    currency: str = "EUR",
    sku: str = SKU,
    quantity: Decimal = Decimal(1),
) -> Decimal:
    (quote,) = get_gateway().prices(
        store=store, customer=code, lines=[LineQuery(sku, quantity)], currency=currency
    )
    assert quote.unit_price is not None
    return quote.unit_price.amount


def assert_sees(endpoint: Endpoint, response, world: World, code: str, host: str) -> None:
    """The answer is company ``code``'s in store ``host`` and nobody else's."""
    if endpoint.name in REFUSED_OWN:
        status, problem = REFUSED_OWN[endpoint.name]
        assert_problem(response, status, problem)
        if endpoint.name == "return_file":
            assert world.orders[(host, code)] in response.json()["detail"]  # found, and refused
        return
    created = endpoint.name in ("place", "quote_request")
    assert response.status_code == (201 if created else 200), response.content[:800]
    if endpoint.name == "invoice_pdf":
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        return
    body = response.json()
    if endpoint.name == "catalog":
        (item,) = body["items"]
        assert Decimal(item["price"]["unit_price"]["amount"]) == price_of(code)
    elif endpoint.name == "validate":
        (line,) = body["lines"]
        assert Decimal(line["unit_price"]["amount"]) == price_of(code)
    elif endpoint.name == "orders":
        numbers = {row["number"] for row in body["items"]}
        assert numbers == {world.orders[(host, code)]}
    elif endpoint.name == "order":
        assert body["number"] == world.orders[(host, code)]
    elif endpoint.name == "invoices":
        assert {row["number"] for row in body["items"]} == (
            {INVOICES[code]} if code in INVOICES else set()
        )
    elif endpoint.name == "invoice":
        assert body["number"] == INVOICES[code]
    elif endpoint.name == "place":
        order = Order.objects.select_related("company").get(number=body["number"])
        assert (order.company.code, order.store_id) == (code, world.stores[host].id)
        assert Decimal(body["lines"][0]["unit_price"]) == price_of(
            code, sku=STOCKED, quantity=Decimal(10)
        )
    elif endpoint.name == "cancel":
        assert body["number"] == world.orders[(host, code)]
    elif endpoint.name == "returns":
        assert {row["number"] for row in body["items"]} == {f"RET-{code}"}
    elif endpoint.name == "quotes":
        assert [row["id"] for row in body["items"]] == [quote_id(host, code)]
    elif endpoint.name == "quote":
        assert body["id"] == quote_id(host, code)
        assert [line["sku"] for line in body["lines"]] == [SKU]
    elif endpoint.name == "quote_request":
        quote = QuoteRequest.objects.select_related("company").get(id=body["id"])
        assert (quote.company.code, quote.store_id) == (code, world.stores[host].id)
        assert (body["status"], body["message"]) == ("requested", "By API")
    elif endpoint.name == "credit":
        assert body["used"]["currency"]
        assert {row["number"] for row in body["open_invoices"]} <= {INVOICES.get(code)}


def _dead(text: str, **changes: Any) -> str:
    ApiKey.objects.filter(prefix=text.split("_")[1]).update(**changes)
    return text


def _writable(world: World) -> None:
    """Nordwerk's Ferrum order still waits in the outbox (cancellable), and each company has a
    return and a quote request (not in the ERP yet) in each store it buys in."""
    order = Order.objects.get(number=world.orders[(FERRUM, "C-1001")])
    outbox.message_add(kind=SUBMIT_ORDER, subject=order.id, key=order.number)
    for (host, code), number in world.orders.items():
        ReturnRequest.objects.create(
            number=f"RET-{code}" if host == FERRUM else f"RET-{code}-H",
            store=world.stores[host],
            company=world.companies[code],
            submit_token=f"ret-{host}-{code}",
            order=Order.objects.get(number=number),
            order_number=number,
            reason=ReturnReason.DAMAGED,
        )
        quote = QuoteRequest.objects.create(
            store=world.stores[host],
            company=world.companies[code],
            key=f"q-matrix-{host}-{code}",
            state=QuoteState.REQUESTED,
        )
        QuoteLine.objects.create(quote=quote, position=0, sku=SKU, quantity=Decimal(10))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_every_key_kind_reaches_its_own_company_and_store_only(client, world, endpoint):
    _writable(world)
    own = world.key("C-1001", FERRUM, scopes=SCOPES)
    # The company key answers with the company's own data in its store.
    assert_sees(
        endpoint, call(client, endpoint, world, FERRUM, bearer(own)), world, "C-1001", FERRUM
    )

    # Another company's key in the same store: its own data, never Nordwerk's.
    other = world.key("C-1004", FERRUM, scopes=SCOPES)
    response = call(client, endpoint, world, FERRUM, bearer(other))
    if endpoint.name in NOT_THEIRS:
        assert_problem(response, 404, "not-found")
    else:
        assert_sees(endpoint, response, world, "C-1004", FERRUM)

    # The same company's key made in the other store does not work here ...
    hydra_key = world.key("C-1001", HYDRA, scopes=SCOPES)
    assert_problem(call(client, endpoint, world, FERRUM, bearer(hydra_key)), 401, "unauthenticated")
    # ... and in its own store, Nordwerk's Ferrum web order is not found.
    if endpoint.name in ("order", "cancel", "return_file", "quote", "quote_accept"):
        assert_problem(call(client, endpoint, world, HYDRA, bearer(hydra_key)), 404, "not-found")
    # A Hydra company's key on Hydra never sees Nordwerk's invoice.
    if endpoint.name in ("invoice", "invoice_pdf"):
        lakes = world.key("C-1006", HYDRA)
        assert_problem(call(client, endpoint, world, HYDRA, bearer(lakes)), 404, "not-found")

    revoked = _dead(world.key("C-1001", FERRUM, scopes=SCOPES), revoked_at=timezone.now())
    assert_problem(call(client, endpoint, world, FERRUM, bearer(revoked)), 401, "unauthenticated")
    expired = _dead(
        world.key("C-1001", FERRUM, scopes=SCOPES),
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    assert_problem(call(client, endpoint, world, FERRUM, bearer(expired)), 401, "unauthenticated")
    assert_problem(call(client, endpoint, world, FERRUM, {}), 401, "unauthenticated")
    scopeless = world.key("C-1001", FERRUM, scopes=[s for s in SCOPES if s != endpoint.scope])
    assert_problem(call(client, endpoint, world, FERRUM, bearer(scopeless)), 403, "scope-missing")

    partner = world.partner_key(codes=["C-1001", "C-1004", "C-1006"], hosts=[FERRUM], scopes=SCOPES)
    assert_problem(call(client, endpoint, world, FERRUM, bearer(partner)), 400, "company-required")
    acting = bearer(partner, HTTP_STOREFLEET_COMPANY="C-1001")
    assert_sees(endpoint, call(client, endpoint, world, FERRUM, acting), world, "C-1001", FERRUM)
    # Granted, but Great Lakes does not buy in Ferrum; Alpine was never granted.
    for code in ("C-1006", "C-1002"):
        named = bearer(partner, HTTP_STOREFLEET_COMPANY=code)
        assert_problem(call(client, endpoint, world, FERRUM, named), 403, "company-not-granted")
    # The partner key was not given Hydra.
    assert_problem(call(client, endpoint, world, HYDRA, acting), 401, "unauthenticated")
    # A company key naming another company is refused, not obeyed.
    naming = bearer(own, HTTP_STOREFLEET_COMPANY="C-1004")
    assert_problem(call(client, endpoint, world, FERRUM, naming), 403, "company-not-granted")

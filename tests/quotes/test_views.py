"""The quote pages as a buyer uses them: from the cart to a request, the list and a quote,
accepting; the walls between companies (a matrix over every page and action); and hostile
input on the forms, which never gives a 500 nor saves anything."""

from __future__ import annotations

import secrets
from decimal import Decimal

import pytest

from storefleet.ordering.models import Cart, CartLine
from storefleet.outbox.models import Message
from storefleet.outbox.processing import message_process
from storefleet.quotes.kinds import ACCEPT_QUOTE, REQUEST_QUOTE
from storefleet.quotes.models import QuoteRequest, QuoteState

from .conftest import HOST, erp_entered_quotation

pytestmark = pytest.mark.django_db


def as_buyer(client, shop, code: str):  # type: ignore[no-untyped-def]
    client.force_login(shop.buyers[code])
    return client


def request_form(**overrides) -> dict:
    data = {
        "token": secrets.token_hex(16),
        "sku": ["FAS-1003", "BRG-1003", ""],
        "quantity": ["10", "3", ""],
        "target_price": ["0,45", "", ""],
        "note": ["Zinc plated", "", ""],
        "requested_date": "",
        "message": "For the spring batch",
    }
    data.update(overrides)
    return data


def test_from_the_cart_to_a_quote_in_the_erp(client, shop, validity):
    buyer = as_buyer(client, shop, "C-1004")
    home = buyer.get("/", HTTP_HOST=HOST)
    assert 'href="/quotes/new/"' in home.content.decode() and "mailto:" not in "".join(
        line for line in home.content.decode().splitlines() if "Request a quote" in line
    )
    membership = shop.membership("C-1004")
    cart = Cart.objects.create(
        store_id=shop.store.id, user=membership.user, company=membership.company
    )
    from storefleet.catalog.models import Product

    CartLine.objects.create(
        cart=cart, product=Product.objects.get(sku="FAS-1003"), quantity=Decimal(40)
    )
    page = buyer.get("/cart/", HTTP_HOST=HOST).content.decode()
    assert 'href="/quotes/new/?from=cart"' in page
    form = buyer.get("/quotes/new/?from=cart", HTTP_HOST=HOST).content.decode()
    assert 'value="FAS-1003"' in form and 'value="40"' in form

    response = buyer.post("/quotes/new/", request_form(), HTTP_HOST=HOST)
    quote = QuoteRequest.objects.get(company=membership.company)
    assert response.status_code == 302 and response["Location"] == f"/quotes/{quote.id}/"
    assert [(ln.sku, ln.quantity, ln.target_price) for ln in quote.lines.all()] == [
        ("FAS-1003", Decimal(10), Decimal("0.45")),
        ("BRG-1003", Decimal(3), None),
    ]
    page = buyer.get(f"/quotes/{quote.id}/", HTTP_HOST=HOST).content.decode()
    assert 'data-status="requested"' in page
    message_process(message_id=Message.objects.get(kind=REQUEST_QUOTE).id)
    quote.refresh_from_db()
    page = buyer.get(f"/quotes/{quote.id}/", HTTP_HOST=HOST).content.decode()
    assert 'data-status="quoted"' in page and quote.erp_number in page
    assert f'action="/quotes/{quote.id}/accept/"' in page
    listing = buyer.get("/quotes/", HTTP_HOST=HOST).content.decode()
    assert f'data-quote="{quote.erp_number}" data-status="quoted"' in listing
    response = buyer.post(f"/quotes/{quote.id}/accept/", HTTP_HOST=HOST)
    assert response.status_code == 302
    assert QuoteRequest.objects.get(id=quote.id).state == QuoteState.ACCEPTING
    assert Message.objects.filter(kind=ACCEPT_QUOTE, subject=str(quote.id)).count() == 1


@pytest.mark.parametrize("viewer", ["C-1001", "C-1002"])
def test_another_companys_quotes_answer_404_on_every_page_and_action(client, shop, viewer):
    number = erp_entered_quotation(shop, "C-1004", [("FAS-1003", Decimal(10), Decimal("0.4"))])
    owner = as_buyer(client, shop, "C-1004")
    assert owner.post(f"/quotes/erp/{number}/accept/", HTTP_HOST=HOST).status_code == 302
    quote = QuoteRequest.objects.get(erp_number=number)
    stranger = as_buyer(client, shop, viewer)
    for method, path in [
        ("get", f"/quotes/{quote.id}/"),
        ("post", f"/quotes/{quote.id}/accept/"),
        ("get", f"/quotes/erp/{number}/"),
        ("post", f"/quotes/erp/{number}/accept/"),
    ]:
        response = getattr(stranger, method)(path, HTTP_HOST=HOST)
        assert response.status_code == 404, (viewer, path)
    listing = stranger.get("/quotes/", HTTP_HOST=HOST).content.decode()
    assert number not in listing
    assert Message.objects.filter(kind=ACCEPT_QUOTE).count() == 1


HOSTILE = [
    {"token": "not-a-token"},
    {"token": ""},
    {"sku": ["FAS-1003"], "quantity": ["-5"]},
    {"sku": ["FAS-1003"], "quantity": ["1e999999"]},
    {"sku": ["FAS-1003"], "quantity": ["NaN"]},
    {"sku": ["FAS-1003"], "quantity": ["10"], "target_price": ["Infinity"]},
    {"sku": ["<script>alert(1)</script>"], "quantity": ["1"]},
    {"sku": ["FAS-1003\x00"], "quantity": ["1"]},
    {"sku": ["A" * 5000], "quantity": ["1"]},
    {"sku": ["FAS-1003"] * 120, "quantity": ["1"] * 120},
    {"sku": ["NOPE-0001"], "quantity": ["1"]},
    {"requested_date": "2020-13-45"},
    {"requested_date": "1999-01-01"},
    {"message": "x" * 10_000},
    {"message": "bad\x00byte"},
    {"ship_to": "99999999"},
    {"ship_to": "-1"},
    {"ship_to": "1 OR 1=1"},
    {"note": ["n" * 5000, "", ""]},
]


@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_on_the_request_form_never_500s_nor_saves(client, shop, hostile):
    buyer = as_buyer(client, shop, "C-1004")
    response = buyer.post("/quotes/new/", request_form(**hostile), HTTP_HOST=HOST)
    assert response.status_code == 400
    assert 'class="form-errors" role="alert"' in response.content.decode()
    assert not QuoteRequest.objects.exists()
    assert not Message.objects.filter(kind=REQUEST_QUOTE).exists()


def test_another_companys_ship_to_is_refused(client, shop):
    other = shop.membership("C-1001").company.addresses.first()
    buyer = as_buyer(client, shop, "C-1004")
    response = buyer.post("/quotes/new/", request_form(ship_to=str(other.id)), HTTP_HOST=HOST)
    assert response.status_code == 400
    assert "ship-to addresses" in response.content.decode()
    assert not QuoteRequest.objects.exists()


@pytest.mark.parametrize(
    "path", ["/quotes/abc/", "/quotes/99999999999999999999/", "/quotes/erp/" + "X" * 300 + "/"]
)
def test_hostile_urls_answer_404(client, shop, path):
    buyer = as_buyer(client, shop, "C-1004")
    assert buyer.get(path, HTTP_HOST=HOST).status_code == 404
    assert buyer.post(path + "accept/", HTTP_HOST=HOST).status_code == 404

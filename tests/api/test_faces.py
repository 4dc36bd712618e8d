"""One principal, three faces: Nordwerk (C-1001) seen by its buyer on Ferrum's storefront, by
an agent of Ferrum's service team in the console, and by its API key on Ferrum get the same
order page — stage, whether it can be cancelled or returned, and the refusal each would get —
for a web order just received, a web order the ERP refused, and a sale entered in the ERP that
has shipped; and the same "not found" for its order placed in Hydra."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from storefleet.accounts.principal import Actor, Principal
from storefleet.api.auth import Caller
from storefleet.api.keys import api_key_create
from storefleet.api.models import KeyKind, Scope
from storefleet.catalog.selectors import product_list, store_assortment
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import LineQuery
from storefleet.ordering.checkout import (
    CartNotOrderable,
    PlaceLine,
    PlaceRequest,
    PricesMoved,
    SeenPrice,
    order_lines_place,
)
from storefleet.ordering.models import Order, OrderStatus
from storefleet.ordering.returns import not_cancellable_text, not_shipped_text
from storefleet.service.services import service_agent_add
from storefleet.tenants.selectors import store_record

from .conftest import FERRUM, HYDRA, bearer
from .test_orders import _sale

pytestmark = pytest.mark.django_db
ADMIN = "localhost"


def storefront(client, world, number):
    client.force_login(world.admins["C-1001"])
    response = client.get(f"/orders/{number}/", HTTP_HOST=FERRUM)
    client.logout()
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    page = response.context["page"]
    return (str(page.stage), page.can_cancel, page.can_return, page.why_not_cancel,
            page.why_not_return)  # fmt: skip


def console(client, world, number):
    agent = get_user_model().objects.filter(username="faces.agent").first()
    if agent is None:
        agent = get_user_model().objects.create_user("faces.agent", "faces@example.com", "x")
        service_agent_add(store=world.stores[FERRUM], user=agent)
    client.force_login(agent)
    company = world.companies["C-1001"]
    response = client.get(reverse("service_order", args=[company.id, number]), HTTP_HOST=ADMIN)
    client.logout()
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    page = response.context["page"]
    return (str(page.stage), page.can_cancel, page.can_return, page.why_not_cancel,
            page.why_not_return)  # fmt: skip


def api(client, world, number):
    key = world.key("C-1001", FERRUM, scopes=[Scope.ORDERS_READ])
    response = client.get(f"/api/v1/orders/{number}", HTTP_HOST=FERRUM, **bearer(key))
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.content
    body = response.json()
    return (body["stage"], body["can_cancel"], body["can_return"], body["why_not_cancel"],
            body["why_not_return"])  # fmt: skip


FACES = {"storefront": storefront, "console": console, "api": api}


def test_the_three_faces_give_the_same_rules_and_refusals(client, world):
    received = world.orders[(FERRUM, "C-1001")]
    refused = "W-F-REFUSED"
    Order.objects.create(
        number=refused,
        store=world.stores[FERRUM],
        company=world.companies["C-1001"],
        submit_token=refused,
        status=OrderStatus.REFUSED,
        ship_to=world.companies["C-1001"].addresses.filter(is_ship_to=True).first(),
        currency="EUR",
    )
    shipped = _sale(world, 9500, host=None, changed=timezone.now() - datetime.timedelta(days=2))
    expected = {
        received: ("received", True, False, "",
                   not_shipped_text(number=received, cancellable=True)),
        refused: ("refused", False, False,
                  f"Order {refused} was refused by our ERP: nothing was ordered, so there is "
                  "nothing to cancel.",
                  f"Order {refused} was refused by our ERP: nothing was ordered, so there is "
                  "nothing to return."),
        shipped: ("shipped", False, True, not_cancellable_text(shipped), ""),
        world.orders[(HYDRA, "C-1001")]: None,  # another store's: not found on every face
        world.orders[(FERRUM, "C-1004")]: None,  # another company's
    }  # fmt: skip
    seen = {
        (face, number): read(client, world, number)
        for number in expected
        for face, read in FACES.items()
    }
    assert seen == {(face, n): answer for n, answer in expected.items() for face in FACES}


def test_a_buyer_and_a_key_of_one_company_get_the_same_verdict_on_the_same_lines(world):
    """The storefront's checkout and ``POST /api/v1/orders`` place through one service: the same
    lines for Nordwerk in Ferrum are refused alike (the ERP's verdict, a price not the one
    seen) and placed alike (same lines, prices and total); only who placed them differs."""
    store = store_record(world.stores[FERRUM])
    company = world.companies["C-1001"]
    request = RequestFactory().get("/checkout/", HTTP_HOST=FERRUM)
    request.user, request.store = world.admins["C-1001"], store  # type: ignore[attr-defined]
    buyer = Principal.for_buyer(request)
    key, _text = api_key_create(
        name="Nordwerk's ERP",
        kind=KeyKind.COMPANY,
        scopes=[Scope.ORDERS_WRITE],
        expires_at=timezone.now() + datetime.timedelta(days=1),
        company=company,
        store=world.stores[FERRUM],
    )
    api = Principal.for_key(Caller(key=key, store=store, company=company))
    assert (buyer.actor, api.actor) == (Actor.BUYER, Actor.KEY)
    products = {p.sku: p for p in product_list(assortment=store_assortment(store=store))}
    ship_to = company.addresses.filter(is_ship_to=True).order_by("id").first()
    (price,) = get_gateway().current_prices(
        customer="C-1001", lines=[LineQuery("FAS-1003", Decimal(10))], currency="EUR"
    )
    assert price.unit_price is not None

    def verdict(principal: Principal, token: str, lines, seen=None):
        place = PlaceRequest(
            submit_token=token,
            ship_to_id=ship_to.id,
            lines=[
                PlaceLine(products[sku], Decimal(quantity), position)
                for position, (sku, quantity) in enumerate(lines, start=1)
            ],
            seen_prices=seen,
        )
        try:
            order = order_lines_place(principal=principal, request=place)
        except CartNotOrderable as refused:
            return "not orderable", [
                (line.product.sku, line.reasons, line.suggested_quantity)
                for line in refused.check.lines
            ]
        except PricesMoved as moved:
            return "prices moved", moved.moved
        return (
            "placed",
            order.total,
            [
                (line.sku, line.quantity, line.unit_price)
                for line in order.lines.order_by("position")
            ],
        )

    too_much = [("FAS-1003", "100000")]
    refused = verdict(buyer, "face-buyer-1", too_much)
    assert refused[0] == "not orderable" and refused[1][0][1]  # with the ERP's reasons
    assert verdict(api, "face-key-1", too_much) == refused
    seen = {1: SeenPrice("FAS-1003", Decimal(10), Decimal("0.01"))}
    moved = verdict(buyer, "face-buyer-2", [("FAS-1003", "10")], seen)
    assert moved == ("prices moved", {1: Decimal("0.01")})
    assert verdict(api, "face-key-2", [("FAS-1003", "10")], seen) == moved
    assert Order.objects.filter(submit_token__startswith="face-").count() == 0
    lines = [("FAS-1003", "10"), ("BRG-1002", "4")]
    placed = verdict(buyer, "face-buyer-3", lines)
    assert placed[0] == "placed"
    assert placed[2][0] == ("FAS-1003", Decimal(10), price.unit_price.amount)
    assert verdict(api, "face-key-3", lines) == placed
    by_buyer, by_key = Order.objects.filter(submit_token__startswith="face-").order_by("id")
    assert (by_buyer.placed_by_id, by_buyer.placed_by_key_id) == (world.admins["C-1001"].pk, None)
    assert (by_key.placed_by_id, by_key.placed_by_key_id) == (None, key.pk)

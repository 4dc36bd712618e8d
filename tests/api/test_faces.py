"""One principal, three faces: Nordwerk (C-1001) seen by its buyer on Ferrum's storefront, by
an agent of Ferrum's service team in the console, and by its API key on Ferrum get the same
order page — stage, whether it can be cancelled or returned, and the refusal each would get —
for a web order just received, a web order the ERP refused, and a sale entered in the ERP that
has shipped; and the same "not found" for its order placed in Hydra.

Acting goes through the same services too: an order cancelled on each face is cancelled alike
and names who did it (the buyer, the agent; nobody for a key), a sale the ERP is processing is
refused with the same words, and a return is checked, refused, filed and listed alike. These
only read the shared ERP: the cancelled orders never reached it, the returns wait in the
outbox."""

from __future__ import annotations

import datetime
import json
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
from storefleet.ordering.cancel import not_cancellable_text
from storefleet.ordering.checkout import (
    CartNotOrderable,
    PlaceLine,
    PlaceRequest,
    PricesMoved,
    SeenPrice,
    order_lines_place,
)
from storefleet.ordering.models import Order, OrderCancellation, OrderStatus, ReturnRequest
from storefleet.ordering.outbox_kinds import SUBMIT_ORDER
from storefleet.ordering.returns.selectors import not_shipped_text
from storefleet.outbox.models import Message
from storefleet.service.models import ServiceAction
from storefleet.service.services import service_agent_add
from storefleet.tenants.selectors import store_record

from .conftest import FERRUM, HYDRA, World, bearer
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


def ferrum_agent(world):  # type: ignore[no-untyped-def]
    agent = get_user_model().objects.filter(username="faces.agent").first()
    if agent is None:
        agent = get_user_model().objects.create_user("faces.agent", "faces@example.com", "x")
        service_agent_add(store=world.stores[FERRUM], user=agent)
    return agent


def console(client, world, number):
    client.force_login(ferrum_agent(world))
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


# ------------------------------------------------------------------ acting on each face
PARTLY_SHIPPED = "SO-00004"  # C-1004 (Ferrum only), in the ERP: processing, partly shipped
WRITE = [Scope.ORDERS_READ, Scope.ORDERS_WRITE]


def _received(world: World, number: str) -> str:
    """A web order of Van der Berg in Ferrum waiting in the outbox, not in the ERP yet."""
    company = world.companies["C-1004"]
    order = Order.objects.create(
        number=number,
        store=world.stores[FERRUM],
        company=company,
        submit_token=number,
        status=OrderStatus.RECEIVED,
        ship_to=company.addresses.filter(is_ship_to=True).first(),
        currency="EUR",
    )
    Message.objects.create(
        kind=SUBMIT_ORDER, subject=order.id, key=order.number, next_try_at=timezone.now()
    )
    return number


def _api_post(client, key: str, path: str, body: dict | None, idem: str):  # type: ignore[no-untyped-def]
    return client.post(
        path,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_HOST=FERRUM,
        **bearer(key, HTTP_IDEMPOTENCY_KEY=idem),
    )


def cancel_storefront(client, world, number):
    """(status, the refusal's words or "") of cancelling on the storefront."""
    client.force_login(world.admins["C-1004"])
    response = client.post(f"/orders/{number}/cancel/", HTTP_HOST=FERRUM)
    client.logout()
    if response.status_code == 302:
        return "cancelled", ""
    return response.status_code, response.context["error"].message


def cancel_console(client, world, number):
    client.force_login(ferrum_agent(world))
    company = world.companies["C-1004"]
    url = reverse("service_order_cancel", args=[company.id])
    response = client.post(url, {"number": number}, HTTP_HOST=ADMIN, follow=True)
    client.logout()
    said = [m for m in response.context["messages"]]
    assert response.status_code == 200 and len(said) == 1, said
    if said[0].level_tag == "success":
        return "cancelled", ""
    return said[0].level_tag, str(said[0])


def cancel_api(client, world, number):
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    response = _api_post(client, key, f"/api/v1/orders/{number}/cancel", None, f"c-{number}")
    if response.status_code == 200:
        return "cancelled", ""
    return response.status_code, response.json()["detail"]


def test_the_three_faces_cancel_alike_and_name_who_did(client, world):
    faces = {"storefront": cancel_storefront, "console": cancel_console, "api": cancel_api}
    numbers = {face: _received(world, f"W-F-CANCEL-{face.upper()}") for face in faces}
    done = {face: cancel(client, world, numbers[face]) for face, cancel in faces.items()}
    assert done == {face: ("cancelled", "") for face in faces}
    records = {r.number: (r.before_erp, r.cancelled_by) for r in OrderCancellation.objects.all()}
    assert records == {
        numbers["storefront"]: (True, world.admins["C-1004"]),
        numbers["console"]: (True, ferrum_agent(world)),
        numbers["api"]: (True, None),  # a key: no user to name
    }
    assert set(
        Order.objects.filter(number__in=numbers.values()).values_list("status", flat=True)
    ) == {OrderStatus.CANCELLED}
    # A sale the ERP is processing: the same refusal, in the same words, and nothing recorded.
    refused = {face: cancel(client, world, PARTLY_SHIPPED) for face, cancel in faces.items()}
    text = not_cancellable_text(PARTLY_SHIPPED)
    assert refused == {"storefront": (409, text), "console": ("error", text), "api": (409, text)}
    assert OrderCancellation.objects.count() == 3
    assert list(ServiceAction.objects.values_list("target", flat=True)) == [numbers["console"]]


def return_storefront(client, world, number, quantity, token):
    """("filed", the return's number) or (status, {sku or "": what to fix})."""
    client.force_login(world.admins["C-1004"])
    data = {"qty-BRG-1009": quantity, "reason": "damaged", "submit_token": token}
    response = client.post(f"/orders/{number}/return/", data, HTTP_HOST=FERRUM)
    client.logout()
    if response.status_code == 302:
        return "filed", response["Location"].rstrip("/").rsplit("/", 1)[-1]
    if response.status_code == 404:
        return 404, {}
    return response.status_code, {k: v for k, v in response.context["errors"].items() if v}


def return_console(client, world, number, quantity, token):
    client.force_login(ferrum_agent(world))
    company = world.companies["C-1004"]
    url = reverse("service_return_create", args=[company.id, number])
    data = {"qty_0": quantity, "qty_1": "0", "reason": "damaged", "submit_token": token}
    response = client.post(url, data, HTTP_HOST=ADMIN)
    client.logout()
    if response.status_code == 302:
        return "filed", ReturnRequest.objects.get(submit_token=token).number
    if response.status_code == 404:
        return 404, {}
    form = response.context["form"]
    skus = {f"qty_{i}": row.sku for i, row in enumerate(form.rows)}
    return response.status_code, {skus.get(f, f): " ".join(e) for f, e in form.errors.items()}


def return_api(client, world, number, quantity, token):
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    body = {
        "order_number": number,
        "reason": "damaged",
        "lines": [{"sku": "BRG-1009", "quantity": quantity}],
    }
    response = _api_post(client, key, "/api/v1/returns", body, token)
    if response.status_code == 201:
        return "filed", response.json()["number"]
    problem = response.json()
    errors = {(e["loc"] or [""])[-1]: e["msg"] for e in problem.get("errors", [])}
    return response.status_code, errors


def test_the_three_faces_check_file_and_list_returns_alike(client, world):
    faces = {"storefront": return_storefront, "console": return_console, "api": return_api}
    # More than was shipped: the same words on every face, nothing written.
    refused = {
        face: ask(client, world, PARTLY_SHIPPED, "999", f"x-{face}") for face, ask in faces.items()
    }
    said = refused["api"][1]["BRG-1009"]
    assert said.startswith("BRG-1009: you can return at most ")
    assert refused == {
        "storefront": (400, {"BRG-1009": said}),
        "console": (400, {"BRG-1009": said}),
        "api": (422, {"BRG-1009": said}),
    }
    assert not ReturnRequest.objects.exists()
    # Another company's web order in the same store: not found, on every face.
    missing = {
        face: ask(client, world, world.orders[(FERRUM, "C-1001")], "1", f"m-{face}")
        for face, ask in faces.items()
    }
    assert missing == {"storefront": (404, {}), "console": (404, {}), "api": (404, {})}

    filed = {
        face: ask(client, world, PARTLY_SHIPPED, "1", f"ok-{face}") for face, ask in faces.items()
    }
    assert {face: state for face, (state, _n) in filed.items()} == dict.fromkeys(faces, "filed")
    made = {r.number: r for r in ReturnRequest.objects.prefetch_related("lines")}
    assert {
        face: (
            made[number].requested_by,
            made[number].order_number,
            [(line.sku, line.quantity) for line in made[number].lines.all()],
        )
        for face, (_state, number) in filed.items()
    } == {
        "storefront": (world.admins["C-1004"], PARTLY_SHIPPED, [("BRG-1009", Decimal(1))]),
        "console": (ferrum_agent(world), PARTLY_SHIPPED, [("BRG-1009", Decimal(1))]),
        "api": (None, PARTLY_SHIPPED, [("BRG-1009", Decimal(1))]),  # a key: no user to name
    }
    # Every face lists the three (a sale entered in the ERP is the company's in every store).
    client.force_login(world.admins["C-1004"])
    shop = client.get(reverse("ordering:returns"), HTTP_HOST=FERRUM).context["page"].object_list
    client.force_login(ferrum_agent(world))
    company = world.companies["C-1004"]
    desk = client.get(reverse("service_company", args=[company.id]), HTTP_HOST=ADMIN)
    client.logout()
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    api_list = client.get("/api/v1/returns", HTTP_HOST=FERRUM, **bearer(key)).json()["items"]
    assert (
        {r.number for r in shop}
        == {r.number for r in desk.context["page"].returns}
        == {item["number"] for item in api_list}
        == set(made)
    )


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

"""The walls matrices of the store dimension, by id: a company buying in two stores (Alpine,
C-1002, in Ferrum and Hydra) and an agent serving one of them (Ferrum).

Buyers: each page and action that takes an order, return, invoice, payment or address id ×
an id of the buyer's own store, of the company's other store, and of another company → works
for the own store, and answers like a missing id (404, or a message saying what to do) for the
others, writing nothing. Sales entered straight into the ERP (by phone) are the company's in
both stores.

Agents: the Ferrum agent × the company's Hydra orders, returns, payments, invoices and audit,
and a company buying in Hydra only, by id in GETs and POSTs → refused, nothing written."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from storefleet.accounts.models import Address, Company
from storefleet.billing.models import Payment
from storefleet.erp.sync import erp_sync
from storefleet.ordering.models import Order, OrderProgress, OrderStatus, ReturnRequest, SaleRecord
from storefleet.ordering.outbox_kinds import SUBMIT_ORDER
from storefleet.outbox.models import Message
from storefleet.service.models import ActionKind, ServiceAction
from storefleet.tenants.models import Store
from tests.hostile.harness import check_refusal, check_response, check_wall, nothing_written
from tests.service.conftest import Desk, build_desk

pytestmark = pytest.mark.django_db

FERRUM = "ferrum.localhost"
HYDRA = "hydra.localhost"
ADMIN = "localhost"
CODE = "C-1002"  # buys in Ferrum and Hydra here; billed twice in the reference ERP
OTHER = "C-1001"  # buys in Ferrum only


@dataclass
class Held:
    """What one company holds in one store, by the ids a URL or a form names it with."""

    order: str
    ret: str
    payment: str
    invoice: str


@dataclass
class World:
    desk: Desk
    held: dict[str, Held]  # "ferrum", "hydra", "other" (another company's, in Ferrum)
    phone_sale: str  # a sale of C-1004 entered in the ERP: its in every store
    address: Address  # one of C-1004's ship-to addresses
    other_address: Address  # one of C-1001's


def _web_sale(company: Company, store_id: int, invoice: str, erp_id: int) -> None:
    """A mirrored ERP sale of a web order placed in ``store_id``, billed by ``invoice``."""
    money = {"amount": "10.00", "currency": "EUR"}
    now = timezone.now()
    SaleRecord.objects.create(
        erp_id=erp_id,
        number=f"SO-WALL-{erp_id}",
        customer_code=company.code,
        company=company,
        store_id=store_id,
        placed_at=now,
        state="processing",
        shipment_state="sent",
        invoice_state="posted",
        progress=OrderProgress.SHIPPED,
        total=Decimal("10.00"),
        currency="EUR",
        detail={
            "lines": [],
            "shipments": [],
            "invoices": [
                {
                    "erp_id": erp_id,
                    "number": invoice,
                    "state": "posted",
                    "invoice_date": None,
                    "total": money,
                    "amount_to_pay": money,
                    "due_date": None,
                    "paid_date": None,
                }
            ],
        },
        fingerprint=str(erp_id),
        erp_write_date=now,
    )


def _hold(company: Company, store_id: int, tag: str, invoice: str) -> Held:
    buyer_membership = company.memberships.select_related("user").first()
    order = Order.objects.create(
        number=f"WEB-{tag}-1",
        store_id=store_id,
        company=company,
        placed_by=buyer_membership.user if buyer_membership else None,
        submit_token=f"wall-{tag}",
        ship_to=company.addresses.filter(is_ship_to=True).first(),
        currency="EUR",
    )
    # Still in the outbox, never tried: a cancel takes it out without asking the ERP.
    Message.objects.create(
        kind=SUBMIT_ORDER, subject=order.id, key=order.number, next_try_at=timezone.now()
    )
    ret = ReturnRequest.objects.create(
        number=f"RET-{tag}",
        store_id=store_id,
        company=company,
        submit_token=f"wall-ret-{tag}",
        order=order,
        order_number=f"SO-{tag}",
        reason="damaged",
    )
    Payment.objects.create(
        reference=f"P-{tag}",
        store_id=store_id,
        company=company,
        invoice_numbers=[invoice],
        amount=Decimal("10.00"),
        currency="EUR",
        provider="sandbox",
        idempotency_key=f"P-{tag}",
    )
    return Held(order=order.number, ret=ret.number, payment=f"P-{tag}", invoice=invoice)


@pytest.fixture
def world(settings, fresh_erp_server, ferrum, hydra) -> World:
    settings.BILLING_PROVIDER = "sandbox"
    desk = build_desk(settings, fresh_erp_server, ferrum, hydra)
    ferrum = desk.shop.store.id
    hydra = desk.hydra.store.pk
    Store.objects.filter(pk=hydra).update(erp_warehouse="WH-US")
    company, other = desk.company(CODE), desk.company(OTHER)
    company.stores.add(hydra)
    invoices = fresh_erp_server.manifest["invoices"]
    (ferrum_invoice, hydra_invoice, *_) = [i["number"] for i in invoices if i["customer"] == CODE]
    other_invoice = next(i["number"] for i in invoices if i["customer"] == OTHER)
    # Two of its invoices bill web orders' sales, one in each store.
    _web_sale(company, ferrum, ferrum_invoice, 990001)
    _web_sale(company, hydra, hydra_invoice, 990002)
    erp_sync(name="sales", full=True)
    phone = (
        SaleRecord.objects.filter(company=company, store__isnull=True)
        .exclude(progress=OrderProgress.DRAFT)
        .first()
    )
    assert phone is not None, "the reference ERP seeds sales of C-1002"
    return World(
        desk=desk,
        held={
            "ferrum": _hold(company, ferrum, "F", ferrum_invoice),
            "hydra": _hold(company, hydra, "H", hydra_invoice),
            "other": _hold(other, ferrum, "O", other_invoice),
        },
        phone_sale=phone.number,
        address=company.addresses.filter(is_ship_to=True, active=True).first(),
        other_address=other.addresses.filter(is_ship_to=True, active=True).first(),
    )


HOSTS = {"ferrum": FERRUM, "hydra": HYDRA}


def _buyer(world: World) -> Client:
    client = Client()
    client.force_login(world.desk.shop.buyers[CODE])
    return client


def _found(response, *, pdf: bool = False) -> bool:  # type: ignore[no-untyped-def]
    check_response(response)
    if pdf:
        return response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.status_code in (200, 302)


# ------------------------------------------------------------------ buyers
BUYER_READS = {
    "order page": lambda h: reverse("ordering:order", args=[h.order]),
    "cancel page": lambda h: reverse("ordering:cancel", args=[h.order]),
    "return form": lambda h: reverse("ordering:return_start", args=[h.order]),
    "return page": lambda h: reverse("ordering:return", args=[h.ret]),
    "payment page": lambda h: reverse("billing:payment", args=[h.payment]),
}


def test_a_buyer_reaches_by_id_only_what_their_company_holds_in_this_store(world):
    client = _buyer(world)
    for here, host in HOSTS.items():
        for whose, held in world.held.items():
            own = whose == here
            for what, url in BUYER_READS.items():
                cell = f"buyer in {here} × {what} of {whose}"
                if own:
                    check_wall(not _found(client.get(url(held), HTTP_HOST=host)), cell)
                    continue
                with nothing_written():
                    response = client.get(url(held), HTTP_HOST=host)
                    check_response(response)
                check_wall(response.status_code != 404, cell)
            listing = client.get(reverse("ordering:returns"), HTTP_HOST=host)
            check_response(listing)
            shown = held.ret in listing.content.decode()
            check_wall(shown != own, f"buyer in {here} × returns list showing {whose}'s")
            orders = client.get(reverse("ordering:orders"), HTTP_HOST=host).content.decode()
            check_wall((held.order in orders) != own, f"buyer in {here} × orders list, {whose}'s")


def test_a_sale_entered_in_the_erp_is_the_companys_in_both_stores(world):
    client = _buyer(world)
    for here, host in HOSTS.items():
        page = client.get(reverse("ordering:order", args=[world.phone_sale]), HTTP_HOST=host)
        check_wall(not _found(page), f"buyer in {here} × phone sale {world.phone_sale}")


def test_a_buyer_gets_only_this_stores_invoices_as_pdf(world):
    client = _buyer(world)
    for here, host in HOSTS.items():
        for whose, held in world.held.items():
            url = reverse("billing:invoice_document", args=[held.invoice])
            cell = f"buyer in {here} × invoice PDF {held.invoice} of {whose}"
            if whose == here:
                check_wall(not _found(client.get(url, HTTP_HOST=host), pdf=True), cell)
                continue
            with nothing_written():
                response = client.get(url, HTTP_HOST=host)
            check_wall(_found(response, pdf=True) or response.status_code != 404, cell)


def test_a_buyer_cannot_pay_another_stores_invoice(world):
    client = _buyer(world)
    held = world.held["hydra"]
    with nothing_written():
        response = client.post(
            reverse("billing:pay"), {"invoice": held.invoice}, HTTP_HOST=FERRUM, follow=True
        )
        check_refusal(response, says="is not one of your open invoices")
    check_wall(False, "buyer in ferrum × paying hydra's invoice")


def test_a_buyer_acts_by_post_only_on_this_stores_orders(world):
    client = _buyer(world)
    posts = {
        "cancel": (lambda h: reverse("ordering:cancel", args=[h.order]), {}),
        "return": (
            lambda h: reverse("ordering:return_start", args=[h.order]),
            {"reason": "damaged", "submit_token": "wall-post"},
        ),
        "reorder": (lambda h: reverse("ordering:reorder", args=[h.order]), {}),
    }
    for here, host in HOSTS.items():
        for whose, held in world.held.items():
            if whose == here:
                continue
            for what, (url, data) in posts.items():
                with nothing_written():
                    response = client.post(url(held), data, HTTP_HOST=host)
                    check_response(response)
                check_wall(response.status_code != 404, f"buyer in {here} × {what} of {whose}")
            assert Order.objects.get(number=held.order).status == OrderStatus.RECEIVED
    # Their own order in this store: cancelled (taken out of the outbox, no ERP asked).
    own = world.held["ferrum"].order
    response = client.post(reverse("ordering:cancel", args=[own]), HTTP_HOST=FERRUM)
    check_wall(response.status_code != 302, "buyer in ferrum × cancel of own order")
    assert Order.objects.get(number=own).status == OrderStatus.CANCELLED


def test_a_buyer_names_only_their_own_companys_addresses(world):
    client = _buyer(world)
    company = world.desk.company(CODE)
    other = world.desk.company(OTHER)
    own = reverse("accounts:address", args=[company.id, world.address.id])
    check_wall(client.get(own, HTTP_HOST=FERRUM).status_code != 200, "own address page")
    for url in (
        reverse("accounts:address", args=[company.id, world.other_address.id]),
        reverse("accounts:address", args=[other.id, world.other_address.id]),
    ):
        with nothing_written():
            response = client.get(url, HTTP_HOST=FERRUM)
            check_response(response)
        check_wall(response.status_code != 404, f"buyer × address {url}")
    # A cart to check out, then another company's ship-to id in the form.
    from storefleet.ordering.cart import cart_line_add

    shop = world.desk.shop
    line_id = cart_line_add(principal=shop.principal(CODE), sku="FAS-1003", quantity=Decimal(10)).id
    for field in ("ship_to", "ship_to_line"):
        data = {"submit_token": f"wall-{field}", "ship_to": world.address.id}
        data["ship_to" if field == "ship_to" else f"ship_to_{line_id}"] = world.other_address.id
        with nothing_written():
            response = client.post(reverse("ordering:checkout"), data, HTTP_HOST=FERRUM)
            check_refusal(response, says="Choose one of your company&#x27;s ship-to addresses.")
        check_wall(Order.objects.filter(submit_token=f"wall-{field}").exists(), f"{field} id")


# ------------------------------------------------------------------ agents
def _agent(world: World) -> Client:
    client = Client()
    client.force_login(world.desk.agent)
    return client


def test_the_agent_of_one_store_reaches_nothing_of_another_by_id(world):
    desk = world.desk
    company = desk.company(CODE)
    hydra, ferrum = world.held["hydra"], world.held["ferrum"]
    ServiceAction.objects.create(
        agent_name="hydra agent",
        company=company,
        store_id=desk.hydra.store.pk,
        action=ActionKind.CONFIRMATION_RESEND,
        target=hydra.order,
        detail="HYDRA-AUDIT",
    )
    ServiceAction.objects.create(
        agent_name="ferrum agent",
        company=company,
        store_id=desk.shop.store.id,
        action=ActionKind.CONFIRMATION_RESEND,
        target=ferrum.order,
        detail="FERRUM-AUDIT",
    )
    client = _agent(world)
    page = client.get(reverse("service_company", args=[company.id]), HTTP_HOST=ADMIN)
    check_response(page)
    body = page.content.decode()
    for shown, what in (
        (hydra.order, "hydra order"),
        (hydra.ret, "hydra return"),
        (hydra.payment, "hydra payment"),
        ("HYDRA-AUDIT", "hydra audit entry"),
    ):
        check_wall(shown in body, f"agent of ferrum × company page lists the {what}")
    check_wall("FERRUM-AUDIT" not in body, "agent of ferrum × own store's audit entry")
    statement = page.context["page"].statement
    listed = {i.number for i in statement.invoices} if statement else set()
    check_wall(hydra.invoice in listed, "agent of ferrum × hydra invoice in the statement")
    cancel = reverse("service_order_cancel", args=[company.id])
    resend = reverse("service_confirmation_resend", args=[company.id])
    act = reverse("service_acting_start", args=[company.id])
    member = company.memberships.first()
    rossi_member = desk.rossi.memberships.first()
    refused = [
        ("post", cancel, {"number": hydra.order}, "We can&#x27;t find that order."),
        ("get", resend + f"?number={hydra.order}", {}, None),
        ("post", resend, {"number": hydra.order}, None),
        ("get", reverse("service_return_create", args=[company.id, hydra.order]), {}, None),
        (
            "post",
            reverse("service_return_create", args=[company.id, hydra.order]),
            {"reason": "damaged", "qty_0": "1", "submit_token": "wall-agent"},
            None,
        ),
        ("get", reverse("service_invoice_document", args=[company.id, hydra.invoice]), {}, None),
        (
            "post",
            act,
            {"member": member.id, "store": desk.hydra.store.pk},
            "valid choice",
        ),
        ("post", act, {"member": rossi_member.id, "store": desk.shop.store.id}, "valid choice"),
    ]
    for method, url, data, says in refused:
        with nothing_written():
            response = getattr(client, method)(url, data, HTTP_HOST=ADMIN, follow=True)
            if says:
                check_refusal(response, says=says)
            else:
                check_response(response)
        breached = (
            response.status_code != 404 if says is None else says not in response.content.decode()
        )
        check_wall(breached, f"agent of ferrum × {method} {url} {data}")
    assert Order.objects.get(number=hydra.order).status == OrderStatus.RECEIVED
    # A company buying in Hydra only: every console URL by its id answers 404.
    from tests.service.test_console import company_urls

    for method, url, data in company_urls(desk.rossi.id):
        with nothing_written():
            response = getattr(client, method)(url, data, HTTP_HOST=ADMIN)
            check_response(response)
        check_wall(response.status_code != 404, f"agent of ferrum × hydra-only company {url}")
    # Their own store's order: cancelled, and the audit names the store.
    response = client.post(cancel, {"number": ferrum.order}, HTTP_HOST=ADMIN)
    check_wall(Order.objects.get(number=ferrum.order).status != OrderStatus.CANCELLED, "own cancel")
    audit = ServiceAction.objects.get(action=ActionKind.ORDER_CANCEL)
    assert (audit.target, audit.store_id) == (ferrum.order, desk.shop.store.id)

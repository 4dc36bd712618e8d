"""Placing orders by API, against a reference ERP of this module's own (orders change stock and
credit): the checkout's own service (the ERP's verdict, the ERP's price of now, the outbox), once
per Idempotency-Key (replay, another body, a request racing the first), the walls (addresses
and orders of another company, partner keys), hostile bodies (a problem, nothing written), and
the pages that show an order a key placed."""

from __future__ import annotations

import datetime
import json
import os
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from storefleet.api.idempotency import records_purge
from storefleet.api.models import ApiKey, IdempotentRequest, Scope
from storefleet.api.v1 import writing
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import LineQuery
from storefleet.ordering.models import Order, OrderStatus
from storefleet.ordering.outbox_kinds import SUBMIT_ORDER
from storefleet.ordering.submission import outbox_process
from storefleet.outbox.models import Message, State
from storefleet.service.services import service_agent_add
from tests.worker_support import PLATFORM, WorkerProcess, database_url, shared_broker

from .conftest import ALL_SCOPES, FERRUM, HYDRA, World, bearer

pytestmark = pytest.mark.django_db

WRITE = [*ALL_SCOPES, Scope.ORDERS_WRITE]
BODY = {"lines": [{"sku": "FAS-1003", "quantity": "10"}, {"sku": "BRG-1002", "quantity": "4"}]}


@pytest.fixture(scope="module")
def world_erp_server(fresh_erp_server):
    """Orders change stock and credit: the module's own ERP."""
    return fresh_erp_server


def place(client, key: str, body, *, idem: str | None = "key-1", host: str = FERRUM, **headers):
    if idem is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = idem
    return client.post(
        "/api/v1/orders",
        body if isinstance(body, (bytes, str)) else json.dumps(body),
        content_type="application/json",
        HTTP_HOST=host,
        **bearer(key, **headers),
    )


def placed_orders() -> list[Order]:
    """Orders the API placed (the world's web orders have no key)."""
    return list(Order.objects.filter(placed_by_key__isnull=False))


def unit_price(code: str, sku: str, quantity: str) -> Decimal:
    (quote,) = get_gateway().current_prices(
        customer=code, lines=[LineQuery(sku, Decimal(quantity))], currency="EUR"
    )
    assert quote.unit_price is not None
    return quote.unit_price.amount


def erp_sales(world: World, number: str) -> list[dict]:
    return world.server.client().search_read(  # type: ignore[attr-defined]
        "sale.sale",
        [["description", "like", f"storefleet:{number}%"]],
        ["number", "state", "reference"],
    )


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:800]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["status"]) == (code, status)
    assert body["detail"]
    return body


def assert_nothing_written() -> None:
    assert placed_orders() == []
    assert not Message.objects.filter(kind=SUBMIT_ORDER).exists()
    assert not IdempotentRequest.objects.exists()


def test_an_order_by_api_is_placed_as_the_checkout_places_it_and_confirmed_by_the_erp(
    client, world, django_capture_on_commit_callbacks
):
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    price = unit_price("C-1004", "BRG-1002", "4")
    body = {
        "lines": [
            {"sku": "FAS-1003", "quantity": "10"},
            {"sku": "BRG-1002", "quantity": "4", "expected_unit_price": f"{price:f}"},
        ],
        "po_number": "PO-API-1",
    }
    with django_capture_on_commit_callbacks() as callbacks:
        response = place(client, key, body)
    assert response.status_code == 201, response.content[:800]
    answer = response.json()
    assert (answer["status"], answer["placed_via"], answer["po_number"]) == (
        "received",
        "C-1004 on ferrum.localhost",
        "PO-API-1",
    )
    assert Decimal(answer["total"]) == Decimal("48.44")  # 17.73 + 30.71, C-1004's contract
    assert [(line["sku"], Decimal(line["quantity"])) for line in answer["lines"]] == [
        ("FAS-1003", Decimal(10)),
        ("BRG-1002", Decimal(4)),
    ]
    (order,) = placed_orders()
    assert order.number == answer["number"] and order.company.code == "C-1004"
    assert order.placed_by is None and order.placed_by_key == ApiKey.objects.get(
        name="C-1004 on ferrum.localhost"
    )
    (message,) = Message.objects.filter(kind=SUBMIT_ORDER)
    assert [c.__qualname__ for c in callbacks].count("message_add.<locals>.<lambda>") == 1

    # The outbox carries it into the ERP as it carries a checkout's order.
    confirmed = outbox_process(message_id=message.id)
    assert confirmed is not None and confirmed.status == OrderStatus.CONFIRMED
    (sale,) = erp_sales(world, order.number)
    assert (sale["state"], sale["reference"]) == ("processing", "PO-API-1")
    detail = client.get(f"/api/v1/orders/{order.number}", HTTP_HOST=FERRUM, **bearer(key))
    assert detail.status_code == 200
    assert [s["number"] for s in detail.json()["sales"]] == [sale["number"]]

    # The same key and body again: the same order, not a second one.
    again = place(client, key, body)
    assert again.status_code == 200 and again.json()["number"] == order.number
    assert len(placed_orders()) == 1 and Message.objects.filter(kind=SUBMIT_ORDER).count() == 1
    assert len(erp_sales(world, order.number)) == 1


def test_the_key_with_another_body_or_none_is_refused_and_nothing_more_is_placed(client, world):
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    first = place(client, key, BODY, idem="same")
    assert first.status_code == 201
    other = {"lines": [{"sku": "FAS-1003", "quantity": "20"}]}
    assert_problem(place(client, key, other, idem="same"), 422, "idempotency-key-reused")
    assert_problem(place(client, key, BODY, idem=None), 400, "idempotency-key-required")
    assert_problem(place(client, key, BODY, idem="x" * 256), 400, "idempotency-key-required")
    assert_problem(place(client, key, BODY, idem="ключ"), 400, "idempotency-key-required")
    assert [o.number for o in placed_orders()] == [first.json()["number"]]
    # Another key may use the same idempotency key: it is that key's own.
    second = place(client, world.key("C-1004", FERRUM, scopes=WRITE), BODY, idem="same")
    assert second.status_code == 201 and second.json()["number"] != first.json()["number"]

    # A partner key reusing a key for another company sends "another body".
    partner = world.partner_key(codes=["C-1001", "C-1004"], hosts=[FERRUM], scopes=WRITE)
    own = place(client, partner, BODY, idem="p-1", HTTP_STOREFLEET_COMPANY="C-1001")
    assert own.status_code == 201
    assert Order.objects.get(number=own.json()["number"]).company.code == "C-1001"
    named = place(client, partner, BODY, idem="p-1", HTTP_STOREFLEET_COMPANY="C-1004")
    assert_problem(named, 422, "idempotency-key-reused")
    assert len(placed_orders()) == 3


def test_a_request_while_the_first_with_its_key_runs_is_told_to_retry(client, world, monkeypatch):
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    during: list = []
    real = writing.order_place

    def slow(caller, body, idem):
        during.append(place(client, key, BODY, idem="race"))  # arrives while this one runs
        return real(caller, body, idem)

    monkeypatch.setattr(writing, "order_place", slow)
    first = place(client, key, BODY, idem="race")
    assert first.status_code == 201
    (second,) = during
    assert_problem(second, 409, "idempotency-key-in-use")
    assert second["Retry-After"] == "1"
    monkeypatch.setattr(writing, "order_place", real)
    assert place(client, key, BODY, idem="race").json()["number"] == first.json()["number"]
    assert len(placed_orders()) == 1


def test_a_claim_left_by_a_request_that_died_is_taken_over_and_finds_the_same_order(client, world):
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    first = place(client, key, BODY, idem="died")
    # As if the request had died after placing the order, before it kept its answer.
    IdempotentRequest.objects.update(
        status=None, response=None, created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    again = place(client, key, BODY, idem="died")
    assert again.status_code == 201 and again.json()["number"] == first.json()["number"]
    assert len(placed_orders()) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_make_one_order(world):
    from django.test import Client

    key = world.key("C-1004", FERRUM, scopes=WRITE)
    answers: list = []
    start = threading.Barrier(4)

    def send() -> None:
        start.wait()
        try:
            answers.append(place(Client(), key, BODY, idem="burst"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (order,) = placed_orders()
    assert len(answers) == 4
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["code"] == "idempotency-key-in-use"
        else:
            assert answer.status_code in (200, 201), answer.content[:500]
            assert answer.json()["number"] == order.number
    assert sorted(a.status_code for a in answers).count(201) == 1


def test_a_moved_price_is_refused_with_the_moved_lines_and_nothing_is_placed(client, world):
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    price = unit_price("C-1004", "FAS-1003", "10")
    body = {
        "lines": [
            {"sku": "BRG-1002", "quantity": "4"},
            {"sku": "FAS-1003", "quantity": "10", "expected_unit_price": "0.01"},
        ]
    }
    problem = assert_problem(place(client, key, body), 409, "prices-moved")
    assert problem["moved"] == [
        {"position": 2, "sku": "FAS-1003", "expected_unit_price": "0.01", "unit_price": str(price)}
    ]
    assert_nothing_written()
    body["lines"][1]["expected_unit_price"] = f"{price:f}"
    # The refused key was given back: the corrected order may use it again.
    assert place(client, key, body).status_code == 201


def test_lines_the_erp_would_refuse_are_not_orderable_and_nothing_is_placed(client, world):
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    response = place(client, key, {"lines": [{"sku": "FAS-1003", "quantity": "100000"}]})
    problem = assert_problem(response, 422, "not-orderable")
    (line,) = problem["lines"]
    assert (line["position"], line["sku"]) == (1, "FAS-1003")
    assert "insufficient_stock" in line["reasons"]
    assert_nothing_written()


def test_a_key_places_only_for_its_own_company_and_addresses(client, world):
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    nordwerk_address = world.companies["C-1001"].addresses.filter(is_ship_to=True).first()
    own_address = world.companies["C-1004"].addresses.filter(is_ship_to=True).first()
    foreign = {**BODY, "ship_to_id": nordwerk_address.id}
    problem = assert_problem(place(client, key, foreign), 422, "invalid-request")
    assert problem["errors"][0]["loc"] == ["body", "ship_to"]
    foreign_line = {
        "ship_to_id": own_address.id,
        "lines": [{"sku": "FAS-1003", "quantity": "10", "ship_to_id": nordwerk_address.id}],
    }
    assert_problem(place(client, key, foreign_line), 422, "invalid-request")
    # Without the scope, on another store's host, naming another company: refused.
    reader = world.key("C-1004", FERRUM, scopes=ALL_SCOPES)
    assert_problem(place(client, reader, BODY), 403, "scope-missing")
    assert_problem(place(client, key, BODY, host=HYDRA), 401, "unauthenticated")
    naming = place(client, key, BODY, HTTP_STOREFLEET_COMPANY="C-1001")
    assert_problem(naming, 403, "company-not-granted")
    partner = world.partner_key(codes=["C-1001", "C-1004"], hosts=[FERRUM], scopes=WRITE)
    assert_problem(place(client, partner, BODY), 400, "company-required")
    assert_nothing_written()

    # Its own address, and a partner acting for Nordwerk places for Nordwerk at its price.
    ok = place(client, key, {**BODY, "ship_to_id": own_address.id})
    assert ok.status_code == 201 and ok.json()["ship_to_id"] == own_address.id
    acting = place(client, partner, BODY, idem="p", HTTP_STOREFLEET_COMPANY="C-1001")
    assert acting.status_code == 201
    order = Order.objects.get(number=acting.json()["number"])
    assert order.company.code == "C-1001" and order.placed_via_key == "Distributor"
    (fas,) = [line for line in order.lines.all() if line.sku == "FAS-1003"]
    assert fas.unit_price == unit_price("C-1001", "FAS-1003", "10")


HOSTILE = {
    "zero": {"lines": [{"sku": "FAS-1003", "quantity": "0"}]},
    "negative": {"lines": [{"sku": "FAS-1003", "quantity": "-1"}]},
    "words": {"lines": [{"sku": "FAS-1003", "quantity": "ten"}]},
    "huge": {"lines": [{"sku": "FAS-1003", "quantity": "1e30"}]},
    "nan": {"lines": [{"sku": "FAS-1003", "quantity": "NaN"}]},
    "too_fine": {"lines": [{"sku": "FAS-1003", "quantity": "1.00001"}]},
    "over_a_line": {"lines": [{"sku": "FAS-1003", "quantity": "999999999"}]},
    "no_lines": {"lines": []},
    "600_lines": {"lines": [{"sku": "FAS-1003", "quantity": "1"}] * 600},
    "unknown_sku": {"lines": [{"sku": "NOPE-1", "quantity": "1"}]},
    "nul_sku": {"lines": [{"sku": "FAS-1003\x00", "quantity": "1"}]},
    "nul_notes": {**BODY, "notes": "ring\x00twice"},
    "nul_po": {**BODY, "po_number": "PO\x001"},
    "long_po": {**BODY, "po_number": "P" * 36},
    "huge_ship_to": {**BODY, "ship_to_id": 10**20},
    "text_ship_to": {**BODY, "ship_to_id": "first"},
    "huge_price": {"lines": [{"sku": "FAS-1003", "quantity": "1", "expected_unit_price": "1e99"}]},
    "past_date": {**BODY, "requested_delivery_date": "2000-01-01"},
    "bad_date": {**BODY, "requested_delivery_date": "2026-02-30"},
    "a_list": [BODY],
    "not_json": b"{lines: [",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_bodies_get_a_problem_and_nothing_is_written(client, world, name):
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    response = place(client, key, HOSTILE[name])
    assert response.status_code in (400, 422), response.content[:800]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] in ("bad-request", "invalid-request", "unknown-skus")
    assert body["detail"]
    if name == "unknown_sku":
        assert body["skus"] == ["NOPE-1"]
    assert_nothing_written()


def test_pages_show_an_order_a_key_placed(client, world):
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    number = place(client, key, BODY).json()["number"]
    company = world.companies["C-1004"]
    client.force_login(world.admins["C-1004"])
    page = client.get(reverse("ordering:order", args=[number]), HTTP_HOST=FERRUM)
    assert page.status_code == 200
    assert "via API key C-1004 on ferrum.localhost" in page.content.decode()
    client.logout()

    agent = world.admins["C-1001"]  # any user; made an agent of Ferrum here
    service_agent_add(store=world.stores[FERRUM], user=agent)
    client.force_login(agent)
    console = client.get(reverse("service_order", args=[company.id, number]), HTTP_HOST="localhost")
    assert console.status_code == 200
    assert "via API key C-1004 on ferrum.localhost" in console.content.decode()


def test_idempotency_records_are_kept_a_day_at_least_then_purged(client, world):
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    place(client, key, BODY, idem="old")
    place(client, key, BODY, idem="new")
    now = timezone.now()
    IdempotentRequest.objects.filter(idempotency_key="old").update(
        created_at=now - datetime.timedelta(hours=49)
    )
    IdempotentRequest.objects.filter(idempotency_key="new").update(
        created_at=now - datetime.timedelta(hours=25)
    )
    assert records_purge() == 1
    assert list(IdempotentRequest.objects.values_list("idempotency_key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
def test_a_worker_on_the_broker_confirms_an_api_order_in_the_erp(client, world, tmp_path):
    """The path production takes: the commit sends the task to the broker, a worker process
    takes it and submits the sale (no eager call in this test)."""
    server = world.server
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    with shared_broker(tmp_path) as broker_env:
        env = {
            **os.environ,
            **broker_env,
            "DJANGO_SETTINGS_MODULE": "storefleet.settings.test",
            "PYTHONPATH": str(PLATFORM),
            "DATABASE_URL": database_url(connection.settings_dict),
            "ERP_URL": server.url,  # type: ignore[attr-defined]
            "ERP_DATABASE": server.database,  # type: ignore[attr-defined]
            "ERP_USER": server.user,  # type: ignore[attr-defined]
            "STOREFLEET_ERP_PASSWORD": server.password,  # type: ignore[attr-defined]
            "ERP_SYNC_PRODUCTS_SECONDS": "3600",
            "ERP_SYNC_CUSTOMERS_SECONDS": "3600",
        }
        worker = WorkerProcess(env, tmp_path / "worker.log", args=("--pool=solo",))
        worker.start()
        try:
            response = place(client, key, BODY, idem="worker")
            assert response.status_code == 201, response.content[:500]
            number = response.json()["number"]
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                status = Order.objects.get(number=number).status
                if status != OrderStatus.RECEIVED:
                    break
                time.sleep(0.2)
        finally:
            worker.stop()
            from storefleet.celery import app

            app.control.purge()
    assert status == OrderStatus.CONFIRMED, worker.log()[-3000:]
    (sale,) = erp_sales(world, number)
    assert sale["state"] == "processing"
    (message,) = Message.objects.filter(kind=SUBMIT_ORDER)
    assert message.state == State.DONE and message.attempts == 1

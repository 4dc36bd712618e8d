"""Cancelling orders and filing returns by API, through "My orders"' own services within the
key's company and store, once per Idempotency-Key, against a reference ERP of this module's own:
an order taken back before the ERP hears of it, one the ERP is already processing, a return of
shipped lines filed through the outbox, and what another company's key gets (not found)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from storefleet.api.models import IdempotentRequest
from storefleet.ordering.models import (
    Order,
    OrderCancellation,
    OrderStatus,
    ReturnRequest,
    ReturnStatus,
)
from storefleet.ordering.outbox_kinds import FILE_RETURN
from storefleet.ordering.selectors import order_submission, return_filing
from storefleet.ordering.submission import outbox_process
from storefleet.outbox.models import Message, State

from .conftest import FERRUM, bearer
from .test_place import BODY, WRITE, assert_problem, place

pytestmark = pytest.mark.django_db

PARTLY_SHIPPED = "SO-00004"  # C-1004: BRG-1009 20 of 40 shipped, PTR-1011 10 of 10
WAITING = "SO-00001"  # C-1001: confirmed, nothing shipped
RETURN = {
    "order_number": PARTLY_SHIPPED,
    "reason": "damaged",
    "reason_text": "Crushed in transit",
    "lines": [{"sku": "BRG-1009", "quantity": "5"}],
}


@pytest.fixture(scope="module")
def world_erp_server(fresh_erp_server):
    """Orders change stock and credit: the module's own ERP."""
    return fresh_erp_server


def post(client, key: str, path: str, body=None, *, idem: str | None = "key-1", **headers):
    if idem is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = idem
    return client.post(
        path,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_HOST=FERRUM,
        **bearer(key, **headers),
    )


def cancel(client, key: str, number: str, *, idem: str | None = "cancel-1", **headers):
    return post(client, key, f"/api/v1/orders/{number}/cancel", idem=idem, **headers)


def test_an_order_not_in_the_erp_yet_is_taken_back_once(client, world):
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    number = place(client, key, BODY).json()["number"]
    order = Order.objects.get(number=number)
    assert_problem(cancel(client, key, number, idem=None), 400, "idempotency-key-required")
    # Another company's key: not found, and nothing changes.
    nordwerk = world.key("C-1001", FERRUM, scopes=WRITE)
    assert_problem(cancel(client, nordwerk, number), 404, "not-found")
    assert not OrderCancellation.objects.exists()

    response = cancel(client, key, number)
    assert response.status_code == 200, response.content[:500]
    answer = response.json()
    assert (answer["number"], answer["already_cancelled"], answer["before_erp"]) == (
        number,
        False,
        True,
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order_submission(order_id=order.id).state == State.CANCELLED  # type: ignore[union-attr]
    assert cancel(client, key, number).json() == answer  # the same key: the same answer
    again = cancel(client, key, number, idem="cancel-2")
    assert again.status_code == 200 and again.json()["already_cancelled"] is True
    assert OrderCancellation.objects.count() == 1
    # The world's web order of Nordwerk (received, never sent) is not C-1004's to cancel.
    theirs = cancel(client, key, world.orders[(FERRUM, "C-1001")], idem="cancel-3")
    assert_problem(theirs, 404, "not-found")


def test_an_order_the_erp_is_processing_is_not_cancellable(client, world):
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    number = place(client, key, BODY).json()["number"]
    order = Order.objects.get(number=number)
    outbox_process(message_id=order_submission(order_id=order.id).id)  # type: ignore[union-attr]
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    problem = assert_problem(cancel(client, key, number), 409, "not-cancellable")
    assert "return" in problem["detail"]
    assert not OrderCancellation.objects.exists()
    assert not IdempotentRequest.objects.filter(operation="order.cancel").exists()


def test_a_return_is_filed_once_per_key_through_the_outbox_and_listed_for_its_company(
    client, world
):
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    nordwerk = world.key("C-1001", FERRUM, scopes=WRITE)
    assert_problem(post(client, nordwerk, "/api/v1/returns", RETURN), 404, "not-found")
    assert not ReturnRequest.objects.exists()

    response = post(client, key, "/api/v1/returns", RETURN)
    assert response.status_code == 201, response.content[:800]
    answer = response.json()
    assert (answer["order_number"], answer["status"], answer["reason"]) == (
        PARTLY_SHIPPED,
        "received",
        "damaged",
    )
    assert [(line["sku"], Decimal(line["quantity"])) for line in answer["lines"]] == [
        ("BRG-1009", Decimal(5))
    ]
    made = ReturnRequest.objects.get()
    assert made.number == answer["number"] and made.requested_by is None
    assert made.store_id == world.stores[FERRUM].id and made.company.code == "C-1004"
    again = post(client, key, "/api/v1/returns", RETURN)
    assert again.status_code == 200 and again.json()["number"] == made.number
    other = {**RETURN, "lines": [{"sku": "BRG-1009", "quantity": "6"}]}
    assert_problem(post(client, key, "/api/v1/returns", other), 422, "idempotency-key-reused")
    assert ReturnRequest.objects.count() == 1

    # The outbox files it in the ERP; the list shows what became of it.
    (message,) = Message.objects.filter(kind=FILE_RETURN)
    outbox_process(message_id=message.id)
    made.refresh_from_db()
    assert made.status == ReturnStatus.FILED and made.erp_number
    listed = client.get("/api/v1/returns", HTTP_HOST=FERRUM, **bearer(key)).json()
    assert [(r["number"], r["status"], r["erp_number"]) for r in listed["items"]] == [
        (made.number, "filed", made.erp_number)
    ]
    assert listed["next_cursor"] is None
    theirs = client.get("/api/v1/returns", HTTP_HOST=FERRUM, **bearer(nordwerk)).json()
    assert theirs["items"] == []
    assert return_filing(return_id=made.id).state == State.DONE  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({**RETURN, "lines": [{"sku": "BRG-1009", "quantity": "25"}]}, "return-invalid"),
        ({**RETURN, "lines": [{"sku": "FAS-1003", "quantity": "1"}]}, "return-invalid"),
        ({**RETURN, "reason": "bored"}, "return-invalid"),
        ({**RETURN, "reason": "other", "reason_text": ""}, "return-invalid"),
        ({**RETURN, "reason_text": "bad\x00"}, "invalid-request"),
        ({**RETURN, "lines": [{"sku": "BRG-1009", "quantity": "-1"}]}, "invalid-request"),
        ({**RETURN, "lines": [{"sku": "BRG-1009", "quantity": "1e40"}]}, "invalid-request"),
        ({**RETURN, "lines": [{"sku": "BRG-1009", "quantity": "1"}] * 600}, "invalid-request"),
        ({**RETURN, "order_number": "SO\x00"}, "invalid-request"),
        ({**RETURN, "order_number": "NOPE-1"}, "not-found"),
    ],
)
def test_a_return_the_order_cannot_take_is_refused_with_what_to_fix(client, world, body, code):
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    response = post(client, key, "/api/v1/returns", body)
    assert response.status_code in (404, 422), response.content[:800]
    assert_problem(response, response.status_code, code)
    assert not ReturnRequest.objects.exists() and not IdempotentRequest.objects.exists()


def test_nothing_shipped_nothing_to_return(client, world):
    key = world.key("C-1001", FERRUM, scopes=WRITE)
    body = {**RETURN, "order_number": WAITING, "lines": [{"sku": "BRG-1001", "quantity": "1"}]}
    problem = assert_problem(post(client, key, "/api/v1/returns", body), 422, "return-invalid")
    assert "cancel" in problem["detail"] or "shipped" in problem["detail"]
    assert not ReturnRequest.objects.exists()

"""The partner API places through the checkout's own service, so the company's approval rules
apply to it too: an order a rule catches answers status "held" and is not sent to the ERP."""

from __future__ import annotations

import datetime
import json

from django.utils import timezone

from storefleet.accounts.models import Company, MemberRole
from storefleet.api.keys import api_key_create
from storefleet.api.models import KeyKind, Scope
from storefleet.approvals.models import ApprovalRequest
from storefleet.ordering.models import Order, OrderStatus
from storefleet.outbox.models import Message
from storefleet.tenants.models import Store
from tests.api.conftest import ALL_SCOPES, bearer

from .conftest import HOST, rule

BODY = {"lines": [{"sku": "FAS-1003", "quantity": "10"}, {"sku": "BRG-1002", "quantity": "4"}]}


def key_for(shop, code: str) -> str:
    _key, text = api_key_create(
        name=f"{code} on {HOST}",
        kind=KeyKind.COMPANY,
        scopes=[*ALL_SCOPES, Scope.ORDERS_WRITE],
        expires_at=timezone.now() + datetime.timedelta(days=30),
        company=Company.objects.get(code=code),
        store=Store.objects.get(pk=shop.store.id),
    )
    return text


def place(client, key: str, idem: str):
    return client.post(
        "/api/v1/orders",
        json.dumps(BODY),
        content_type="application/json",
        HTTP_HOST=HOST,
        **bearer(key, HTTP_IDEMPOTENCY_KEY=idem),
    )


def test_an_api_order_a_rule_catches_is_held_and_one_it_doesnt_goes_through(client, shop):
    rule("C-1004", "40.00", role=MemberRole.BUYER)  # a key has no role: not caught
    key = key_for(shop, "C-1004")
    response = place(client, key, "k-1")
    assert response.status_code == 201, response.content[:800]
    assert response.json()["status"] == "received"
    assert Message.objects.count() == 1

    rule("C-1004", "40.00")
    response = place(client, key, "k-2")
    assert response.status_code == 201, response.content[:800]
    answer = response.json()
    assert answer["status"] == "held"
    order = Order.objects.get(number=answer["number"])
    assert order.status == OrderStatus.HELD and order.placed_by_key is not None
    assert ApprovalRequest.objects.get(order=order).requested_by is None
    assert Message.objects.count() == 1  # only the first order's

    # Its page, read by the API as by the storefront, says where it stands and why it can't
    # be cancelled or returned.
    detail = client.get(f"/api/v1/orders/{order.number}", HTTP_HOST=HOST, **bearer(key))
    assert detail.status_code == 200, detail.content[:800]
    page = detail.json()
    assert (page["stage"], page["can_cancel"], page["can_return"]) == (
        "awaiting_approval",
        False,
        False,
    )
    assert "waits for approval" in page["why_not_cancel"]
    assert "has not reached our ERP" in page["why_not_return"]

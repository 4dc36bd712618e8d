"""The cancel and return pages as a buyer uses them, the returns pages, the order-actions
include, and the walls: another company's order cancel and return pages, and its returns,
answer 404 for every object, with nothing changed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from storefleet.ordering import submission
from storefleet.ordering.actions import OrderActions, Stage, order_actions
from storefleet.ordering.cancel import order_cancel
from storefleet.ordering.models import (
    Order,
    OrderCancellation,
    OrderStatus,
    ReturnRequest,
    ReturnStatus,
)
from storefleet.ordering.returns.services import ReturnReasonGiven, ReturnWanted, return_request
from storefleet.ordering.selectors import return_filing
from tests.erp.conftest import erp_away

from .conftest import HOST
from .test_returns import PARTLY_SHIPPED, erp_quotation, erp_state
from .test_services import checkout, fill

pytestmark = pytest.mark.django_db


def signed_in(client, shop, code):
    client.force_login(shop.buyers[code])
    return client


def get(client, path):
    return client.get(path, HTTP_HOST=HOST)


def post(client, path, data=None):
    return client.post(path, data or {}, HTTP_HOST=HOST, follow=True)


def test_cancel_page_confirms_then_cancels_once(client, shop):
    c = signed_in(client, shop, "C-1004")
    fill(shop, "C-1004", "FAS-1003 10")
    order = checkout(shop, "C-1004", token="view-cancel")
    page = get(c, f"/orders/{order.number}/cancel/").content.decode()
    assert f"Cancel order {order.number}</button>" in page
    assert Order.objects.get(id=order.id).status == OrderStatus.RECEIVED  # GET changes nothing
    first = post(c, f"/orders/{order.number}/cancel/").content.decode()
    assert f"Order {order.number} is cancelled." in first
    assert 'data-status="cancelled"' in first and "by buyer@c-1004.example" in first
    second = post(c, f"/orders/{order.number}/cancel/").content.decode()
    assert f"Order {order.number} is already cancelled." in second
    assert OrderCancellation.objects.count() == 1
    assert shop.erp_sales(order.number) == []


def test_cancel_refused_says_what_to_do_instead(client, shop):
    c = signed_in(client, shop, "C-1004")
    response = c.post(f"/orders/{PARTLY_SHIPPED}/cancel/", HTTP_HOST=HOST)
    body = response.content.decode()
    assert response.status_code == 409
    assert 'data-code="not_cancellable"' in body and "request a return" in body
    assert f'href="/orders/{PARTLY_SHIPPED}/return/"' in body
    assert erp_state(shop, PARTLY_SHIPPED) == "processing"


def test_cancel_with_the_erp_away_says_try_again(client, shop):
    number = erp_quotation(shop, "C-1001")
    c = signed_in(client, shop, "C-1001")
    with erp_away():
        response = c.post(f"/orders/{number}/cancel/", HTTP_HOST=HOST)
    assert response.status_code == 503
    assert "nothing was changed: please try again in a few minutes" in response.content.decode()
    assert erp_state(shop, number) == "quotation"


def test_buyer_requests_a_return_and_follows_it(client, shop):
    c = signed_in(client, shop, "C-1004")
    page = get(c, f"/orders/{PARTLY_SHIPPED}/return/").content.decode()
    assert '<tr data-sku="BRG-1009">' in page and 'name="qty-BRG-1009"' in page
    token = page.split('name="submit_token" value="')[1].split('"')[0]
    data = {"submit_token": token, "qty-BRG-1009": "2", "reason": "defective", "reason_text": ""}
    done = post(c, f"/orders/{PARTLY_SHIPPED}/return/", data)
    again = post(c, f"/orders/{PARTLY_SHIPPED}/return/", data)  # the double submit
    (made,) = ReturnRequest.objects.all()
    assert done.redirect_chain[-1][0] == again.redirect_chain[-1][0] == f"/returns/{made.number}/"
    assert "is requested" in done.content.decode()
    submission.outbox_process(message_id=return_filing(return_id=made.id).id)
    detail = get(c, f"/returns/{made.number}/").content.decode()
    assert 'data-status="filed" data-erp-state="waiting"' in detail
    assert "Waiting for review" in detail and "BRG-1009" in detail
    # Approved in the ERP (Tryton then makes the return sale: done): shown on the next view.
    erp = shop.server.client()
    made.refresh_from_db()
    (complaint,) = erp.search_read("sale.complaint", [["number", "=", made.erp_number]], ["id"])
    erp.model("sale.complaint", "approve", [complaint["id"]])
    listing = get(c, "/returns/").content.decode()
    assert f'<tr data-return="{made.number}">' in listing and "Processed" in listing
    made.refresh_from_db()
    assert (made.status, made.erp_state) == (ReturnStatus.FILED, "done")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"qty-BRG-1009": "999", "reason": "damaged"}, "you can return at most"),
        ({"qty-BRG-1009": "", "reason": "damaged"}, "Pick at least one line"),
        ({"qty-BRG-1009": "abc", "reason": "damaged"}, "BRG-1009: enter a number."),
        ({"qty-BRG-1009": "1e-20", "reason": "damaged"}, "use at most 4 decimals in a"),
        ({"qty-BRG-1009": "Infinity", "reason": "damaged"}, "BRG-1009: enter a number."),
        ({"qty-BRG-1009": "1", "reason": ""}, "Choose a reason for the return."),
        ({"qty-BRG-1009": "1", "reason": "other"}, "Tell us why you return these lines."),
    ],
)
def test_bad_return_input_is_shown_next_to_the_line(client, shop, data, message):
    c = signed_in(client, shop, "C-1004")
    response = c.post(
        f"/orders/{PARTLY_SHIPPED}/return/", {"submit_token": "t-bad"} | data, HTTP_HOST=HOST
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReturnRequest.objects.exists()


def test_order_not_shipped_yet_says_cancel_instead(client, shop):
    c = signed_in(client, shop, "C-1001")
    body = get(c, "/orders/SO-00001/return/").content.decode()
    assert "Nothing of this order has been shipped yet" in body
    assert 'name="qty-' not in body


@pytest.mark.parametrize("method", ["get", "post"])
def test_walls_another_companys_orders_and_returns_answer_404(client, shop, method):
    other = signed_in(client, shop, "C-1004")
    made = return_request(
        principal=shop.buyer("C-1004"),
        number=PARTLY_SHIPPED,
        lines=[ReturnWanted("PTR-1011", Decimal(1))],
        reason=ReturnReasonGiven("damaged"),
    )
    fill(shop, "C-1004", "FAS-1003 10")
    order = checkout(shop, "C-1004", token="wall")
    quotation = erp_quotation(shop, "C-1004")
    other.logout()
    c = signed_in(client, shop, "C-1001")
    send = getattr(c, method)
    data = {"qty-PTR-1011": "1", "reason": "damaged", "submit_token": "wall-t"}
    paths = [
        f"/orders/{n}/{action}/"
        for n in (order.number, PARTLY_SHIPPED, quotation, "SO-00006")
        for action in ("cancel", "return")
    ] + [f"/returns/{made.number}/"]
    for path in paths:
        response = send(path, data, HTTP_HOST=HOST)
        assert response.status_code == 404, path
    assert made.number not in get(c, "/returns/").content.decode()
    assert Order.objects.get(id=order.id).status == OrderStatus.RECEIVED
    assert erp_state(shop, quotation) == "quotation"
    assert not OrderCancellation.objects.exists()
    assert ReturnRequest.objects.count() == 1


def test_order_actions_include_shows_only_what_is_allowed(shop):
    allowed = render_to_string(
        "ordering/includes/order_actions.html",
        {"order_number": "SO-1", "actions": {"cancel": True, "request_return": False}},
    )
    assert 'href="/orders/SO-1/cancel/"' in allowed and "/return/" not in allowed
    nothing = render_to_string(
        "ordering/includes/order_actions.html",
        {"order_number": "SO-1", "actions": OrderActions(False, False)},
    )
    assert nothing.strip() == ""
    fill(shop, "C-1004", "FAS-1003 10")
    order = checkout(shop, "C-1004", token="actions")
    buyer = shop.buyer("C-1004")
    assert order_actions(principal=buyer, number=order.number) == OrderActions(
        cancel=True, request_return=False, stage=Stage.RECEIVED
    )
    outcome = order_cancel(principal=buyer, number=order.number)
    cancelled = order_actions(principal=buyer, number=order.number)
    assert cancelled == OrderActions(
        cancel=False,
        request_return=False,
        cancelled_at=outcome.cancelled_at,
        cancelled_by="buyer@c-1004.example",
        stage=Stage.CANCELLED,
    )
    shown = render_to_string(
        "ordering/includes/order_actions.html",
        {"order_number": order.number, "actions": cancelled},
    )
    assert "by buyer@c-1004.example." in shown and "/cancel/" not in shown
    status = shop.gateway.order_status(number=PARTLY_SHIPPED)
    assert order_actions(principal=buyer, number=PARTLY_SHIPPED, status=status) == OrderActions(
        cancel=False, request_return=True, stage=Stage.SHIPPED
    )


def test_return_page_with_the_erp_away_says_try_again(client, shop):
    c = signed_in(client, shop, "C-1004")
    with erp_away():
        response = get(c, f"/orders/{PARTLY_SHIPPED}/return/")
    assert response.status_code == 503
    assert "please try again in a few minutes" in response.content.decode()
    assert not ReturnRequest.objects.exists()

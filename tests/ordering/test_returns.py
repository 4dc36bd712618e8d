"""Cancelling orders and returning shipped lines against the real ERP: a platform order taken
out of the outbox before the ERP hears of it (and the race with a worker), a sale the ERP still
allows cancelling, one it no longer does, the ERP away; returns checked against what was
shipped and already asked back, filed once through the outbox, and their state followed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from storefleet.erp.types import OrderState
from storefleet.errors import ApplicationError
from storefleet.ordering import submission
from storefleet.ordering.cancel import cancellation_for, order_cancel
from storefleet.ordering.models import (
    CartLine,
    Order,
    OrderCancellation,
    OrderStatus,
    ReturnRequest,
    ReturnStatus,
)
from storefleet.ordering.order_ref import NotFound
from storefleet.ordering.outbox_kinds import FILE_RETURN, SUBMIT_ORDER
from storefleet.ordering.returns.refresh import returns_refresh
from storefleet.ordering.returns.selectors import SeveralSales, return_form
from storefleet.ordering.returns.services import (
    ReturnInvalid,
    ReturnReasonGiven,
    ReturnWanted,
    return_request,
)
from storefleet.ordering.selectors import order_submission, return_filing
from storefleet.outbox.models import Message
from tests.erp.conftest import erp_away

from .test_services import checkout, fill

pytestmark = pytest.mark.django_db

PARTLY_SHIPPED = "SO-00004"  # C-1004: BRG-1009 20 of 40 shipped, PTR-1011 10 of 10
WAITING = "SO-00001"  # C-1001: confirmed, nothing shipped


def company(shop, code):
    return shop.membership(code).company


def erp_quotation(shop, code: str) -> str:
    """A sale entered straight into the ERP (as by phone) and quoted: still cancellable."""
    backend = shop.gateway.backend
    customer = backend.lookups.customer(code)
    product = backend.lookups.products(["FAS-1003"])["FAS-1003"]
    client = backend.client
    (sale_id,) = client.model(
        "sale.sale",
        "create",
        [
            {
                "party": customer.id,
                "warehouse": backend.lookups.warehouse_id("WH-EU"),
                "shipment_cost_method": None,
                "invoice_address": customer.invoice_address_id,
                "shipment_address": customer.address_ids[0],
                "currency": customer.currency_id,
                "reference": "PHONE-1",
                "lines": [
                    [
                        "create",
                        [
                            {
                                "product": product.id,
                                "quantity": 10.0,
                                "unit": product.sale_unit_id,
                                "unit_price": Decimal("1.50"),
                            }
                        ],
                    ]
                ],
            }
        ],
    )
    client.model("sale.sale", "quote", [sale_id])
    (row,) = client.model("sale.sale", "read", [sale_id], ["number"])
    return row["number"]


def erp_state(shop, number: str) -> str:
    return shop.gateway.order_status(number=number).state.value


# ------------------------------------------------------------------ cancel
def test_order_still_in_the_outbox_is_cancelled_and_never_reaches_the_erp(shop):
    fill(shop, "C-1004", "FAS-1003 10")
    order = checkout(shop, "C-1004", token="cancel-early")
    buyer = shop.buyers["C-1004"]
    outcome = order_cancel(principal=shop.buyer("C-1004"), number=order.number)
    assert (outcome.already_cancelled, outcome.before_erp, outcome.cancelled_by) == (
        False,
        True,
        buyer.email,
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    (message,) = Message.objects.filter(kind=SUBMIT_ORDER, subject=order.id)
    assert message.done_at is not None and message.attempts == 0
    # The worker's first run (claim 0), a redelivery and a run by hand: none submits.
    assert submission.outbox_process(message_id=message.id, claim=0) is None
    assert submission.outbox_process(message_id=message.id) is None
    assert shop.erp_sales(order.number) == []
    again = order_cancel(principal=shop.buyer("C-1004"), number=order.number)
    assert again.already_cancelled and again.cancelled_at == outcome.cancelled_at
    assert OrderCancellation.objects.filter(number=order.number).count() == 1


def test_order_a_worker_has_taken_up_is_not_cancelled_under_it(shop):
    fill(shop, "C-1004", "FAS-1003 10")
    order = checkout(shop, "C-1004", token="cancel-race")
    message = order_submission(order_id=order.id)
    # What a worker's take-up does (outbox_process): attempts + 1, leased.
    Message.objects.filter(id=message.id).update(attempts=1)
    with pytest.raises(ApplicationError) as refused:
        order_cancel(principal=shop.buyer("C-1004"), number=order.number)
    assert refused.value.code == "in_transit"
    assert "Nothing was changed" in refused.value.message
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    assert not OrderCancellation.objects.exists()
    assert Message.objects.get(id=message.id).done_at is None


def test_a_cancelled_order_is_skipped_by_a_worker_that_takes_it_up_later(shop):
    fill(shop, "C-1004", "FAS-1003 10")
    order = checkout(shop, "C-1004", token="cancel-guard")
    Order.objects.filter(id=order.id).update(status=OrderStatus.CANCELLED)
    message = order_submission(order_id=order.id)
    assert submission.outbox_process(message_id=message.id).status == OrderStatus.CANCELLED
    assert Message.objects.get(id=message.id).done_at is not None
    assert shop.erp_sales(order.number) == []


def test_order_being_shipped_is_refused_with_what_to_do_instead(shop):
    fill(shop, "C-1004", "FAS-1003 10")
    order = checkout(shop, "C-1004", token="cancel-late")
    submission.outbox_process(message_id=order_submission(order_id=order.id).id)
    (sale,) = order.sales.all()
    assert erp_state(shop, sale.erp_number) == "processing"
    for number in (order.number, sale.erp_number):
        with pytest.raises(ApplicationError) as refused:
            order_cancel(principal=shop.buyer("C-1004"), number=number)
        assert refused.value.code == "not_cancellable"
        assert "request a return" in refused.value.message
    assert erp_state(shop, sale.erp_number) == "processing"
    assert Order.objects.get(id=order.id).status == OrderStatus.CONFIRMED
    assert not OrderCancellation.objects.exists()


def test_sale_entered_in_the_erp_is_cancelled_there_once(shop):
    number = erp_quotation(shop, "C-1001")
    with pytest.raises(NotFound):  # the wall: another company's sale
        order_cancel(principal=shop.buyer("C-1004"), number=number)
    assert erp_state(shop, number) == "quotation"
    buyer = shop.buyers["C-1001"]
    first = order_cancel(principal=shop.buyer("C-1001"), number=number)
    second = order_cancel(principal=shop.buyer("C-1001"), number=number)
    assert (first.already_cancelled, second.already_cancelled, first.before_erp) == (
        False,
        True,
        False,
    )
    assert erp_state(shop, number) == OrderState.CANCELLED.value
    record = cancellation_for(principal=shop.buyer("C-1001"), number=number)
    assert record is not None and record.cancelled_by == buyer and record.order is None


def test_erp_away_cancels_nothing_and_says_try_again(shop):
    number = erp_quotation(shop, "C-1001")
    with erp_away(), pytest.raises(ApplicationError) as away:
        order_cancel(principal=shop.buyer("C-1001"), number=number)
    assert away.value.code == "erp_unavailable"
    assert "nothing was changed" in away.value.message
    assert not OrderCancellation.objects.exists()
    assert erp_state(shop, number) == "quotation"


@pytest.mark.parametrize("number", ["", "NOPE-1", "SO-00004", "X" * 200, "SO-99999"])
def test_unknown_or_another_companys_order_is_not_found(shop, number):
    with pytest.raises(NotFound):
        order_cancel(principal=shop.buyer("C-1001"), number=number)
    assert not OrderCancellation.objects.exists()


# ------------------------------------------------------------------ returns
def wanted(*pairs):
    return [ReturnWanted(sku, Decimal(q)) for sku, q in pairs]


DAMAGED = ReturnReasonGiven("damaged", "Two boxes crushed")


def test_return_form_shows_shipped_less_already_returned(shop):
    """The first test of the module to file anything: the seeded sale as it is."""
    form = return_form(principal=shop.buyer("C-1004"), number=PARTLY_SHIPPED)
    assert [(r.sku, r.ordered, r.shipped, r.requested, r.returnable) for r in form.rows] == [
        ("BRG-1009", Decimal(40), Decimal(20), Decimal(0), Decimal(20)),
        ("PTR-1011", Decimal(10), Decimal(10), Decimal(0), Decimal(10)),
    ]
    assert form.anything_shipped and form.state is OrderState.PROCESSING


def test_return_is_written_once_filed_through_the_outbox_and_counted(
    shop, django_capture_on_commit_callbacks
):
    buyer = shop.buyers["C-1004"]
    lines = wanted(("BRG-1009", "5"), ("PTR-1011", "0"))
    with django_capture_on_commit_callbacks() as callbacks:
        made = return_request(
            principal=shop.buyer("C-1004"),
            number=PARTLY_SHIPPED,
            lines=lines,
            reason=DAMAGED,
            submit_token="ret-tok-1",
        )
        again = return_request(
            principal=shop.buyer("C-1004"),
            number=PARTLY_SHIPPED,
            lines=lines,
            reason=DAMAGED,
            submit_token="ret-tok-1",
        )
    assert len(callbacks) == 1  # the worker is asked once, after commit
    assert made.store_id == shop.store.id and made.requested_by == buyer
    assert again.pk == made.pk and ReturnRequest.objects.count() == 1
    assert [(line.sku, line.quantity) for line in made.lines.all()] == [("BRG-1009", Decimal(5))]
    (message,) = Message.objects.filter(kind=FILE_RETURN, subject=made.id)
    assert message.kind == FILE_RETURN
    # Received, not yet filed: the quantity already counts against what is left.
    form = return_form(principal=shop.buyer("C-1004"), number=PARTLY_SHIPPED)
    assert form.rows[0].requested == Decimal(5)
    assert submission.outbox_process(message_id=message.id, claim=0) is None
    submission.outbox_process(message_id=message.id)  # a redelivery files nothing twice
    made.refresh_from_db()
    assert (made.status, made.erp_state) == (ReturnStatus.FILED, "waiting")
    assert made.erp_number
    complaints = shop.server.client().search_read(
        "sale.complaint", [["reference", "=", f"storefleet:{made.number}"]], ["description"]
    )
    assert [c["description"] for c in complaints] == [
        "Arrived damaged: Two boxes crushed\nBRG-1009 × 5.0000"
    ]
    form = return_form(principal=shop.buyer("C-1004"), number=PARTLY_SHIPPED)
    assert [(r.sku, r.requested, r.returnable) for r in form.rows] == [
        ("BRG-1009", Decimal(5), Decimal(15)),
        ("PTR-1011", Decimal(0), Decimal(10)),
    ]


@pytest.mark.parametrize(
    ("lines", "reason", "key", "text"),
    [
        ([("BRG-1009", "LEFT+1")], DAMAGED, "BRG-1009", "you can return at most LEFT Unit"),
        ([("BRG-1009", "0")], DAMAGED, "", "Pick at least one line"),
        ([], DAMAGED, "", "Pick at least one line"),
        ([("XYZ-1", "1")], DAMAGED, "XYZ-1", "is not on order"),
        ([("BRG-1009", "-1")], DAMAGED, "BRG-1009", "0 or more"),
        ([("BRG-1009", "NaN")], DAMAGED, "BRG-1009", "0 or more"),
        (
            [("BRG-1009", "1e-20")],
            DAMAGED,
            "BRG-1009",
            "BRG-1009: use at most 4 decimals in a quantity (the smallest is 0.0001).",
        ),
        ([("BRG-1009", "1.00001")], DAMAGED, "BRG-1009", "use at most 4 decimals"),
        ([("BRG-1009", "1")], ReturnReasonGiven("bogus"), "reason", "Choose a reason"),
        ([("BRG-1009", "1")], ReturnReasonGiven("other"), "reason", "Tell us why"),
        (
            [("BRG-1009", "1")],
            ReturnReasonGiven("damaged", "crushed\x00"),
            "reason",
            "The description has invisible characters in it: type it again.",
        ),
    ],
)
def test_bad_return_requests_say_what_to_fix_and_write_nothing(shop, lines, reason, key, text):
    left = return_form(principal=shop.buyer("C-1004"), number=PARTLY_SHIPPED).rows[0]
    assert left.sku == "BRG-1009" and left.returnable > 0
    lines = [(sku, str(left.returnable + 1) if q == "LEFT+1" else q) for sku, q in lines]
    text = text.replace("LEFT", f"{left.returnable:f}")
    with pytest.raises(ReturnInvalid) as invalid:
        return_request(
            principal=shop.buyer("C-1004"),
            number=PARTLY_SHIPPED,
            lines=wanted(*lines),
            reason=reason,
        )
    assert text in invalid.value.errors[key]
    assert not ReturnRequest.objects.exists() and not Message.objects.exists()


def test_nothing_shipped_yet_cannot_be_returned(shop):
    with pytest.raises(ReturnInvalid) as invalid:
        return_request(
            principal=shop.buyer("C-1001"),
            number=WAITING,
            lines=wanted(("BRG-1003", "1")),
            reason=DAMAGED,
        )
    assert "has been shipped yet" in invalid.value.errors[""]
    fill(shop, "C-1004", "FAS-1003 10")
    order = checkout(shop, "C-1004", token="ret-unsent")
    with pytest.raises(ApplicationError) as unsent:
        return_form(principal=shop.buyer("C-1004"), number=order.number)
    assert unsent.value.code == "not_shipped"
    assert not ReturnRequest.objects.exists()


def test_another_companys_order_has_no_return_form(shop):
    for number in (PARTLY_SHIPPED, "SO-00006", "nope"):
        with pytest.raises(NotFound):
            return_request(
                principal=shop.buyer("C-1001"),
                number=number,
                lines=wanted(("BRG-1009", "1")),
                reason=DAMAGED,
            )
    assert not ReturnRequest.objects.exists()


def test_return_the_erp_refuses_at_filing_is_recorded_as_refused(shop):
    made = return_request(
        principal=shop.buyer("C-1004"),
        number=PARTLY_SHIPPED,
        lines=wanted(("PTR-1011", "10")),
        reason=DAMAGED,
    )
    # Meanwhile someone asked the ERP for the same ten back (e.g. by phone).
    made.lines.update(quantity=Decimal(11))
    submission.outbox_process(message_id=return_filing(return_id=made.id).id)
    made.refresh_from_db()
    assert made.status == ReturnStatus.REFUSED
    assert "only what was shipped and not already returned" in made.refusal_message
    assert return_filing(return_id=made.id).done_at is not None


def test_return_waits_in_the_outbox_while_the_erp_is_away(shop):
    made = return_request(
        principal=shop.buyer("C-1004"),
        number=PARTLY_SHIPPED,
        lines=wanted(("PTR-1011", "1")),
        reason=DAMAGED,
    )
    message = return_filing(return_id=made.id)
    with erp_away(), pytest.raises(submission.OutboxDeferred):
        submission.outbox_process(message_id=message.id, claim=0)
    made.refresh_from_db()
    message.refresh_from_db()
    assert made.status == ReturnStatus.RECEIVED and message.done_at is None
    assert message.last_error
    Message.objects.filter(id=message.id).update(next_try_at=timezone.now())
    submission.outbox_process(message_id=message.id, claim=message.attempts)
    made.refresh_from_db()
    assert made.status == ReturnStatus.FILED
    assert returns_refresh(returns=[made]) is True
    assert made.erp_state == "waiting"


def ship_in_erp(shop, number: str) -> None:
    """What the warehouse does in the ERP: assign, pick, pack and send the sale's shipments."""
    erp = shop.server.client()
    (sale,) = erp.search_read("sale.sale", [["number", "=", number]], ["shipments"])
    for button in ("assign_try", "pick", "pack", "do"):
        erp.model("stock.shipment.out", button, sale["shipments"])


def test_an_order_of_two_sales_is_returned_sale_by_sale(shop):
    fill(shop, "C-1002", "FAS-1003 10\nBRG-1002 2")
    c = company(shop, "C-1002")
    first, second = c.addresses.filter(is_ship_to=True).order_by("erp_id")
    line = CartLine.objects.get(product__sku="BRG-1002")
    order = checkout(
        shop, "C-1002", token="two-sales", ship_to_id=first.id, line_ship_to={line.id: second.id}
    )
    submission.outbox_process(message_id=order_submission(order_id=order.id).id)
    one, two = order.sales.order_by("key").values_list("erp_number", flat=True)
    with pytest.raises(SeveralSales) as several:
        return_form(principal=shop.buyer("C-1002"), number=order.number)
    assert several.value.ref.erp_numbers == (one, two)
    ship_in_erp(shop, two)
    assert not return_form(principal=shop.buyer("C-1002"), number=one).anything_shipped
    made = return_request(
        principal=shop.buyer("C-1002"),
        number=two,
        lines=wanted(("BRG-1002", "2")),
        reason=DAMAGED,
    )
    assert made.order == order and made.order_number == two
    submission.outbox_process(message_id=return_filing(return_id=made.id).id)
    made.refresh_from_db()
    assert made.status == ReturnStatus.FILED
    with pytest.raises(ApplicationError) as refused:  # shipping: the whole order stays
        order_cancel(principal=shop.buyer("C-1002"), number=order.number)
    assert refused.value.code == "not_cancellable"
    assert {erp_state(shop, one), erp_state(shop, two)} == {"processing"}

"""The cart, its live ERP verdict, placing an order once, and carrying it into the real ERP
through the outbox: confirmed, refused, or received while the ERP is away."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation

from storefleet.accounts.principal import Principal
from storefleet.erp.types import ReasonCode
from storefleet.errors import ApplicationError
from storefleet.ordering.cart import (
    cart_check,
    cart_line_add,
    cart_line_set_quantity,
    cart_reorder,
    quick_order_add,
)
from storefleet.ordering.checkout import (
    CartNotOrderable,
    CheckoutRequest,
    one_year_after,
    order_place,
)
from storefleet.ordering.models import CartLine, ErpSale, Order, OrderStatus
from storefleet.ordering.quick_order import parse_lines
from storefleet.ordering.selectors import order_submission
from storefleet.ordering.submission import outbox_process, outbox_sweep
from storefleet.outbox.models import Message, State
from tests.erp.conftest import erp_away

pytestmark = pytest.mark.django_db


def fill(shop, code: str, text: str) -> None:
    result = quick_order_add(principal=shop.principal(code), rows=parse_lines(text))
    assert not result.errors, result.errors


def checkout(shop, code: str, token: str = "tok-1", **extra) -> Order:  # noqa: S107
    membership = shop.membership(code)
    address = membership.company.addresses.filter(is_ship_to=True, active=True).first()
    request = CheckoutRequest(
        submit_token=token, ship_to_id=extra.pop("ship_to_id", address.id), **extra
    )
    return order_place(
        principal=Principal.for_member(store=shop.store, membership=membership), request=request
    )


def test_each_cart_line_gets_the_erps_verdict_and_a_fix(shop):
    fill(shop, "C-1004", "FAS-1007 150\nFAS-1002 75\nBRG-1004 10\nFAS-1001 100\nFAS-1003 10")
    check = cart_check(principal=shop.principal("C-1004"))
    by_sku = {line.product.sku: line for line in check.lines}
    assert by_sku["FAS-1007"].reasons == (ReasonCode.NOT_A_MULTIPLE,)
    assert by_sku["FAS-1007"].suggested_quantity == Decimal(200)
    assert by_sku["FAS-1002"].suggested_quantity == Decimal(100)
    assert by_sku["BRG-1004"].reasons == (ReasonCode.INSUFFICIENT_STOCK,)
    assert by_sku["BRG-1004"].suggested_quantity == Decimal(6)  # what is there
    assert by_sku["BRG-1004"].messages == ("Only 6 Unit in stock now.",)
    assert by_sku["FAS-1001"].reasons == (ReasonCode.INSUFFICIENT_STOCK,)
    assert by_sku["FAS-1001"].messages[0].startswith("Out of stock. More from ")
    assert by_sku["FAS-1003"].ok and by_sku["FAS-1003"].unit_price is not None
    assert not check.ok and check.credit is not None and check.credit.ok


def test_credit_status_blocks_a_cart_over_the_limit(shop):
    fill(shop, "C-1002", "BRG-1003 3")  # 3 × 140.346 against 400 EUR of headroom
    check = cart_check(principal=shop.principal("C-1002"))
    assert [line.ok for line in check.lines] == [True]
    assert not check.ok
    assert "more than your company's available credit" in check.credit_message
    with pytest.raises(CartNotOrderable):
        checkout(shop, "C-1002")
    assert Order.objects.count() == 0 and CartLine.objects.count() == 1


def test_placing_an_order_is_idempotent_and_the_outbox_confirms_it_in_the_erp(
    shop, django_capture_on_commit_callbacks
):
    fill(shop, "C-1004", "FAS-1003 10\nBRG-1002 4")
    date = timezone.localdate() + datetime.timedelta(days=10)
    with django_capture_on_commit_callbacks() as callbacks:
        order = checkout(shop, "C-1004", po_number="PO-4711", requested_delivery_date=date)
    again = checkout(shop, "C-1004", po_number="PO-4711", requested_delivery_date=date)
    assert again.pk == order.pk and Order.objects.count() == 1
    assert order.status == OrderStatus.RECEIVED
    assert CartLine.objects.count() == 0  # the cart became the order
    assert [line.sku for line in order.lines.all()] == ["FAS-1003", "BRG-1002"]
    assert order.total == Decimal("48.44")  # 17.73 + 30.71 (4 × 7.677), C-1004's contract
    (message,) = Message.objects.all()
    # The task is enqueued after commit, once (the other callbacks retire cached pages).
    assert [c.__qualname__ for c in callbacks].count("message_add.<locals>.<lambda>") == 1

    confirmed = outbox_process(message_id=message.id)
    assert confirmed is not None and confirmed.status == OrderStatus.CONFIRMED
    (sale,) = ErpSale.objects.filter(order=order)
    assert sale.key == order.number and sale.erp_number
    (erp,) = shop.erp_sales(order.number)
    assert (erp["number"], erp["state"], erp["reference"]) == (
        sale.erp_number,
        "processing",
        "PO-4711",
    )
    # A redelivered task changes nothing and sends no second e-mail.
    assert outbox_process(message_id=message.id) is None
    Message.objects.filter(id=message.id).update(done_at=None, state=State.PENDING)
    outbox_process(message_id=message.id)
    assert len(shop.erp_sales(order.number)) == 1
    assert [m.subject for m in mail.outbox] == [
        f"{shop.store.name}: Order {order.number} confirmed"
    ]
    assert sale.erp_number in mail.outbox[0].body and "PO-4711" in mail.outbox[0].body


def test_bad_checkout_input_is_refused_and_nothing_is_written(shop, acme_address):
    fill(shop, "C-1004", "FAS-1003 10")
    with pytest.raises(ApplicationError) as past:
        checkout(
            shop, "C-1004", requested_delivery_date=timezone.localdate() - datetime.timedelta(1)
        )
    assert past.value.field == "requested_delivery_date"
    with pytest.raises(ApplicationError) as foreign:
        checkout(shop, "C-1004", ship_to_id=acme_address.id)  # another company's address
    assert foreign.value.field == "ship_to"
    with pytest.raises(ApplicationError) as foreign_line:
        line = CartLine.objects.get()
        checkout(shop, "C-1004", line_ship_to={line.id: acme_address.id})
    assert foreign_line.value.field == f"ship_to_{line.id}"
    assert Order.objects.count() == 0 and Message.objects.count() == 0
    assert CartLine.objects.count() == 1
    with pytest.raises(ApplicationError, match="Your cart is empty"):
        checkout(shop, "C-1001")


def test_a_multi_address_order_becomes_one_erp_sale_per_address(shop):
    fill(shop, "C-1002", "FAS-1003 10\nBRG-1002 2")
    membership = shop.membership("C-1002")
    first, second = membership.company.addresses.filter(is_ship_to=True).order_by("erp_id")
    line = CartLine.objects.get(product__sku="BRG-1002")
    order = checkout(shop, "C-1002", ship_to_id=first.id, line_ship_to={line.id: second.id})
    keys = sorted(ErpSale.objects.filter(order=order).values_list("key", flat=True))
    assert keys == [f"{order.number}/1", f"{order.number}/2"]
    outbox_process(message_id=order_submission(order_id=order.id).id)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    sales = {s["description"]: s for s in shop.erp_sales(order.number)}
    assert sales[f"storefleet:{order.number}/1"]["shipment_address"] == first.erp_id
    assert sales[f"storefleet:{order.number}/2"]["shipment_address"] == second.erp_id


def test_an_order_the_erp_refuses_at_submission_is_marked_and_told(shop):
    fill(shop, "C-1004", "BRG-1004 5")
    order = checkout(shop, "C-1004")
    # Someone else takes the stock between the cart check and the submission.
    fill(shop, "C-1001", "BRG-1004 5")
    other = checkout(shop, "C-1001", token="tok-2")
    outbox_process(message_id=order_submission(order_id=other.id).id)
    refused = outbox_process(message_id=order_submission(order_id=order.id).id)
    assert refused is not None and refused.status == OrderStatus.REFUSED
    assert refused.refusal_reasons == "insufficient_stock"
    assert refused.lines.get().refusal_reasons == "insufficient_stock"
    assert order_submission(order_id=order.id).done_at is not None
    assert shop.erp_sales(order.number) == []
    subjects = sorted(m.subject for m in mail.outbox)
    assert f"{shop.store.name}: Order {order.number}: we could not accept it" in subjects
    assert any("ERP refused web order" in s and "C-1004" in s for s in subjects)


def test_a_fresh_order_goes_in_at_its_checked_prices_an_old_one_is_validated_again(shop):
    """Submitted seconds after its placement read the ERP's prices: the ERP creates, quotes
    and confirms it at them, with the read back: raw Tryton's three requests and one. A minute
    after (a busy worker, a retry): the ERP's prices are asked again beside the create, five
    requests, and a price that moved meanwhile is a refusal. Waiting since (past
    ORDERING_PRECHECK_FRESH_SECONDS): the ERP validates it again, and a price that moved
    since is a refusal, not a surprise."""
    backend = shop.gateway.backend
    fill(shop, "C-1004", "FAS-1003 10")
    fresh = checkout(shop, "C-1004", token="fresh")
    assert fresh.prices_read_at is not None
    before = backend.request_count()
    outbox_process(message_id=order_submission(order_id=fresh.id).id)
    assert backend.request_count() - before == 4
    assert Order.objects.get(id=fresh.id).status == OrderStatus.CONFIRMED

    a_minute_ago = timezone.now() - datetime.timedelta(minutes=1)
    fill(shop, "C-1004", "FAS-1003 10")
    later = checkout(shop, "C-1004", token="later")
    Order.objects.filter(id=later.id).update(prices_read_at=a_minute_ago)
    before = backend.request_count()
    outbox_process(message_id=order_submission(order_id=later.id).id)
    assert backend.request_count() - before == 5
    assert Order.objects.get(id=later.id).status == OrderStatus.CONFIRMED

    fill(shop, "C-1004", "FAS-1003 10")
    moved = checkout(shop, "C-1004", token="moved")
    Order.objects.filter(id=moved.id).update(prices_read_at=a_minute_ago)
    moved.lines.update(unit_price=Decimal("1.0000"))  # not the ERP's price (any more)
    refused = outbox_process(message_id=order_submission(order_id=moved.id).id)
    assert refused is not None and refused.status == OrderStatus.REFUSED
    assert refused.refusal_reasons == "price_changed"
    assert shop.erp_sales(moved.number) == []

    fill(shop, "C-1004", "FAS-1003 10")
    old = checkout(shop, "C-1004", token="old")
    Order.objects.filter(id=old.id).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    old.lines.update(unit_price=Decimal("1.0000"))  # not the ERP's price (any more)
    refused = outbox_process(message_id=order_submission(order_id=old.id).id)
    assert refused is not None and refused.status == OrderStatus.REFUSED
    assert refused.refusal_reasons == "price_changed"
    assert shop.erp_sales(old.number) == []


def test_while_the_erp_is_away_orders_are_received_and_confirmed_later(shop, settings):
    fill(shop, "C-1004", "FAS-1003 12")
    with erp_away():
        membership = shop.membership("C-1004")
        check = cart_check(principal=Principal.for_member(store=shop.store, membership=membership))
        assert check.degraded and check.ok
        order = checkout(shop, "C-1004")
        message = order_submission(order_id=order.id)
        from storefleet.erp.errors import ErpUnavailable

        with pytest.raises(ErpUnavailable):
            outbox_process(message_id=message.id)
        message.refresh_from_db()
        assert message.done_at is None and message.attempts == 1 and message.last_error
        assert Order.objects.get(pk=order.pk).status == OrderStatus.RECEIVED
    from django.core.cache import cache

    cache.delete_many(["erp:breaker:opened_at", "erp:breaker:failures"])
    outbox_process(message_id=message.id)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CONFIRMED
    assert len(shop.erp_sales(order.number)) == 1


def test_the_degraded_check_still_applies_the_mirrored_rules(shop):
    fill(shop, "C-1004", "FAS-1007 150")
    with erp_away():
        check = cart_check(principal=shop.principal("C-1004"))
    assert check.degraded and not check.ok
    assert check.lines[0].reasons == (ReasonCode.NOT_A_MULTIPLE,)
    assert check.lines[0].suggested_quantity == Decimal(200)


def test_the_sweeper_resends_only_what_nobody_holds(shop, settings):
    fill(shop, "C-1004", "FAS-1003 10")
    order = checkout(shop, "C-1004")
    message = order_submission(order_id=order.id)
    assert outbox_sweep() == 0  # leased at placement
    Message.objects.filter(id=message.id).update(next_try_at=timezone.now())
    assert outbox_sweep() == 1
    assert outbox_sweep() == 0  # leased again by the sweep


def test_reorder_puts_a_past_orders_lines_in_the_cart(shop):
    fill(shop, "C-1004", "FAS-1003 10\nBRG-1002 4")
    order = checkout(shop, "C-1004")
    result = cart_reorder(principal=shop.principal("C-1004"), number=order.number)
    assert [(r.sku, r.quantity) for r in result.added] == [
        ("FAS-1003", Decimal(10)),
        ("BRG-1002", Decimal(4)),
    ]
    with pytest.raises(ApplicationError):  # another company's order is not found
        cart_reorder(principal=shop.principal("C-1001"), number=order.number)


@pytest.fixture
def acme_address(db):
    from storefleet.accounts.models import Address, Company

    company = Company.objects.create(
        erp_id=99001, code="C-ACME", name="Acme", erp_write_date=timezone.now()
    )
    return Address.objects.create(erp_id=990011, company=company, name="Acme yard")


def test_a_store_selling_an_assortment_takes_only_those_products(shop):
    from storefleet.catalog.models import CatalogPage, Category
    from storefleet.tenants.services import store_content_changed

    page = CatalogPage.objects.get()
    page.sells = "assortment"
    page.extra_skus = "BRG-1002"
    page.save_revision().publish()
    page.categories.set([Category.objects.get(name="Fasteners")])
    page.save_revision().publish()
    store_content_changed(site_id=shop.store.site.id)
    from storefleet.tenants.selectors import store_for_hostname

    store = store_for_hostname("ferrum.localhost")
    membership = shop.membership("C-1004")
    result = quick_order_add(
        principal=Principal.for_member(store=store, membership=membership),
        rows=parse_lines("FAS-1003 5\nBRG-1002 2\nHYD-1001 1"),
    )
    assert [row.sku for row in result.added] == ["FAS-1003", "BRG-1002"]
    assert [(row.sku, row.error) for row in result.errors] == [
        ("HYD-1001", "We don't sell the SKU “HYD-1001” in this store.")
    ]
    with translation.override("de"):  # a German store's buyer reads it in German
        result = quick_order_add(
            principal=Principal.for_member(store=store, membership=membership),
            rows=parse_lines("HYD-1001 1"),
        )
    assert [row.error for row in result.errors] == [
        "Die Artikelnummer „HYD-1001“ führen wir in diesem Shop nicht."
    ]
    with pytest.raises(ApplicationError, match="in this store"):
        cart_line_add(
            principal=Principal.for_member(store=store, membership=membership),
            sku="HYD-1001",
            quantity=Decimal(1),
        )


# ------------------------------------------------------------------ quantity bounds
@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (
            Decimal("999999999999.9999"),
            "You can order at most 1,000,000 in one line: enter a smaller quantity, or ask us "
            "for a quote.",
        ),
        (Decimal("1e-20"), "Use at most 4 decimals in a quantity (the smallest is 0.0001)."),
        (Decimal("NaN"), "Enter the quantity as a number, such as 10 or 2.5."),
        (Decimal("-Infinity"), "Enter the quantity as a number, such as 10 or 2.5."),
        (Decimal(0), "The quantity must be more than 0."),
    ],
)
def test_the_service_refuses_quantities_a_line_cannot_hold(shop, quantity, message):
    with pytest.raises(ApplicationError) as refused:
        cart_line_add(
            principal=shop.principal("C-1004"),
            sku="FAS-1003",
            quantity=quantity,
        )
    assert (refused.value.message, refused.value.field) == (message, "quantity")
    assert CartLine.objects.count() == 0


def test_a_line_never_grows_past_the_most_it_may_hold(shop):
    membership = shop.membership("C-1004")
    cart_line_add(
        principal=Principal.for_member(store=shop.store, membership=membership),
        sku="FAS-1003",
        quantity=Decimal(600_000),
    )
    with pytest.raises(ApplicationError) as refused:
        cart_line_add(
            principal=Principal.for_member(store=shop.store, membership=membership),
            sku="FAS-1003",
            quantity=Decimal(600_000),
        )
    assert refused.value.message == (
        "Your cart already has 600,000 Unit of FAS-1003, and one line holds at most 1,000,000: "
        "add at most 400,000, or ask us for a quote."
    )
    assert list(CartLine.objects.values_list("quantity", flat=True)) == [Decimal(600_000)]
    result = quick_order_add(
        principal=Principal.for_member(store=shop.store, membership=membership),
        rows=parse_lines("FAS-1003 500000\nFAS-1002 5"),
    )
    assert [row.sku for row in result.added] == ["FAS-1002"]
    assert [(row.row, row.error[:29]) for row in result.errors] == [
        (1, "Your cart already has 600,000")
    ]
    line = CartLine.objects.get(product__sku="FAS-1003")
    with pytest.raises(ApplicationError, match="at most 1,000,000 in one line"):
        cart_line_set_quantity(
            principal=Principal.for_member(store=shop.store, membership=membership),
            line_id=line.id,
            quantity="1000000.0001",
        )
    assert CartLine.objects.get(id=line.id).quantity == Decimal(600_000)
    cart_line_set_quantity(
        principal=Principal.for_member(store=shop.store, membership=membership),
        line_id=line.id,
        quantity="0,00",
    )
    assert not CartLine.objects.filter(id=line.id).exists()


def test_the_database_holds_the_bounds_for_any_writer(shop):
    from django.db import IntegrityError, transaction

    cart_line_add(principal=shop.principal("C-1004"), sku="FAS-1003", quantity=Decimal(1))
    line = CartLine.objects.get()
    for quantity in (Decimal("1000000.0001"), Decimal(0), Decimal(-1)):
        with pytest.raises(IntegrityError), transaction.atomic():
            CartLine.objects.filter(id=line.id).update(quantity=quantity)
    assert CartLine.objects.get().quantity == Decimal(1)


@pytest.mark.parametrize(
    ("today", "latest"),
    [
        (datetime.date(2028, 2, 29), datetime.date(2029, 2, 28)),
        (datetime.date(2027, 2, 28), datetime.date(2028, 2, 28)),
        (datetime.date(2026, 12, 5), datetime.date(2027, 12, 5)),
    ],
)
def test_one_year_ahead_on_any_day(today, latest):
    assert one_year_after(today) == latest


def test_checkout_on_29_february_takes_a_date_within_a_year(shop, monkeypatch):
    from django.utils import timezone as tz

    monkeypatch.setattr(tz, "localdate", lambda *a: datetime.date(2028, 2, 29))
    fill(shop, "C-1004", "FAS-1003 10")
    with pytest.raises(ApplicationError) as refused:
        checkout(shop, "C-1004", requested_delivery_date=datetime.date(2029, 3, 1))
    assert refused.value.message == (
        "We take orders for delivery within a year: choose an earlier date."
    )
    assert Order.objects.count() == 0

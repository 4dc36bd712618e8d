"""One scoping rule for a company buying in two stores (Van der Berg, C-1004, in Ferrum and
Hydra): a web order, its return, cancellation and invoices are found in the store it was placed
in only; a sale entered in the ERP in both. And the checkout's ERP verdict is for the ship-to
the buyer chose, never one kept for another."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from storefleet.accounts.models import Company
from storefleet.accounts.principal import Principal
from storefleet.ordering.cancel import cancellation_for, order_cancel
from storefleet.ordering.cart import cart_check
from storefleet.ordering.checks import NOT_OUR_SHIP_TO, Wanted, check_lines
from storefleet.ordering.models import (
    CartLine,
    Order,
    OrderCancellation,
    OrderProgress,
    OrderStatus,
    ReturnRequest,
    SaleRecord,
)
from storefleet.ordering.order_ref import NotFound, order_ref
from storefleet.ordering.outbox_kinds import SUBMIT_ORDER
from storefleet.ordering.returns.selectors import (
    return_for_company,
    return_for_token,
    return_form,
    return_list,
)
from storefleet.ordering.scope import OrderScope
from storefleet.ordering.selectors import order_submission
from storefleet.outbox.models import Message
from storefleet.tenants.selectors import store_record

from .test_services import checkout, fill

pytestmark = pytest.mark.django_db


def _web_order(company: Company, store_id: int, number: str) -> Order:
    order = Order.objects.create(
        number=number,
        store_id=store_id,
        company=company,
        submit_token=number,
        ship_to=company.addresses.filter(is_ship_to=True).first(),
        currency="USD",
    )
    Message.objects.create(
        kind=SUBMIT_ORDER, subject=order.id, key=order.number, next_try_at=timezone.now()
    )
    return order


def _sale(company: Company, store_id: int | None, erp_id: int, invoice: str) -> None:
    money = {"amount": "1.00", "currency": "EUR"}
    SaleRecord.objects.create(
        erp_id=erp_id,
        number=f"SO-T-{erp_id}",
        customer_code=company.code,
        company=company,
        store_id=store_id,
        placed_at=timezone.now(),
        state="processing",
        shipment_state="sent",
        invoice_state="posted",
        progress=OrderProgress.SHIPPED,
        total=Decimal(1),
        currency="EUR",
        detail={
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
            ]
        },
        fingerprint=str(erp_id),
        erp_write_date=timezone.now(),
    )


def test_a_web_order_of_the_companys_other_store_is_not_found_to_cancel_or_return(shop, hydra):
    company = Company.objects.get(code="C-1004")
    company.stores.add(hydra.store)
    order = _web_order(company, hydra.store.pk, "HYD-WALL1")
    ferrum = shop.buyer("C-1004")
    there = shop.buyer("C-1004", store=store_record(hydra.store))
    assert order_ref(principal=ferrum, number=order.number) is None
    with pytest.raises(NotFound):
        order_cancel(principal=ferrum, number=order.number)
    with pytest.raises(NotFound):
        return_form(principal=ferrum, number=order.number)
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    assert not OrderCancellation.objects.exists()
    assert order_submission(order_id=order.id).done_at is None
    # In its own store it is found, and cancelled before it reaches the ERP.
    assert order_ref(principal=there, number=order.number).order == order  # type: ignore[union-attr]
    outcome = order_cancel(principal=there, number=order.number)
    assert (outcome.number, outcome.before_erp) == (order.number, True)
    assert cancellation_for(principal=ferrum, number=order.number) is None
    assert cancellation_for(principal=there, number=order.number) is not None


def test_returns_follow_their_order_and_a_phone_sales_return_shows_in_both(shop, hydra):
    company = Company.objects.get(code="C-1004")
    company.stores.add(hydra.store)
    order = _web_order(company, hydra.store.pk, "HYD-WALL2")
    for number, of in (("RET-WEB", order), ("RET-PHONE", None)):
        ReturnRequest.objects.create(
            number=number,
            store_id=hydra.store.pk,
            company=company,
            submit_token=number,
            order=of,
            order_number="SO-00004",
            reason="damaged",
        )
    ferrum = shop.buyer("C-1004")
    there = shop.buyer("C-1004", store=store_record(hydra.store))
    assert [r.number for r in return_list(principal=ferrum)] == ["RET-PHONE"]
    assert sorted(r.number for r in return_list(principal=there)) == ["RET-PHONE", "RET-WEB"]
    assert return_for_company(principal=ferrum, number="RET-WEB") is None
    assert return_for_token(principal=ferrum, token="RET-WEB") is None
    assert return_for_token(principal=there, token="RET-WEB") is not None


def test_an_invoice_of_another_stores_web_sale_is_foreign_unless_a_visible_sale_has_it(shop, hydra):
    company = Company.objects.get(code="C-1004")
    company.stores.add(hydra.store)
    _sale(company, hydra.store.pk, 880001, "INV-H")
    _sale(company, hydra.store.pk, 880002, "INV-BOTH")
    _sale(company, None, 880003, "INV-BOTH")  # a phone sale billed on the same invoice
    ferrum = shop.scope("C-1004")
    there = OrderScope.store(company=company, store_id=hydra.store.pk)
    wanted = ["INV-H", "INV-BOTH", "INV-UNKNOWN", ""]
    assert ferrum.foreign_invoices(wanted) == {"INV-H"}
    assert there.foreign_invoices(wanted) == set()
    assert OrderScope.stores(company=company, store_ids=None).foreign_invoices(wanted) == set()


def test_the_checkout_verdict_is_for_the_chosen_ship_to_and_kept_per_ship_to(shop, monkeypatch):
    fill(shop, "C-1002", "FAS-1003 10")
    membership = shop.membership("C-1002")
    first, second = membership.company.addresses.filter(is_ship_to=True).order_by("erp_id")
    backend = shop.gateway.backend
    asked: list[int] = []
    real = backend.validate_order

    def counted(*, order):  # type: ignore[no-untyped-def]
        asked.append(order.ship_to_address_id)
        return real(order=order)

    monkeypatch.setattr(backend, "validate_order", counted)
    # The checkout page shows the verdict for the first address; the buyer picks the second.
    assert cart_check(
        principal=Principal.for_member(store=shop.store, membership=membership), ship_to_id=first.id
    ).ok
    order = checkout(shop, "C-1002", ship_to_id=second.id)
    assert asked == [first.erp_id, second.erp_id]  # checked afresh for the chosen ship-to
    assert order.ship_to == second
    # The same ship-to as the page's: its kept verdict stands, the ERP is not asked again.
    fill(shop, "C-1002", "FAS-1003 10")
    cart_check(
        principal=Principal.for_member(store=shop.store, membership=membership), ship_to_id=first.id
    )
    checkout(shop, "C-1002", token="tok-2", ship_to_id=first.id)
    assert asked == [first.erp_id, second.erp_id, first.erp_id]


def test_a_ship_to_of_another_company_gets_no_verdict_and_no_erp_question(shop, monkeypatch):
    fill(shop, "C-1001", "FAS-1003 10")
    membership = shop.membership("C-1001")
    theirs = Company.objects.get(code="C-1004").addresses.filter(is_ship_to=True).first()
    monkeypatch.setattr(
        shop.gateway.backend, "validate_order", lambda **_: pytest.fail("the ERP was asked")
    )
    wanted = [
        Wanted(line.product, line.quantity, line.id)
        for line in CartLine.objects.filter(cart__user_id=membership.user_id)
    ]
    check = check_lines(
        store=shop.store, company=membership.company, wanted=wanted, ship_to_id=theirs.id
    )
    assert check.problems == (NOT_OUR_SHIP_TO,) and not check.ok

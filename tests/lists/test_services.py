"""Saved lists' services against the real ERP: making lists, their lines, the cart saved as a
list, and ordering a list (all or some lines) into the cart, where the ERP's verdict applies."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storefleet.accounts.principal import Principal
from storefleet.erp.types import ReasonCode
from storefleet.errors import ApplicationError
from storefleet.lists import selectors, services
from storefleet.lists.models import SavedList, SavedListLine
from storefleet.ordering.cart import cart_check, cart_line_add
from storefleet.ordering.models import CartLine

pytestmark = pytest.mark.django_db


def lines_of(saved_list: SavedList) -> list[tuple[str, Decimal]]:
    return list(saved_list.lines.order_by("id").values_list("product__sku", "quantity"))


def cart_of(membership) -> list[tuple[str, Decimal]]:
    return sorted(
        CartLine.objects.filter(cart__user_id=membership.user_id).values_list(
            "product__sku", "quantity"
        )
    )


def test_a_list_collects_lines_and_adds_up_the_same_product(shop):
    buyer = shop.membership("C-1004")
    saved = services.list_create(store=shop.store, membership=buyer, name="  Monthly   restock ")
    assert saved.name == "Monthly restock" and not saved.shared
    for sku, quantity in (("FAS-1003", "10"), ("BRG-1002", "2"), ("FAS-1003", "5")):
        services.list_line_add(
            store=shop.store,
            membership=buyer,
            list_id=saved.id,
            sku=sku,
            quantity=Decimal(quantity),
        )
    assert lines_of(saved) == [("FAS-1003", Decimal(15)), ("BRG-1002", Decimal(2))]
    line = saved.lines.get(product__sku="BRG-1002")
    services.list_line_set_quantity(
        store=shop.store, membership=buyer, list_id=saved.id, line_id=line.id, quantity=Decimal(7)
    )
    assert lines_of(saved) == [("FAS-1003", Decimal(15)), ("BRG-1002", Decimal(7))]
    services.list_line_set_quantity(
        store=shop.store, membership=buyer, list_id=saved.id, line_id=line.id, quantity=Decimal(0)
    )
    assert lines_of(saved) == [("FAS-1003", Decimal(15))]


def test_bad_input_is_refused_with_what_to_do_and_writes_nothing(shop):
    buyer = shop.membership("C-1004")
    saved = services.list_create(store=shop.store, membership=buyer, name="Spares")
    refusals = []
    for sku, quantity in (("NOPE-1", "1"), ("FAS-1003", "-1"), ("FAS-1003", "NaN")):
        with pytest.raises(ApplicationError) as refused:
            services.list_line_add(
                store=shop.store,
                membership=buyer,
                list_id=saved.id,
                sku=sku,
                quantity=Decimal(quantity),
            )
        refusals.append(refused.value.message)
    assert refusals == [
        "We don't sell a product with the SKU “NOPE-1” in this store: check the number.",
        "The quantity must be more than 0.",
        "Enter the quantity as a number, such as 10 or 2.5.",
    ]
    for name in ("", "   ", "x" * 81, "Spares"):
        with pytest.raises(ApplicationError):
            services.list_create(store=shop.store, membership=buyer, name=name)
    assert SavedListLine.objects.count() == 0
    assert list(SavedList.objects.values_list("name", flat=True)) == ["Spares"]


def test_the_cart_saved_as_a_list_keeps_its_lines_and_the_cart_stays(shop):
    buyer = shop.membership("C-1004")
    with pytest.raises(ApplicationError, match="Your cart is empty"):
        services.list_from_cart(store=shop.store, membership=buyer, name="Empty")
    for sku, quantity in (("FAS-1002", 100), ("BRG-1002", 3)):
        cart_line_add(
            principal=Principal.for_member(store=shop.store, membership=buyer),
            sku=sku,
            quantity=Decimal(quantity),
        )
    saved = services.list_from_cart(
        store=shop.store, membership=buyer, name="From cart", shared=True
    )
    assert (saved.shared, lines_of(saved)) == (
        True,
        [("FAS-1002", Decimal(100)), ("BRG-1002", Decimal(3))],
    )
    assert cart_of(buyer) == [("BRG-1002", Decimal(3)), ("FAS-1002", Decimal(100))]
    assert SavedList.objects.filter(name="Empty").count() == 0


def test_ordering_a_list_puts_its_lines_in_the_cart_where_the_erp_judges_them(shop):
    buyer = shop.membership("C-1004")
    saved = services.list_create(store=shop.store, membership=buyer, name="Mixed")
    # FAS-1007 is sold in steps of 100: the list keeps 150, the ERP's verdict flags it.
    for sku, quantity in (("FAS-1003", "12"), ("FAS-1007", "150"), ("BRG-1002", "2")):
        services.list_line_add(
            store=shop.store,
            membership=buyer,
            list_id=saved.id,
            sku=sku,
            quantity=Decimal(quantity),
        )
    some = [
        saved.lines.get(product__sku="FAS-1003").id,
        saved.lines.get(product__sku="FAS-1007").id,
    ]
    calls = shop.gateway.backend.request_count()
    result = services.list_order(
        store=shop.store, membership=buyer, list_id=saved.id, line_ids=some
    )
    assert shop.gateway.backend.request_count() == calls  # putting lines in the cart asks nothing
    assert ([r.sku for r in result.added], result.errors) == (["FAS-1003", "FAS-1007"], ())
    assert cart_of(buyer) == [("FAS-1003", Decimal(12)), ("FAS-1007", Decimal(150))]
    check = cart_check(principal=Principal.for_member(store=shop.store, membership=buyer))
    verdicts = {line.product.sku: line.reasons for line in check.lines}
    assert verdicts == {"FAS-1003": (), "FAS-1007": (ReasonCode.NOT_A_MULTIPLE,)}
    services.list_order(store=shop.store, membership=buyer, list_id=saved.id)
    assert cart_of(buyer) == [
        ("BRG-1002", Decimal(2)),
        ("FAS-1003", Decimal(24)),
        ("FAS-1007", Decimal(300)),
    ]
    assert lines_of(saved) == [
        ("FAS-1003", Decimal(12)),
        ("FAS-1007", Decimal(150)),
        ("BRG-1002", Decimal(2)),
    ]


def test_ticked_lines_of_another_list_are_refused_and_nothing_goes_in_the_cart(shop):
    buyer = shop.membership("C-1004")
    mine = services.list_create(store=shop.store, membership=buyer, name="Mine")
    other = services.list_create(store=shop.store, membership=buyer, name="Other")
    services.list_line_add(
        store=shop.store, membership=buyer, list_id=mine.id, sku="FAS-1003", quantity=Decimal(1)
    )
    foreign = services.list_line_add(
        store=shop.store, membership=buyer, list_id=other.id, sku="BRG-1002", quantity=Decimal(1)
    )
    for chosen in ([foreign.id], []):
        with pytest.raises(ApplicationError):
            services.list_order(
                store=shop.store, membership=buyer, list_id=mine.id, line_ids=chosen
            )
    assert cart_of(buyer) == []


def test_a_product_the_store_no_longer_sells_is_reported_not_ordered(shop):
    buyer = shop.membership("C-1004")
    saved = services.list_create(store=shop.store, membership=buyer, name="Old")
    for sku in ("FAS-1003", "BRG-1002"):
        services.list_line_add(
            store=shop.store, membership=buyer, list_id=saved.id, sku=sku, quantity=Decimal(2)
        )
    from storefleet.catalog.models import Product

    Product.objects.filter(sku="BRG-1002").update(active=False)
    result = services.list_order(store=shop.store, membership=buyer, list_id=saved.id)
    assert [r.sku for r in result.added] == ["FAS-1003"]
    assert [(r.sku, r.error) for r in result.errors] == [
        ("BRG-1002", "We don't sell the SKU “BRG-1002” in this store.")
    ]
    assert cart_of(buyer) == [("FAS-1003", Decimal(2))]
    assert selectors.list_for(store_id=shop.store.id, membership=buyer, list_id=saved.id)

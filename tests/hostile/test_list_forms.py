"""Saved lists' inputs under hostile input: the "add to a list" form, making a list, a list
line's quantity and remove buttons, and ordering ticked lines. Each answer is checked for a
server error or a traceback; a refused input says what to do and writes nothing; an accepted
one writes exactly what was asked (and is rolled back, so every example starts the same)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storefleet.lists import services
from storefleet.lists.models import SavedList, SavedListLine
from storefleet.ordering.models import CartLine
from storefleet.ordering.quick_order import parse_quantity
from tests.hostile.harness import check_refusal, check_response, hostile
from tests.hostile.strategies import hostile_id, hostile_number, hostile_text
from tests.hostile.test_storefront_forms import SKUS, refused_or_undone
from tests.ordering.conftest import HOST

pytestmark = pytest.mark.django_db

ERROR_SHOWN = re.compile(r"message--error")


@pytest.fixture
def buyer(client, shop):
    client.force_login(shop.buyers["C-1004"])
    return client


@pytest.fixture
def own_list(shop) -> SavedList:
    membership = shop.membership("C-1004")
    saved = services.list_create(store=shop.store, membership=membership, name="Kept")
    services.list_line_add(
        store=shop.store,
        membership=membership,
        list_id=saved.id,
        sku="FAS-1003",
        quantity=Decimal(7),
    )
    return saved


def _post(client, path, data):
    return client.post(path, data, HTTP_HOST=HOST)


def _page(client, saved: SavedList) -> object:
    return client.get(f"/lists/{saved.id}/", HTTP_HOST=HOST)


@hostile
@given(
    sku=st.one_of(st.sampled_from(SKUS), hostile_text(max_size=80)),
    quantity=hostile_number(),
    choice=st.one_of(st.sampled_from(("own", "new")), hostile_id(), hostile_text(max_size=30)),
    name=st.one_of(st.just("Fresh"), hostile_text(max_size=120)),
)
def test_add_to_a_list(buyer, shop, own_list, sku, quantity, choice, name):
    list_field = str(own_list.id) if choice == "own" else choice
    before = list(SavedListLine.objects.values_list("id", "quantity"))

    def changed() -> bool:
        return list(SavedListLine.objects.values_list("id", "quantity")) != before

    with refused_or_undone(changed):
        response = _post(
            buyer,
            "/lists/add/",
            {"sku": sku, "quantity": quantity, "list": list_field, "name": name},
        )
        check_response(response, allowed=(302, 404))
        if changed():  # only a product of the store, in the quantity typed, on a list of ours
            expected, _ = parse_quantity(quantity)
            line = SavedListLine.objects.order_by("-id").first()
            assert line is not None and expected is not None
            assert line.product.sku.upper() == sku.strip().upper()
            assert line.saved_list.owner_id == shop.buyers["C-1004"].id
            assert line.quantity in (expected, Decimal(7) + expected)
            refused = False
        else:
            refused = response.status_code == 302
    if refused:
        check_refusal(_page(buyer, own_list), says=ERROR_SHOWN)


@hostile
@given(name=hostile_text(max_size=120), shared=st.one_of(st.just("on"), hostile_text(max_size=10)))
def test_make_a_list(buyer, shop, name, shared):
    with refused_or_undone(lambda: SavedList.objects.exists()):
        response = _post(buyer, "/lists/", {"name": name, "shared": shared})
        check_response(response, allowed=(302,))
        made = SavedList.objects.first()
        if made is not None:
            assert made.name == " ".join(name.split()) and 0 < len(made.name) <= 80
            assert made.owner_id == shop.buyers["C-1004"].id


@hostile
@given(
    quantity=hostile_number(),
    action=st.sampled_from(("", "update", "remove", "REMOVE", "remove\x00")),
    line=st.one_of(st.just("own"), hostile_id()),
)
def test_list_line_update_and_remove(buyer, shop, own_list, quantity, action, line):
    own = own_list.lines.get()
    line_id = str(own.id) if line == "own" else line

    def changed() -> bool:
        found = SavedListLine.objects.filter(id=own.id).first()
        return found is None or found.quantity != Decimal(7)

    with refused_or_undone(changed):
        response = _post(
            buyer,
            f"/lists/{own_list.id}/lines/{line_id}/",
            {"action": action, "quantity": quantity},
        )
        check_response(response, allowed=(302, 404))
        found = SavedListLine.objects.filter(id=own.id).first()
        if found is not None and found.quantity != Decimal(7):
            assert found.quantity == parse_quantity(quantity)[0]


@hostile
@given(
    action=st.sampled_from(("all", "selected", "", "SELECTED")),
    lines=st.lists(st.one_of(st.just("own"), hostile_id(), hostile_text(max_size=20)), max_size=4),
)
def test_order_ticked_lines(buyer, shop, own_list, action, lines):
    own = str(own_list.lines.get().id)
    chosen = [own if value == "own" else value for value in lines]
    with refused_or_undone(lambda: CartLine.objects.exists()):
        response = _post(buyer, f"/lists/{own_list.id}/order/", {"action": action, "line": chosen})
        check_response(response, allowed=(302,))
        added = list(CartLine.objects.values_list("product__sku", "quantity"))
        if added:  # the whole list, or exactly its own ticked line
            assert added == [("FAS-1003", Decimal(7))]
            assert action != "selected" or set(chosen) == {own}

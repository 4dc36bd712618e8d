"""Saved lists as buyers use them in the storefront, and the walls: a list of one company is
never seen, changed or ordered by another company, a private list never by a colleague, and a
list of one store never from another store; products come from the store's assortment only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storefleet.catalog.models import CatalogPage
from storefleet.lists import selectors, services
from storefleet.lists.models import SavedList, SavedListLine
from storefleet.ordering.models import CartLine
from tests.catalog.factories import assortment_publish

from .conftest import HOST

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.force_login(user)
    return client


def get(client, path):
    return client.get(path, HTTP_HOST=HOST)


def post(client, path, data=None):
    return client.post(path, data or {}, HTTP_HOST=HOST)


def make_list(shop, name, *, shared):
    owner = shop.membership("C-1004")
    saved = services.list_create(store=shop.store, membership=owner, name=name, shared=shared)
    services.list_line_add(
        store=shop.store, membership=owner, list_id=saved.id, sku="FAS-1003", quantity=Decimal(4)
    )
    return saved


def cart_skus(user) -> list[str]:
    return sorted(CartLine.objects.filter(cart__user=user).values_list("product__sku", flat=True))


def test_a_buyer_makes_a_list_from_a_product_page_and_orders_it(client, shop):
    c = as_user(client, shop.buyers["C-1004"])
    assert "No lists yet" in get(c, "/lists/").content.decode()
    body = get(c, "/catalog/FAS-1003/").content.decode()
    assert 'action="/lists/add/"' in body and "New list…" in body
    response = post(
        c,
        "/lists/add/",
        {
            "sku": "FAS-1003",
            "quantity": "25",
            "list": "new",
            "name": "Workshop",
            "next": "/catalog/FAS-1003/",
        },
    )
    assert (response.status_code, response["Location"]) == (302, "/catalog/FAS-1003/")
    saved = SavedList.objects.get()
    body = get(c, "/catalog/FAS-1003/").content.decode()
    assert f'<option value="{saved.id}">Workshop</option>' in body
    # Said where it happened (the product page it led back to), once.
    assert "Added 25 Unit of FAS-1003 to your list “Workshop”." in body
    post(c, "/lists/add/", {"sku": "BRG-1002", "quantity": "2", "list": str(saved.id)})
    body = get(c, f"/lists/{saved.id}/").content.decode()
    assert "Added 25 Unit of FAS-1003" not in body
    assert "FAS-1003" in body and "BRG-1002" in body and "Order the whole list" in body
    response = post(c, f"/lists/{saved.id}/order/", {"action": "all"})
    assert (response.status_code, response["Location"]) == (302, "/cart/")
    body = get(c, "/cart/").content.decode()
    assert "2 lines of the list added to your cart." in body
    assert "✓ Can be ordered" in body
    assert cart_skus(shop.buyers["C-1004"]) == ["BRG-1002", "FAS-1003"]


def test_the_cart_page_saves_the_cart_as_a_shared_list(client, shop):
    c = as_user(client, shop.buyers["C-1004"])
    post(c, "/cart/add/", {"sku": "FAS-1002", "quantity": "100"})
    assert "Save this cart as a list" in get(c, "/cart/").content.decode()
    response = post(c, "/lists/from-cart/", {"name": "Standing order", "shared": "on"})
    saved = SavedList.objects.get()
    assert response["Location"] == f"/lists/{saved.id}/"
    assert (saved.name, saved.shared) == ("Standing order", True)
    assert list(saved.lines.values_list("product__sku", "quantity")) == [("FAS-1002", Decimal(100))]


def test_bad_input_says_what_to_do_and_writes_nothing(client, shop):
    c = as_user(client, shop.buyers["C-1004"])
    saved = make_list(shop, "Kept", shared=False)
    cases = [
        ("/lists/add/", {"sku": "FAS-1003", "quantity": "2", "list": "abc"}),
        ("/lists/add/", {"sku": "FAS-1003", "quantity": "2", "list": "new", "name": ""}),
        ("/lists/add/", {"sku": "NOPE-9", "quantity": "2", "list": str(saved.id)}),
        ("/lists/add/", {"sku": "FAS-1003", "quantity": "-3", "list": str(saved.id)}),
        ("/lists/", {"name": "Kept"}),
        ("/lists/", {"name": "x" * 81}),
        (f"/lists/{saved.id}/order/", {"action": "selected", "line": ["1x"]}),
        (f"/lists/{saved.id}/order/", {"action": "selected"}),
    ]
    for path, data in cases:
        assert post(c, path, data).status_code == 302
    body = get(c, f"/lists/{saved.id}/").content.decode()
    for message in (
        "Choose one of your lists, or make a new one.",
        "Give the list a name, such as “Monthly restock”.",
        "We don&#x27;t sell a product with the SKU “NOPE-9” in this store",
        "The quantity must be more than 0.",
        "You already have a list called “Kept”: choose another name.",
        "A list&#x27;s name has at most 80 characters: shorten it.",
        "Tick the lines you want to order, then try again.",
        "Tick the lines you want to order, or order the whole list.",
    ):
        assert message in body, message
    assert list(SavedList.objects.values_list("name", flat=True)) == ["Kept"]
    assert list(SavedListLine.objects.values_list("product__sku", "quantity")) == [
        ("FAS-1003", Decimal(4))
    ]
    assert cart_skus(shop.buyers["C-1004"]) == []


# ------------------------------------------------------------------ the walls
ACTIONS = ("view", "edit_line", "add", "order", "rename", "delete")


def attempt(client, saved: SavedList, action: str) -> int:
    line = saved.lines.get()
    path = {
        "view": f"/lists/{saved.id}/",
        "edit_line": f"/lists/{saved.id}/lines/{line.id}/",
        "add": "/lists/add/",
        "order": f"/lists/{saved.id}/order/",
        "rename": f"/lists/{saved.id}/edit/",
        "delete": f"/lists/{saved.id}/delete/",
    }[action]
    data = {
        "edit_line": {"quantity": "9"},
        "add": {"sku": "BRG-1002", "quantity": "1", "list": str(saved.id)},
        "order": {"action": "all"},
        "rename": {"name": "Renamed", "shared": "on"},
    }.get(action)
    return (get(client, path) if action == "view" else post(client, path, data)).status_code


def state_of(saved: SavedList) -> tuple:
    fresh = SavedList.objects.filter(id=saved.id).first()
    if fresh is None:
        return ("deleted",)
    return (fresh.name, list(fresh.lines.values_list("product__sku", "quantity")))


# (who, list) → may they: the owner everything; a colleague a shared list but not rename or
# delete it; a colleague's private list and another company's lists nothing at all.
@pytest.mark.parametrize("shared", [False, True], ids=["private", "shared"])
@pytest.mark.parametrize("who", ["owner", "colleague", "other_company"])
@pytest.mark.parametrize("action", ACTIONS)
def test_walls_matrix(client, shop, colleague, who, shared, action):
    saved = make_list(shop, "Wall", shared=shared)
    user = {
        "owner": shop.buyers["C-1004"],
        "colleague": colleague,
        "other_company": shop.buyers["C-1001"],
    }[who]
    before = state_of(saved)
    status = attempt(as_user(client, user), saved, action)
    allowed = who == "owner" or (
        who == "colleague" and shared and action not in ("rename", "delete")
    )
    hidden = who == "other_company" or (who == "colleague" and not shared)
    if hidden:
        assert status == 404
        assert state_of(saved) == before
        assert cart_skus(user) == []
    elif allowed:
        assert status in (200, 302)
        changed = {
            "view": before,
            "edit_line": ("Wall", [("FAS-1003", Decimal(9))]),
            "add": ("Wall", [("FAS-1003", Decimal(4)), ("BRG-1002", Decimal(1))]),
            "order": before,
            "rename": ("Renamed", [("FAS-1003", Decimal(4))]),
            "delete": ("deleted",),
        }[action]
        assert state_of(saved) == changed
        assert cart_skus(user) == (["FAS-1003"] if action == "order" else [])
    else:  # a colleague may not rename or delete a shared list: told so, nothing changes
        assert status == 302
        assert state_of(saved) == before
        body = get(client, f"/lists/{saved.id}/").content.decode()
        assert "Only the colleague who made this list can rename, share or delete it." in body


def test_the_lists_page_shows_own_and_shared_lists_only(client, shop, colleague):
    make_list(shop, "Private of owner", shared=False)
    make_list(shop, "Shared by owner", shared=True)
    other = shop.membership("C-1001")
    services.list_create(store=shop.store, membership=other, name="Nordwerk's", shared=True)
    body = get(as_user(client, colleague), "/lists/").content.decode()
    assert "Shared by owner" in body
    assert "Private of owner" not in body and "Nordwerk" not in body
    body = get(as_user(client, shop.buyers["C-1001"]), "/lists/").content.decode()
    assert "Nordwerk&#x27;s" in body and "by owner" not in body


def test_a_list_of_one_store_is_not_found_from_another_store(shop, hydra):
    saved = make_list(shop, "Ferrum only", shared=True)
    owner = shop.membership("C-1004")
    owner.company.stores.add(hydra.store)
    assert selectors.list_for(store_id=shop.store.id, membership=owner, list_id=saved.id)
    assert selectors.list_for(store_id=hydra.store.id, membership=owner, list_id=saved.id) is None
    assert not selectors.visible_lists(store_id=hydra.store.id, membership=owner).exists()


def test_only_products_of_the_stores_assortment_go_on_a_list(client, shop):
    assortment_publish(CatalogPage.objects.get(), categories=["Fasteners"])
    from storefleet.tenants.services import store_content_changed

    store_content_changed(site_id=shop.store.site.id)
    saved = make_list(shop, "Fasteners", shared=False)
    c = as_user(client, shop.buyers["C-1004"])
    post(c, "/lists/add/", {"sku": "BRG-1002", "quantity": "1", "list": str(saved.id)})
    assert "We don&#x27;t sell a product with the SKU “BRG-1002” in this store" in (
        get(c, f"/lists/{saved.id}/").content.decode()
    )
    assert list(saved.lines.values_list("product__sku", flat=True)) == ["FAS-1003"]

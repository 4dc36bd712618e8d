"""Signed-in buyers add products to their cart from the product list and the product page: a
small form per product that posts the SKU, a quantity the ERP's ordering rules accept, and
where to come back to. Nobody else gets the form."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

pytestmark = pytest.mark.django_db

FERRUM = "ferrum.localhost"
WITH_CART = "tests.catalog.urls_with_cart"
WITHOUT_CART = "tests.catalog.urls_without_cart"


def _forms(client, path: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """Each add-to-cart form on the page: its action, button and fields by name."""
    response = client.get(path, HTTP_HOST=FERRUM)
    assert response.status_code == 200
    forms = []
    for form in BeautifulSoup(response.content, "html.parser").select("form.add-to-cart"):
        fields = {field["name"]: field for field in form.select("input[name]")}
        quantity = fields["quantity"]
        forms.append(
            {
                "action": form["action"],
                "method": form["method"],
                "button": form.select_one("button[type=submit]").get_text(strip=True),
                "csrf": "csrfmiddlewaretoken" in fields,
                "sku": fields["sku"]["value"],
                "next": fields["next"]["value"],
                "quantity": (
                    quantity["type"],
                    quantity["min"],
                    quantity["step"],
                    quantity["value"],
                ),
            }
        )
    return forms


def test_a_buyer_gets_an_add_to_cart_form_on_the_list_and_the_product_page(client, settings, shop):
    settings.ROOT_URLCONF = WITH_CART
    _gateway, buyer = shop
    client.force_login(buyer)
    action = reverse("ordering:cart_add")

    [form] = _forms(client, "/catalog/BRG-1001/")
    assert form == {
        "action": action,
        "method": "post",
        "button": "Add to cart",
        "csrf": True,
        "sku": "BRG-1001",
        "next": "/catalog/BRG-1001/",
        "quantity": ("number", "2", "1", "2"),  # a minimum of 2, any whole number above
    }
    # Rules from the ERP: a minimum in boxes of a multiple, and a multiple alone.
    assert _forms(client, "/catalog/FAS-1001/")[0]["quantity"] == ("number", "100", "100", "100")
    assert _forms(client, "/catalog/SEA-1003/")[0]["quantity"] == ("number", "10", "10", "10")

    listed = _forms(client, "/catalog/?q=FAS-10&page=1")
    assert [f["sku"] for f in listed][:3] == ["FAS-1001", "FAS-1002", "FAS-1003"]
    assert {(f["action"], f["next"]) for f in listed} == {(action, "/catalog/?q=FAS-10&page=1")}


def test_visitors_editors_and_stores_without_a_cart_get_no_form(client, settings, shop, ferrum):
    settings.ROOT_URLCONF = WITH_CART
    assert _forms(client, "/catalog/") == []
    assert _forms(client, "/catalog/BRG-1001/") == []
    client.force_login(ferrum.editor)  # signed in, but buys for no company
    assert _forms(client, "/catalog/BRG-1001/") == []

    settings.ROOT_URLCONF = WITHOUT_CART
    _gateway, buyer = shop
    client.force_login(buyer)
    body = client.get("/catalog/BRG-1001/", HTTP_HOST=FERRUM).content.decode()
    assert "your price" in body  # signed in as a buyer indeed
    assert 'class="add-to-cart"' not in body

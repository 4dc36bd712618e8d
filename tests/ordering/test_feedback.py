"""Feedback where the action happened: adding to the cart from a product page says so on the
product page, once, and the message does not turn up again later on the cart."""

from __future__ import annotations

import pytest
from django.test import Client

from .conftest import HOST

pytestmark = pytest.mark.django_db


def test_adding_to_cart_on_a_product_page_says_so_there_once(shop):
    client = Client(HTTP_HOST=HOST)
    client.force_login(shop.buyers["C-1001"])
    product_page = "/catalog/BRG-1001/"
    assert client.get(product_page).status_code == 200
    response = client.post(
        "/cart/add/", {"sku": "BRG-1001", "quantity": "2", "next": product_page}, follow=True
    )
    body = response.content.decode()
    assert response.redirect_chain == [(product_page, 302)]
    assert body.count("to your cart.") == 1
    assert "of BRG-1001 to your cart." in body
    assert 'cart-link__count">1<' in body
    cart = client.get("/cart/").content.decode()
    assert "to your cart." not in cart

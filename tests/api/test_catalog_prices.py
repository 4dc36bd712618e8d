"""The API's catalog read prices each product as the storefront does (``catalog.offers``):
the same price at the same quantity, and its volume breaks, from one gateway read of prices
for the whole page (the breaks' batch holds each product's smallest order quantity)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storefleet.catalog.models import Product
from storefleet.catalog.offers import product_offers
from storefleet.erp.gateway import ErpGateway
from storefleet.tenants.selectors import store_for_hostname

from .conftest import FERRUM, bearer

pytestmark = pytest.mark.django_db


def test_offer_prices_are_the_storefronts_from_one_price_read(client, world, monkeypatch):
    products = list(Product.objects.order_by("sku")[:12])
    assert any(p.min_quantity for p in products)  # a minimum above 1 is priced at the minimum
    reads: list[int] = []
    real = ErpGateway.prices

    def counted(self, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(len(kwargs["lines"]))
        return real(self, **kwargs)

    monkeypatch.setattr(ErpGateway, "prices", counted)
    key = world.key("C-1001", FERRUM)
    response = client.get(
        "/api/v1/catalog/products?sku=" + ",".join(p.sku for p in products),
        HTTP_HOST=FERRUM,
        **bearer(key),
    )
    assert response.status_code == 200, response.content[:500]
    assert len(reads) == 1 and reads[0] > len(products)  # the breaks' batch, nothing else
    store = store_for_hostname(FERRUM)
    assert store is not None
    offers = product_offers(store=store, customer="C-1001", products=products)
    items = {item["sku"]: item for item in response.json()["items"]}
    assert len(items) == len(products)
    for offer in offers:
        item = items[offer.product.sku]
        assert offer.price is not None and offer.price.unit_price is not None
        assert item["price"] == {
            "quantity": str(offer.quantity),
            "unit_price": {
                "amount": str(offer.price.unit_price.amount),
                "currency": offer.price.unit_price.currency,
            },
        }
        assert item["volume_breaks"][0] == item["price"]
        assert item["stale"] is False
    assert {Decimal(i["price"]["quantity"]) for i in items.values()} != {Decimal(1)}


def test_answers_are_encoded_as_ninjas_encoder_encodes_them():
    import datetime
    import json

    from ninja.responses import NinjaJSONEncoder

    from storefleet.api.v1 import AnswerEncoder, api

    data = {
        "amounts": [Decimal("27.2000"), Decimal("0"), Decimal("1E+3"), Decimal("-0.0375")],
        "updated_at": datetime.datetime(2026, 12, 6, 7, 24, 14, 254321, tzinfo=datetime.UTC),
        "available_from": datetime.date(2027, 1, 15),
        "none": None,
    }
    assert json.dumps(data, cls=AnswerEncoder) == json.dumps(data, cls=NinjaJSONEncoder)
    assert '"27.2000"' in json.dumps(data, cls=AnswerEncoder)
    assert api.renderer.encoder_class is AnswerEncoder  # type: ignore[attr-defined]

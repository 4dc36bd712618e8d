"""The catalog read names the asked-for SKUs the store does not sell (``unknown_skus``) whether
the answer is one page (read off the page itself) or several, or filtered by
``updated_since`` (asked of the assortment): a SKU left out by the filter or the page size is
sold, not unknown."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from storefleet.catalog.models import Product

from .conftest import FERRUM, bearer

pytestmark = pytest.mark.django_db

SOLD = ["BRG-1001", "BRG-1002", "TOL-1003"]


def read(client, key: str, skus: list[str], **query) -> dict:
    response = client.get(
        "/api/v1/catalog/products",
        {"sku": ",".join(skus), **query},
        HTTP_HOST=FERRUM,
        **bearer(key),
    )
    assert response.status_code == 200, response.content[:500]
    return response.json()


@pytest.mark.parametrize(
    "query",
    [{}, {"limit": 1}, {"updated_since": "2000-01-01T00:00:00Z"}],
    ids=["one-page", "paged", "updated-since"],
)
def test_skus_not_sold_are_named_however_the_products_are_read(client, world, query):
    Product.objects.filter(sku="TOL-1003").update(active=False)  # no longer sold
    key = world.key("C-1001", FERRUM)
    answer = read(client, key, ["NOPE-1", *SOLD], **query)
    assert answer["unknown_skus"] == ["NOPE-1", "TOL-1003"]
    shown = [item["sku"] for item in answer["items"]]
    assert shown == ["BRG-1001", "BRG-1002"][: query.get("limit", 2)]


def test_skus_filtered_out_by_updated_since_are_not_unknown(client, world):
    key = world.key("C-1001", FERRUM)
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    answer = read(client, key, ["NOPE-1", *SOLD], updated_since=future)
    assert answer == {"items": [], "next_cursor": None, "unknown_skus": ["NOPE-1"]}

"""First check: the API answers on a store's host, with problems for what is wrong."""

from __future__ import annotations

import pytest

from .conftest import FERRUM, bearer

pytestmark = pytest.mark.django_db


def test_catalog_and_openapi(client, world):
    key = world.key("C-1001", FERRUM)
    response = client.get("/api/v1/catalog/products?sku=TOL-1003", HTTP_HOST=FERRUM, **bearer(key))
    print(response.content[:2000])
    assert response.status_code == 200
    doc = client.get("/api/v1/openapi.json", HTTP_HOST=FERRUM)
    assert doc.json()["openapi"].startswith("3.1")
    bad = client.get("/api/v1/catalog/products", HTTP_HOST=FERRUM, **bearer("sfk_nope"))
    print(bad.content)
    assert bad.status_code == 401

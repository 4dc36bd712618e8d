"""Hostile input gets a problem (4xx, ``application/problem+json``, a detail saying what to do),
never a 500; a batch of SKUs costs one ERP price call and one stock call, not one per SKU; the
rate limit and the wrong-key throttle answer 429 with Retry-After; the OpenAPI document is a
valid 3.1 document with every endpoint."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from openapi_spec_validator import validate

from storefleet.api.models import ApiKey
from storefleet.catalog.models import Product
from storefleet.catalog.offers import volume_breaks
from storefleet.erp.gateway import get_gateway
from storefleet.tenants.selectors import store_for_hostname

from .conftest import FERRUM, bearer
from .test_matrix import ENDPOINTS, assert_problem

pytestmark = pytest.mark.django_db

HOSTILE_GETS = [
    ("/api/v1/catalog/products?limit=0", 422, "invalid-request"),
    ("/api/v1/catalog/products?limit=abc", 422, "invalid-request"),
    ("/api/v1/catalog/products?limit=99999999999999999999", 422, "invalid-request"),
    ("/api/v1/catalog/products?updated_since=yesterday", 422, "invalid-request"),
    ("/api/v1/catalog/products?cursor=junk", 422, "invalid-request"),
    ("/api/v1/catalog/products?cursor=" + "A" * 600, 422, "invalid-request"),
    ("/api/v1/catalog/products?sku=%00%01", 200, ""),
    ("/api/v1/catalog/products?sku=" + "X" * 5000, 200, ""),
    ("/api/v1/orders?cursor=eyJrIjoib3JkZXJzIn0", 422, "invalid-request"),
    ("/api/v1/orders?updated_since=2026-13-45", 422, "invalid-request"),
    ("/api/v1/orders/" + "9" * 500, 404, "not-found"),
    ("/api/v1/orders/%00", 404, "not-found"),
    ("/api/v1/invoices?cursor=%FF%FE", 422, "invalid-request"),
    ("/api/v1/invoices/" + "I" * 300, 404, "not-found"),
    ("/api/v1/invoices/nope/pdf", 404, "not-found"),
    ("/api/v1/invoices/%00", 404, "not-found"),
    ("/api/v1/invoices/INV%00/pdf", 404, "not-found"),
    ("/api/v1/no-such-endpoint", 404, "not-found"),
    ("/api/v1/catalog/products?" + "&".join(["sku=A"] * 1100), 400, "bad-request"),
    ("/api/v1/catalog/products?" + "&".join(f"sku=S{n}" for n in range(501)), 422, "too-many-skus"),
]


@pytest.mark.parametrize(("path", "status", "code"), HOSTILE_GETS)
def test_hostile_parameters_get_a_problem_never_a_500(client, world, path, status, code):
    key = world.key("C-1001", FERRUM)
    response = client.get(path, HTTP_HOST=FERRUM, **bearer(key))
    if code:
        assert_problem(response, status, code)
    else:
        assert response.status_code == 200
        assert response.json()["items"] == []


HOSTILE_BODIES = [
    b"",
    b"not json",
    b"[]",
    b'{"lines": "BRG-1001"}',
    b'{"lines": []}',
    b'{"lines": [{"sku": "BRG-1001", "quantity": "-3"}]}',
    b'{"lines": [{"sku": "BRG-1001", "quantity": "1e400"}]}',
    b'{"lines": [{"sku": "BRG-1001", "quantity": "NaN"}]}',
    b'{"lines": [{"sku": "BRG-1001", "quantity": "0.00001"}]}',
    b'{"lines": [{"sku": 5, "quantity": true}]}',
    b'{"lines": [{"sku": "' + b"S" * 100 + b'", "quantity": 1}]}',
    b'{"lines": [' + b",".join([b'{"sku": "BRG-1001", "quantity": 1}'] * 501) + b"]}",
    b'{"lines": [{"sku": "BRG-1001", "quantity": 1}]' + b" " * 10 + b"",
    b'{"lines": [{"sku": "BRG\\u0000-1001", "quantity": 1}]}',  # PostgreSQL refuses NUL
    b'{"lines": [{"sku": "BRG-1001", "quantity": 1}], "accept_backorder": "maybe"}',
    b'{"lines": [' + b" " * 3_000_000 + b"]}",  # past DATA_UPLOAD_MAX_MEMORY_SIZE
    b'{"lines": [{"sku": "BRG-1001", "quantity": 1, "x": ' + b"[" * 5000 + b"]" * 5000 + b"}]}",
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_hostile_validation_bodies_get_a_problem(client, world, body):
    key = world.key("C-1001", FERRUM)
    response = client.post(
        "/api/v1/orders/validate",
        body,
        content_type="application/json",
        HTTP_HOST=FERRUM,
        **bearer(key),
    )
    assert 400 <= response.status_code < 500, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"]


def test_skus_the_store_does_not_sell_are_named_in_the_problem(client, world):
    key = world.key("C-1001", FERRUM)
    response = client.post(
        "/api/v1/orders/validate",
        {"lines": [{"sku": "NOPE-1", "quantity": 1}, {"sku": "BRG-1001", "quantity": 10}]},
        content_type="application/json",
        HTTP_HOST=FERRUM,
        **bearer(key),
    )
    assert_problem(response, 422, "unknown-skus")
    assert response.json()["skus"] == ["NOPE-1"]


def test_more_than_500_skus_is_a_problem_that_names_the_limit(client, world):
    key = world.key("C-1001", FERRUM)
    skus = ",".join(f"S-{n}" for n in range(501))
    response = client.get(f"/api/v1/catalog/products?sku={skus}", HTTP_HOST=FERRUM, **bearer(key))
    assert_problem(response, 422, "too-many-skus")
    assert "500" in response.json()["detail"]
    assert response.json()["limit"] == 500


def test_a_batch_of_skus_is_one_price_call_and_one_stock_call(client, world, monkeypatch, settings):
    # The gateway keeps each (SKU, quantity) on its own key: a cache the size of production's
    # (Redis; the embedded default's file cache holds 20,000), not locmem's default 300.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
    skus = list(Product.objects.order_by("sku").values_list("sku", flat=True)[:60])
    backend = get_gateway().backend
    calls: dict[str, int] = {"prices": 0, "availability": 0}
    for name in calls:
        real = getattr(backend, name)

        def counted(*args, _real=real, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(backend, name, counted)
    key = world.key("C-1001", FERRUM)
    response = client.get(
        "/api/v1/catalog/products?limit=500&sku=" + ",".join(skus),
        HTTP_HOST=FERRUM,
        **bearer(key),
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 60
    assert calls == {"prices": 1, "availability": 1}
    # The breaks are the product page's own (offers.volume_breaks), now answered from the cache.
    store = store_for_hostname(FERRUM)
    product = next(
        p
        for p in Product.objects.filter(sku__in=skus)
        if len(volume_breaks(store=store, customer="C-1001", product=p)) > 1
    )
    expected = volume_breaks(store=store, customer="C-1001", product=product)
    item = next(i for i in items if i["sku"] == product.sku)
    assert [b["quantity"] for b in item["volume_breaks"]] == [str(q.quantity) for q in expected]
    assert calls == {"prices": 1, "availability": 1}
    # Warm: asked again, the ERP is not asked at all.
    client.get(
        "/api/v1/catalog/products?limit=500&sku=" + ",".join(skus), HTTP_HOST=FERRUM, **bearer(key)
    )
    assert calls == {"prices": 1, "availability": 1}


def test_catalog_pages_follow_the_cursor_and_updated_since(client, world):
    key = world.key("C-1001", FERRUM)
    first = client.get("/api/v1/catalog/products?limit=3", HTTP_HOST=FERRUM, **bearer(key)).json()
    assert len(first["items"]) == 3
    second = client.get(
        f"/api/v1/catalog/products?limit=3&cursor={first['next_cursor']}",
        HTTP_HOST=FERRUM,
        **bearer(key),
    ).json()
    skus = [i["sku"] for i in first["items"] + second["items"]]
    assert skus == sorted(skus) and len(set(skus)) == 6
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    later = client.get(
        "/api/v1/catalog/products", {"updated_since": future}, HTTP_HOST=FERRUM, **bearer(key)
    ).json()
    assert later == {"items": [], "next_cursor": None, "unknown_skus": []}


def test_a_key_over_its_rate_gets_429_with_retry_after_and_ratelimit_fields(client, world):
    text = world.key("C-1001", FERRUM, scopes=None)
    ApiKey.objects.filter(prefix=text.split("_")[1]).update(rate_limit_per_minute=3)
    answers = [client.get("/api/v1/orders", HTTP_HOST=FERRUM, **bearer(text)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["RateLimit-Limit"] for a in answers] == ["3"] * 4
    assert [int(a["RateLimit-Remaining"]) for a in answers[:3]] == [2, 1, 0]
    assert_problem(answers[3], 429, "rate-limited")
    assert 1 <= int(answers[3]["Retry-After"]) <= 60
    assert answers[3]["RateLimit-Remaining"] == "0"


def test_a_client_guessing_keys_is_refused_before_its_guesses_are_looked_up(
    client, world, settings, django_assert_num_queries
):
    settings.API_FAILED_KEYS_PER_CLIENT = 3
    good = world.key("C-1001", FERRUM)
    for n in range(3):
        guess = f"sfk_{'a' * 12}_{str(n) * 40}"
        assert_problem(
            client.get("/api/v1/orders", HTTP_HOST=FERRUM, **bearer(guess)), 401, "unauthenticated"
        )
    with django_assert_num_queries(0):
        refused = client.get("/api/v1/orders", HTTP_HOST=FERRUM, **bearer(good))
    assert_problem(refused, 429, "too-many-failed-keys")
    assert refused["Retry-After"] == str(settings.API_FAILED_KEYS_COOL_OFF_SECONDS)
    # Another client is not held back.
    ok = client.get("/api/v1/orders", HTTP_HOST=FERRUM, REMOTE_ADDR="10.9.9.9", **bearer(good))
    assert ok.status_code == 200


def test_last_used_is_written_at_most_once_a_minute(client, world):
    text = world.key("C-1001", FERRUM)
    key = ApiKey.objects.get(prefix=text.split("_")[1])
    assert key.last_used_at is None
    client.get("/api/v1/orders", HTTP_HOST=FERRUM, **bearer(text))
    first = ApiKey.objects.get(pk=key.pk).last_used_at
    assert first is not None
    client.get("/api/v1/orders", HTTP_HOST=FERRUM, **bearer(text))
    assert ApiKey.objects.get(pk=key.pk).last_used_at == first
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    client.get("/api/v1/orders", HTTP_HOST=FERRUM, **bearer(text))
    assert ApiKey.objects.get(pk=key.pk).last_used_at > first


def test_the_erp_away_is_a_503_problem_with_retry_after(client, world, settings):
    settings.ERP_URL = "http://127.0.0.1:9/"  # nothing listens there
    key = world.key("C-1001", FERRUM)
    for endpoint in ("/api/v1/catalog/products?sku=BRG-1001", "/api/v1/credit"):
        response = client.get(endpoint, HTTP_HOST=FERRUM, **bearer(key))
        assert_problem(response, 503, "erp-unavailable")
        assert int(response["Retry-After"]) >= 1
    response = client.post(
        "/api/v1/orders/validate",
        {"lines": [{"sku": "BRG-1001", "quantity": 10}]},
        content_type="application/json",
        HTTP_HOST=FERRUM,
        **bearer(key),
    )
    assert_problem(response, 503, "erp-unavailable")


WEBHOOK_PATHS = {
    "/webhooks/subscriptions",
    "/webhooks/subscriptions/{subscription_id}",
    "/webhooks/subscriptions/{subscription_id}/rotate",
    "/webhooks/subscriptions/{subscription_id}/enable",
    "/webhooks/deliveries",
    "/webhooks/deliveries/{delivery_id}/resend",
    "/webhooks/resend",
}
# A partner key manages its own subscriptions at the same paths under /partner (tests/webhooks'
# test_partner_api.py holds their walls).
PARTNER_WEBHOOK_PATHS = {f"/partner{path}" for path in WEBHOOK_PATHS}
WEBHOOK_OPERATIONS = 2 * 8  # a company's and a partner's; subscriptions: GET and POST


def test_the_openapi_document_is_valid_3_1_with_every_endpoint(client, world):
    response = client.get("/api/v1/openapi.json", HTTP_HOST=FERRUM)
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    validate(document)
    paths = {path.removeprefix("/api/v1") for path in document["paths"]}
    assert paths == {
        "/catalog/products",
        "/orders/validate",
        "/orders",
        "/orders/{number}",
        "/invoices",
        "/invoices/{number}",
        "/invoices/{number}/pdf",
        "/credit",
        "/problems/{code}",
        "/orders/{number}/cancel",
        "/returns",
        "/quotes",
        "/quotes/{quote_id}",
        "/quotes/{quote_id}/accept",
        *WEBHOOK_PATHS,
        *PARTNER_WEBHOOK_PATHS,
    }
    # Every endpoint but the problem types' own; the webhooks' walls are tests/webhooks'.
    operations = sum(len(methods) for methods in document["paths"].values())
    assert len(ENDPOINTS) == operations - 1 - WEBHOOK_OPERATIONS
    assert document["components"]["securitySchemes"]
    secured = [
        operation
        for operations in document["paths"].values()
        for operation in operations.values()
        if "security" in operation
    ]
    assert len(secured) == len(ENDPOINTS) + WEBHOOK_OPERATIONS
    for operation in secured:
        for status in ("401", "403", "422", "429", "503"):
            assert "application/problem+json" in operation["responses"][status]["content"]


def test_no_store_here_is_a_problem_too(client, world):
    response = client.get("/api/v1/orders", HTTP_HOST="nobody.localhost")
    assert_problem(response, 404, "not-found")


def test_a_problems_type_leads_to_what_it_means(client, world):
    body = client.get("/api/v1/orders", HTTP_HOST=FERRUM).json()
    explained = client.get(body["type"], HTTP_HOST=FERRUM).json()
    assert explained == {"code": "unauthenticated", "title": "No valid API key", "status": 401}
    assert_problem(client.get("/api/v1/problems/nope", HTTP_HOST=FERRUM), 404, "not-found")


def test_a_suspended_store_answers_a_problem(client, world):
    from storefleet.tenants.models import Store, StoreStatus
    from storefleet.tenants.services import store_host_map_invalidate

    key = world.key("C-1001", FERRUM)
    Store.objects.filter(pk=world.stores[FERRUM].pk).update(status=StoreStatus.SUSPENDED)
    store_host_map_invalidate()
    response = client.get("/api/v1/orders", HTTP_HOST=FERRUM, **bearer(key))
    assert_problem(response, 503, "store-unavailable")


def test_a_partner_key_reaches_a_granted_company_in_each_of_its_stores(client, world):
    from .conftest import HYDRA

    key = world.partner_key(codes=["C-1001"], hosts=[FERRUM, HYDRA])
    acting = bearer(key, HTTP_STOREFLEET_COMPANY="C-1001")
    for host in (FERRUM, HYDRA):
        body = client.get("/api/v1/orders", HTTP_HOST=host, **acting).json()
        assert [row["number"] for row in body["items"]] == [world.orders[(host, "C-1001")]]

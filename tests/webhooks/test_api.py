"""The webhooks API and the SSRF guard: a company's subscriptions and deliveries are never
visible, deletable or resendable with another company's key (a matrix), hostile bodies are
problems and never 500, URLs into private networks are refused."""

from __future__ import annotations

import datetime
import json
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from storefleet.api.keys import api_key_create
from storefleet.api.models import KeyKind, Scope
from storefleet.outbox import tasks as outbox_tasks
from storefleet.webhooks.addresses import UnsafeUrl, url_check
from storefleet.webhooks.models import Delivery, Subscription

from .conftest import emit, run_due, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(outbox_tasks.message_process_task, "delay", lambda *a, **k: None)


def _key(shop, company, scopes=(Scope.WEBHOOKS,)) -> dict[str, str]:
    _made, text = api_key_create(
        name="k",
        kind=KeyKind.COMPANY,
        scopes=list(scopes),
        expires_at=timezone.now() + datetime.timedelta(days=30),
        company=company,
        store=shop.store,
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {text}", "HTTP_HOST": shop.store.hostname}


def _post(client, path, headers, body=None, raw=None):
    return client.post(
        path,
        data=raw if raw is not None else json.dumps(body or {}),
        content_type="application/json",
        **headers,
    )


def test_a_subscription_is_made_listed_rotated_and_deleted_by_api(client, shop, receiver):
    acme = _key(shop, shop.acme)
    made = _post(
        client,
        "/api/v1/webhooks/subscriptions",
        acme,
        {"url": receiver.url, "events": ["order.placed", "order.shipped"]},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["secret"].startswith("whsec_") and body["events"] == [
        "order.placed",
        "order.shipped",
    ]
    listed = client.get("/api/v1/webhooks/subscriptions", **acme).json()
    assert [s["id"] for s in listed] == [body["id"]] and "secret" not in listed[0]
    rotated = _post(client, f"/api/v1/webhooks/subscriptions/{body['id']}/rotate", acme)
    assert rotated.status_code == 200 and rotated.json()["secret"] != body["secret"]
    assert Subscription.objects.get().previous_secret == body["secret"]
    gone = client.delete(f"/api/v1/webhooks/subscriptions/{body['id']}", **acme)
    assert gone.status_code == 204
    assert client.get("/api/v1/webhooks/subscriptions", **acme).json() == []


def test_a_watch_on_skus_is_made_by_api_and_a_watch_without_skus_is_a_problem(
    client, shop, receiver
):
    acme = _key(shop, shop.acme)
    watch = {"url": receiver.url, "events": ["price_or_availability.changed"]}
    refused = _post(client, "/api/v1/webhooks/subscriptions", acme, watch)
    assert refused.status_code == 422, refused.content
    assert "watched_skus" in refused.json()["detail"]
    assert not Subscription.objects.exists()
    made = _post(
        client,
        "/api/v1/webhooks/subscriptions",
        acme,
        {**watch, "watched_skus": ["BRG-1002", " BRG-1002 ", "FAS-1003"]},
    )
    assert made.status_code == 201, made.content
    assert made.json()["watched_skus"] == ["BRG-1002", "FAS-1003"]
    listed = client.get("/api/v1/webhooks/subscriptions", **acme).json()
    assert listed[0]["watched_skus"] == ["BRG-1002", "FAS-1003"]


def test_a_key_without_the_webhooks_scope_is_refused(client, shop):
    headers = _key(shop, shop.acme, scopes=(Scope.ORDERS_READ,))
    answer = client.get("/api/v1/webhooks/subscriptions", **headers)
    assert answer.status_code == 403 and answer.json()["code"] == "scope-missing"


def test_walls_another_companys_key_never_sees_deletes_or_resends(client, shop, receiver, clock):
    keys = {"acme": _key(shop, shop.acme), "other": _key(shop, shop.other)}
    own = {"acme": subscribe(shop, receiver), "other": subscribe(shop, receiver, who=shop.other)}
    deliveries = {
        "acme": emit(shop, subject="order:A-1")[0],
        "other": emit(shop, subject="order:O-1", who=shop.other)[0],
    }
    run_due()
    for caller, headers in keys.items():
        for owner in ("acme", "other"):
            mine = caller == owner
            subs = client.get("/api/v1/webhooks/subscriptions", **headers).json()
            assert (own[owner].id in [s["id"] for s in subs]) is mine
            listed = client.get("/api/v1/webhooks/deliveries", **headers).json()["items"]
            assert (str(deliveries[owner].uuid) in [d["id"] for d in listed]) is mine
            resend = _post(
                client, f"/api/v1/webhooks/deliveries/{deliveries[owner].uuid}/resend", headers
            )
            assert resend.status_code == (202 if mine else 404), resend.content
            rotate = _post(
                client, f"/api/v1/webhooks/subscriptions/{own[owner].id}/rotate", headers
            )
            assert rotate.status_code == (200 if mine else 404)
    for caller, headers in keys.items():
        since = urlencode({"since": (clock.now - datetime.timedelta(hours=1)).isoformat()})
        answer = client.post(f"/api/v1/webhooks/resend?{since}", **headers)
        assert answer.status_code == 202
        resent = Delivery.objects.filter(uuid__in=answer.json()["deliveries"])
        company = shop.acme if caller == "acme" else shop.other
        assert resent.count() == 1 and {d.company_id for d in resent} == {company.id}
    other_sub = own["other"].id
    assert (
        client.delete(f"/api/v1/webhooks/subscriptions/{other_sub}", **keys["acme"]).status_code
        == 404
    )
    assert Subscription.objects.get(id=other_sub).deleted_at is None


HOSTILE = [
    {},
    {"url": "https://example.com/h"},
    {"url": "https://example.com/h", "events": []},
    {"url": "https://example.com/h", "events": ["order.exploded"]},
    {"url": "https://example.com/h", "events": "order.placed"},
    {"url": "https://example.com/h", "events": [{"$gt": ""}]},
    {"url": 12, "events": ["order.placed"]},
    {"url": "x" * 5000, "events": ["order.placed"]},
    {"url": "javascript:alert(1)", "events": ["order.placed"]},
    {"url": "https://10.1.2.3/h", "events": ["order.placed"]},
    {"url": "https://169.254.169.254/latest/meta-data", "events": ["order.placed"]},
    {"url": "https://a\x00b.example/h", "events": ["order.placed"]},
    {"url": "https://example.com/h", "events": ["order.placed"], "description": "d" * 999},
]


@pytest.mark.parametrize("body", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_subscription_bodies_are_problems_never_500(client, shop, body):
    answer = _post(client, "/api/v1/webhooks/subscriptions", _key(shop, shop.acme), body)
    assert answer.status_code in (400, 422), answer.content
    assert answer["Content-Type"] == "application/problem+json" and answer.json()["detail"]
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("raw", ["{", "[]", "null", '{"url": "https://example.com"' + "]" * 5])
def test_unreadable_bodies_are_problems(client, shop, raw):
    answer = _post(client, "/api/v1/webhooks/subscriptions", _key(shop, shop.acme), raw=raw)
    assert answer.status_code in (400, 422) and not Subscription.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/webhooks/deliveries/not-a-uuid/resend",
        "/api/v1/webhooks/resend?since=yesterday",
        "/api/v1/webhooks/resend?since=1999-01-01T00:00:00Z",
        "/api/v1/webhooks/resend",
        "/api/v1/webhooks/subscriptions/99999999999999999999/rotate",
    ],
)
def test_hostile_resend_and_ids_are_problems(client, shop, path):
    answer = client.post(path, **_key(shop, shop.acme))
    assert answer.status_code in (404, 422), answer.content
    assert answer["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/h",  # not https
        "https://10.0.0.5/h",
        "https://192.168.1.1/h",
        "https://172.16.0.1/h",
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://[fe80::1]/h",
        "https://[::ffff:10.0.0.1]/h",
        "https://0.0.0.0/h",
        "https://user:pw@example.com/h",
        "ftp://example.com/h",
        "https://localhost/h",
        "http://127.0.0.1:8000/h",
    ],
)
def test_urls_into_private_networks_are_refused(settings, url):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    with pytest.raises(UnsafeUrl):
        url_check(url)


def test_loopback_is_allowed_only_where_debug_or_tests_say_so(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    assert url_check("http://127.0.0.1:9/h") == "http://127.0.0.1:9/h"
    with pytest.raises(UnsafeUrl):
        url_check("http://10.0.0.1/h")  # loopback only, not every private address
    assert url_check("https://93.184.215.14/h") == "https://93.184.215.14/h"


def test_a_host_that_moved_into_a_private_network_is_not_called(shop, receiver, clock, settings):
    subscribe(shop, receiver)
    (delivery,) = emit(shop)
    settings.WEBHOOKS_ALLOW_LOOPBACK = False  # as if its DNS now pointed at 127.0.0.1
    run_due()
    assert receiver.received == []
    delivery.refresh_from_db()
    assert "https only" in delivery.log.get().error  # plain http to loopback: refused

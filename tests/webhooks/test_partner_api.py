"""A partner key's own webhook subscriptions by API (``/api/v1/partner/webhooks/``): one
subscription hears every company the key was granted, in every store it works on; the partner
lists, makes, rotates, enables and deletes its own, reads their delivery log and resends —
and the walls, as a matrix: another partner key, a company key, a key without the scope, a
key on a store it was not given, and a company no longer granted."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from storefleet.api.keys import api_key_create
from storefleet.api.models import ApiKey, KeyKind, Scope
from storefleet.outbox import tasks as outbox_tasks
from storefleet.webhooks import services
from storefleet.webhooks.models import Delivery, Subscription

from .conftest import emit, run_due, subscribe

pytestmark = pytest.mark.django_db
PARTNER = "/api/v1/partner/webhooks"


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(outbox_tasks.message_process_task, "delay", lambda *a, **k: None)


def partner_key(shop, *, stores, companies, scopes=(Scope.WEBHOOKS,)) -> tuple[ApiKey, str]:
    return api_key_create(
        name="partner",
        kind=KeyKind.PARTNER,
        scopes=list(scopes),
        expires_at=timezone.now() + datetime.timedelta(days=30),
        stores=stores,
        companies=companies,
    )


def company_key(shop, who) -> str:
    _made, text = api_key_create(
        name="company",
        kind=KeyKind.COMPANY,
        scopes=[Scope.WEBHOOKS],
        expires_at=timezone.now() + datetime.timedelta(days=30),
        company=who,
        store=shop.store,
    )
    return text


def headers(text: str, host: str, **extra: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {text}", "HTTP_HOST": host, **extra}


def post(client, path, head, body=None):
    return client.post(path, data=json.dumps(body or {}), content_type="application/json", **head)


@pytest.fixture
def world(shop, hydra, receiver):
    """Partner A (Ferrum and Hydra; acme and other) with a subscription and a delivery about
    acme in Ferrum and one about other in Hydra; partner B (Ferrum; acme) with its own; acme's
    company subscription in Ferrum with its own delivery."""
    other_in_hydra = shop.other
    other_in_hydra.stores.add(hydra.store)
    a, a_text = partner_key(
        shop, stores=[shop.store, hydra.store], companies=[shop.acme, shop.other]
    )
    b, b_text = partner_key(shop, stores=[shop.store], companies=[shop.acme])
    made = {}
    for name, key in (("a", a), ("b", b)):
        sub, secret = services.subscription_create(
            url=receiver.url,
            events=["order.placed"],
            partner_key_id=key.pk,
            contact_email=f"{name}@partner.example",
        )
        receiver.secrets.append(secret)
        made[name] = sub
    own = subscribe(shop, receiver)  # acme's, in Ferrum
    emit(shop, subject="order:W-1")  # to acme's, a's and b's subscriptions
    services.emit(
        event="order.placed",
        company=shop.other,
        store_id=hydra.store.id,
        store_slug=hydra.store.slug,
        subject="order:H-1",
        payload={"number": "H-1"},
    )  # to a's only: b has neither Hydra nor other
    run_due()
    deliveries = {
        "a": list(Delivery.objects.filter(subscription=made["a"]).order_by("id")),
        "b": list(Delivery.objects.filter(subscription=made["b"])),
        "own": list(Delivery.objects.filter(subscription=own)),
    }
    return {
        "hosts": {"ferrum": shop.store.hostname, "hydra": hydra.store.hostname},
        "keys": {"a": (a, a_text), "b": (b, b_text)},
        "subs": {**made, "own": own},
        "deliveries": deliveries,
        "acme_key": company_key(shop, shop.acme),
    }


def test_a_partner_manages_its_own_subscription_across_stores(client, shop, world, receiver):
    _a, text = world["keys"]["a"]
    ferrum = headers(text, world["hosts"]["ferrum"])
    hydra = headers(text, world["hosts"]["hydra"])
    assert len(world["deliveries"]["a"]) == 2  # acme in Ferrum, other in Hydra
    # The same list on either store's host: the key's own, not a store's.
    for head in (ferrum, hydra):
        listed = client.get(f"{PARTNER}/subscriptions", **head).json()
        assert [s["id"] for s in listed] == [world["subs"]["a"].id]
        assert listed[0]["contact_email"] == "a@partner.example" and "secret" not in listed[0]
    made = post(
        client,
        f"{PARTNER}/subscriptions",
        hydra,
        {"url": receiver.url, "events": ["order.shipped"], "contact_email": "ops@partner.example"},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["secret"].startswith("whsec_") and body["contact_email"] == "ops@partner.example"
    created = Subscription.objects.get(id=body["id"])
    assert (created.partner_key_id, created.company_id, created.store_id) == (_a.pk, None, None)
    rotated = post(client, f"{PARTNER}/subscriptions/{body['id']}/rotate", ferrum)
    assert rotated.status_code == 200 and rotated.json()["secret"] != body["secret"]
    Subscription.objects.filter(id=body["id"]).update(active=False, disabled_reason="down")
    enabled = post(client, f"{PARTNER}/subscriptions/{body['id']}/enable", ferrum)
    assert enabled.status_code == 200 and enabled.json()["active"] is True
    assert client.delete(f"{PARTNER}/subscriptions/{body['id']}", **ferrum).status_code == 204
    assert [s["id"] for s in client.get(f"{PARTNER}/subscriptions", **ferrum).json()] == [
        world["subs"]["a"].id
    ]

    log = client.get(f"{PARTNER}/deliveries", **ferrum).json()
    assert {d["subject"] for d in log["items"]} == {"order:W-1", "order:H-1"}
    first = world["deliveries"]["a"][0]
    again = post(client, f"{PARTNER}/deliveries/{first.uuid}/resend", ferrum)
    assert again.status_code == 202 and again.json()["subject"] == "order:W-1"
    assert Delivery.objects.get(uuid=again.json()["id"]).resend_of_id == first.id
    since = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    resent = client.post(f"{PARTNER}/resend?since={since.replace('+', '%2B')}", **hydra)
    assert resent.status_code == 202 and resent.json()["resent"] == 2
    new = Delivery.objects.filter(uuid__in=resent.json()["deliveries"])
    assert {d.subscription_id for d in new} == {world["subs"]["a"].id}


def test_a_company_no_longer_granted_drops_out_of_the_partners_log(client, shop, world):
    a, text = world["keys"]["a"]
    a.companies.remove(shop.other)
    head = headers(text, world["hosts"]["ferrum"])
    log = client.get(f"{PARTNER}/deliveries", **head).json()
    assert [d["subject"] for d in log["items"]] == ["order:W-1"]
    hidden = world["deliveries"]["a"][1]
    assert hidden.subject == "order:H-1"
    gone = post(client, f"{PARTNER}/deliveries/{hidden.uuid}/resend", head)
    assert gone.status_code == 404
    assert not Delivery.objects.filter(resend_of=hidden).exists()


OPERATIONS = [
    ("delete", "/subscriptions/{sub}"),
    ("post", "/subscriptions/{sub}/rotate"),
    ("post", "/subscriptions/{sub}/enable"),
    ("post", "/deliveries/{delivery}/resend"),
]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
@pytest.mark.parametrize("target", ["b", "own"])
def test_partner_a_finds_no_other_keys_or_companys_subscription_or_delivery(
    client, world, method, path, target
):
    """Partner A against partner B's subscription and delivery, and acme's company ones
    (which A's key reaches as acme's partner through /webhooks/, never through these)."""
    _a, text = world["keys"]["a"]
    sub, delivery = world["subs"][target], world["deliveries"][target][0]
    before = Subscription.objects.values_list("id", "secret", "active", "deleted_at")
    before, count = list(before.order_by("id")), Delivery.objects.count()
    url = PARTNER + path.format(sub=sub.id, delivery=delivery.uuid)
    answer = getattr(client, method)(url, **headers(text, world["hosts"]["ferrum"]))
    assert answer.status_code == 404, answer.content
    assert answer.json()["code"] == "not-found"
    after = Subscription.objects.values_list("id", "secret", "active", "deleted_at")
    assert list(after.order_by("id")) == before and Delivery.objects.count() == count
    listed = client.get(f"{PARTNER}/deliveries", **headers(text, world["hosts"]["ferrum"]))
    assert str(delivery.uuid) not in {d["id"] for d in listed.json()["items"]}


READS = [("get", "/subscriptions"), ("get", "/deliveries"), ("post", "/resend?since=2026-01-01")]


@pytest.mark.parametrize(("method", "path"), READS + OPERATIONS)
@pytest.mark.parametrize(
    ("caller", "status", "code"),
    [
        ("company key", 403, "forbidden"),
        ("partner without the scope", 403, "scope-missing"),
        ("partner on a store it was not given", 401, "unauthenticated"),
        ("partner naming a company not granted", 403, "company-not-granted"),
    ],
)
def test_callers_outside_a_partners_own_are_refused_before_anything_is_read(
    client, shop, world, method, path, caller, status, code
):
    _b, b_text = world["keys"]["b"]
    ferrum, hydra = world["hosts"]["ferrum"], world["hosts"]["hydra"]
    _scopeless, scopeless = partner_key(
        shop, stores=[shop.store], companies=[shop.acme], scopes=[Scope.CATALOG_READ]
    )
    head = {
        "company key": headers(world["acme_key"], ferrum),
        "partner without the scope": headers(scopeless, ferrum),
        "partner on a store it was not given": headers(b_text, hydra),
        "partner naming a company not granted": headers(
            b_text, ferrum, HTTP_STOREFLEET_COMPANY=shop.other.code
        ),
    }[caller]
    before = list(Subscription.objects.values_list("id", "secret", "active").order_by("id"))
    count = Delivery.objects.count()
    url = PARTNER + path.format(
        sub=world["subs"]["b"].id, delivery=world["deliveries"]["b"][0].uuid
    )
    answer = getattr(client, method)(url, **head)
    assert (answer.status_code, answer.json()["code"]) == (status, code), answer.content
    after = list(Subscription.objects.values_list("id", "secret", "active").order_by("id"))
    assert after == before and Delivery.objects.count() == count


def test_hostile_partner_bodies_are_problems_and_write_nothing(client, world, receiver):
    _a, text = world["keys"]["a"]
    head = headers(text, world["hosts"]["ferrum"])
    count = Subscription.objects.count()
    for body in (
        {"url": receiver.url, "events": ["order.placed"], "contact_email": "not an address"},
        {"url": receiver.url, "events": ["order.placed"]},
        {"url": "http://10.0.0.5/hook", "events": ["order.placed"], "contact_email": "a@b.example"},
        {"url": receiver.url, "events": ["nope"], "contact_email": "a@b.example"},
        {"url": receiver.url, "events": ["order.placed"], "contact_email": "\x00" * 300},
    ):
        answer = post(client, f"{PARTNER}/subscriptions", head, body)
        assert answer.status_code in (400, 422), (body, answer.content)
        assert answer.json()["code"] in ("invalid-request", "bad-request")
    assert Subscription.objects.count() == count
    for sub_id in ("0", "-1", str(2**70), "x"):
        answer = client.delete(f"{PARTNER}/subscriptions/{sub_id}", **head)
        assert answer.status_code in (404, 422), answer.content
    assert client.post(f"{PARTNER}/deliveries/not-a-uuid/resend", **head).status_code == 404

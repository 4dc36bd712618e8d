"""The company admin's webhooks page: an endpoint is added for the company in this store, its
secret shown once; rotate, delete and resend reach only the company's own; buyers who are not
admins, and admins of another company, can't reach them; a refused URL is a form error."""

from __future__ import annotations

import pytest

from storefleet.accounts.models import MemberRole, Membership
from storefleet.outbox import tasks as outbox_tasks
from storefleet.tenants.models import Store
from storefleet.tenants.services import store_host_map_invalidate
from storefleet.webhooks.models import Delivery, DeliveryState, Subscription

from .conftest import emit, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(outbox_tasks.message_process_task, "delay", lambda *a, **k: None)


@pytest.fixture
def people(shop, django_user_model):
    made = {}
    for name, company, role in (
        ("acme", shop.acme, MemberRole.ADMIN),
        ("other", shop.other, MemberRole.ADMIN),
        ("buyer", shop.acme, MemberRole.BUYER),
    ):
        user = django_user_model.objects.create_user(name, f"{name}@example.com", "x")
        Membership.objects.create(user=user, company=company, role=role)
        made[name] = user
    return made


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(client, shop, people, receiver):
    host = shop.store.hostname
    client.force_login(people["acme"])
    answer = client.post(
        "/account/webhooks/",
        {"url": receiver.url, "events": ["order.placed", "order.shipped"], "description": "ERP"},
        HTTP_HOST=host,
    )
    assert answer.status_code == 200 and answer["Cache-Control"] == "private, no-store"
    made = Subscription.objects.get()
    assert (made.company, made.store_id, made.events) == (
        shop.acme,
        shop.store.id,
        ["order.placed", "order.shipped"],
    )
    assert made.secret in answer.content.decode()
    listing = client.get("/account/webhooks/", HTTP_HOST=host).content.decode()
    assert receiver.url in listing and made.secret not in listing


def test_an_admin_watches_skus_typed_on_lines_or_with_commas(client, shop, people, receiver):
    client.force_login(people["acme"])
    host = shop.store.hostname
    watch = {"url": receiver.url, "events": ["price_or_availability.changed"]}
    refused = client.post("/account/webhooks/", watch, HTTP_HOST=host)
    assert refused.status_code == 400 and "Name the SKUs to watch" in refused.content.decode()
    assert not Subscription.objects.exists()
    answer = client.post(
        "/account/webhooks/",
        {**watch, "watched_skus": "BRG-1002,\nFAS-1003 ; SEA-1001"},
        HTTP_HOST=host,
    )
    assert answer.status_code == 200
    assert Subscription.objects.get().watched_skus == ["BRG-1002", "FAS-1003", "SEA-1001"]
    assert "watching 3 SKUs" in client.get("/account/webhooks/", HTTP_HOST=host).content.decode()


def test_a_refused_url_is_a_form_error_and_nothing_is_made(client, shop, people, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    client.force_login(people["acme"])
    answer = client.post(
        "/account/webhooks/",
        {"url": "https://169.254.169.254/latest", "events": ["order.placed"]},
        HTTP_HOST=shop.store.hostname,
    )
    assert answer.status_code == 400 and "link-local" in answer.content.decode()
    assert not Subscription.objects.exists()


def test_a_german_store_refuses_a_url_in_german(client, shop, people, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    Store.objects.filter(pk=shop.store.id).update(default_language="de")
    store_host_map_invalidate()
    client.force_login(people["acme"])
    answer = client.post(
        "/account/webhooks/",
        {"url": "http://user:secret@example.com/hook", "events": ["order.placed"]},
        HTTP_HOST=shop.store.hostname,
    )
    assert answer.status_code == 400
    assert "Lassen Sie Zugangsdaten aus der URL weg" in answer.content.decode()
    assert not Subscription.objects.exists()


def test_walls_only_the_companys_admins_reach_its_webhooks(client, shop, people, receiver):
    host = shop.store.hostname
    own = subscribe(shop, receiver)
    (delivery,) = emit(shop)
    Delivery.objects.filter(id=delivery.id).update(state=DeliveryState.DEAD)
    for name in ("other", "buyer"):
        client.force_login(people[name])
        if name == "buyer":
            assert client.get("/account/webhooks/", HTTP_HOST=host).status_code == 404
        else:
            page = client.get("/account/webhooks/", HTTP_HOST=host).content.decode()
            assert receiver.url not in page and str(delivery.uuid) not in page
        for path in (
            f"/account/webhooks/{own.id}/rotate/",
            f"/account/webhooks/{own.id}/delete/",
            f"/account/webhooks/deliveries/{delivery.id}/resend/",
        ):
            assert client.post(path, HTTP_HOST=host).status_code == 404
    own.refresh_from_db()
    assert own.deleted_at is None and not own.previous_secret
    assert Delivery.objects.count() == 1
    client.force_login(people["acme"])
    resent = client.post(f"/account/webhooks/deliveries/{delivery.id}/resend/", HTTP_HOST=host)
    assert resent.status_code == 302 and Delivery.objects.count() == 2

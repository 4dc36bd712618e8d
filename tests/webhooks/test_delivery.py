"""Deliveries to a real receiver on loopback, through the outbox's processing: signed, retried
with backoff over three days then dead-lettered, in order per subject, the endpoint disabled
after three days of failures with its owner told, the log purged after 30 days."""

from __future__ import annotations

import datetime
import itertools
import random

import pytest
from django.core import mail

from storefleet.accounts.models import MemberRole, Membership
from storefleet.outbox import tasks as outbox_tasks
from storefleet.outbox.models import Message, State
from storefleet.outbox.processing import message_process
from storefleet.webhooks import services
from storefleet.webhooks.delivery import DELIVER, backoff
from storefleet.webhooks.models import Attempt, Delivery, DeliveryState, Subscription
from storefleet.webhooks.signing import signature

from .conftest import emit, run_due, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """The tests run the outbox's processing themselves (test_worker.py leaves it to a worker)."""
    monkeypatch.setattr(outbox_tasks.message_process_task, "delay", lambda *a, **k: None)


def test_an_event_is_delivered_signed_with_its_headers_and_logged(shop, receiver, clock):
    subscription = subscribe(shop, receiver, events=["order.placed", "order.shipped"])
    (delivery,) = emit(shop, "order.placed", "order:W-1", total="12.50")
    assert emit(shop, "order.refused", "order:W-1") == []  # not subscribed to
    assert run_due() == 1
    (got,) = receiver.received
    assert got.valid and got.event == "order.placed" and got.delivery == str(delivery.uuid)
    assert got.timestamp == int(clock.now.timestamp())
    assert got.signature == "v1=" + signature(
        secret=subscription.secret, timestamp=got.timestamp, body=got.body
    )
    body = got.json
    assert (body["event"], body["subject"], body["company"], body["store"]) == (
        "order.placed",
        "order:W-1",
        "C-9001",
        shop.store.slug,
    )
    assert body["data"] == {"number": "W-1", "total": "12.50"}
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == (
        DeliveryState.DELIVERED,
        1,
        204,
    )
    (log,) = Attempt.objects.filter(delivery=delivery)
    assert log.response_status == 204 and log.request_headers["Storefleet-Event"] == "order.placed"
    assert Message.objects.get(kind=DELIVER).state == State.DONE


def test_during_a_rotation_both_secrets_sign_and_either_verifies(shop, receiver, clock):
    subscription = subscribe(shop, receiver)
    old = subscription.secret
    new = services.subscription_secret_rotate(subscription=subscription)
    receiver.secrets = [old]  # a receiver that has not switched yet
    emit(shop)
    run_due()
    (got,) = receiver.received
    assert got.valid and got.signature.count("v1=") == 2
    assert got.signature.startswith(
        "v1=" + signature(secret=new, timestamp=got.timestamp, body=got.body)
    )
    clock.advance(hours=25)  # the rotation is over: the new secret only
    receiver.secrets = [new]
    emit(shop, subject="order:W-2")
    run_due()
    assert receiver.received[1].valid and receiver.received[1].signature.count("v1=") == 1


def test_a_failing_slow_and_down_endpoint_gets_the_same_delivery_once_it_is_back(
    shop, receiver, clock, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    subscribe(shop, receiver)
    (delivery,) = emit(shop)
    receiver.mode = "fail"
    run_due()
    receiver.mode, receiver.delay = "slow", 1.0
    clock.to(Message.objects.get().next_try_at)
    run_due()
    receiver.down()
    clock.to(Message.objects.get().next_try_at)
    run_due()
    receiver.mode = "ok"
    receiver.up()
    clock.to(Message.objects.get().next_try_at)
    run_due()
    errors = list(Attempt.objects.filter(delivery=delivery).values_list("error", flat=True))
    assert errors[0] == "answered 500"
    assert errors[1] == "no answer within 0.3 s"
    assert errors[2].startswith("could not connect") and errors[3] == ""
    # The down attempt never reached it; every one that did carried the same delivery id.
    assert receiver.ids() == [str(delivery.uuid)] * 3
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 4)
    assert Subscription.objects.get().failing_since is None  # a success forgets the failures


def test_retries_back_off_with_jitter_over_three_days_then_the_delivery_is_dead(
    shop, receiver, clock
):
    subscribe(shop, receiver)
    (delivery,) = emit(shop)
    receiver.down()
    start = clock.now
    for _ in range(200):
        run_due()
        message = Message.objects.get()
        if message.state != State.PENDING:
            break
        clock.to(message.next_try_at)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DEAD and message.state == State.FAILED
    times = list(Attempt.objects.filter(delivery=delivery).values_list("at", flat=True))
    waits = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert times[0] == start and times[-1] - times[0] >= datetime.timedelta(days=3)
    assert times[-1] - times[0] < datetime.timedelta(days=3, hours=7)
    assert max(waits) <= 6 * 3600 and 10 < len(times) < 200
    assert "dead-lettered after" in delivery.last_error


def test_the_backoff_is_full_jitter_under_an_exponential_ceiling():
    rng = random.Random(7)
    waits = [backoff(n, rng=rng).total_seconds() for n in range(1, 30) for _ in range(20)]
    assert all(0 <= w <= 6 * 3600 for w in waits)
    first = [backoff(1, rng=rng).total_seconds() for _ in range(200)]
    assert max(first) <= 30 and min(first) < 5  # spread from 0 up to 15 s × 2


def test_an_endpoint_failing_for_three_days_is_disabled_and_its_admins_told(
    shop, receiver, clock, django_user_model
):
    admin = django_user_model.objects.create_user("boss", "boss@acme.example", "x")
    Membership.objects.create(user=admin, company=shop.acme, role=MemberRole.ADMIN)
    subscription = subscribe(shop, receiver)
    receiver.mode = "fail"
    for day in range(4):
        emit(shop, subject=f"order:W-{day}")
        run_due()
        clock.advance(days=1, seconds=1)
        for message in Message.objects.filter(state=State.PENDING):
            clock.to(message.next_try_at)
        run_due()
    subscription.refresh_from_db()
    assert not subscription.active and "failed for 3 days" in subscription.disabled_reason
    # Emitted while disabled: nothing is made for it.
    assert emit(shop, subject="order:W-9") == []


def test_the_owner_is_emailed_when_disabled(
    shop, receiver, clock, django_user_model, django_capture_on_commit_callbacks
):
    admin = django_user_model.objects.create_user("boss", "boss@acme.example", "x")
    Membership.objects.create(user=admin, company=shop.acme, role=MemberRole.ADMIN)
    subscription = subscribe(shop, receiver)
    Subscription.objects.filter(id=subscription.id).update(
        failing_since=clock.now - datetime.timedelta(days=3, seconds=1)
    )
    receiver.mode = "fail"
    emit(shop)
    with django_capture_on_commit_callbacks(execute=True):
        run_due()
    (sent,) = mail.outbox
    assert sent.to == ["boss@acme.example"] and receiver.url in sent.body
    subscription.refresh_from_db()
    assert not subscription.active and subscription.disabled_at == clock.now
    services.subscription_enable(subscription=subscription)
    subscription.refresh_from_db()
    assert subscription.active and subscription.failing_since is None


def test_events_of_one_subject_arrive_in_order(shop, receiver, clock):
    subscribe(shop, receiver, events=["order.placed", "order.confirmed"])
    (placed,) = emit(shop, "order.placed", "order:W-1")
    (confirmed,) = emit(shop, "order.confirmed", "order:W-1")
    (other,) = emit(shop, "order.placed", "order:W-2")
    receiver.mode = "fail"
    messages = {m.subject: m for m in Message.objects.filter(kind=DELIVER)}
    message_process(message_id=messages[str(placed.id)].id, claim=0)
    receiver.mode = "ok"
    # The confirmation waits behind the undelivered placement: no request is made for it.
    waiting = message_process(message_id=messages[str(confirmed.id)].id, claim=0)
    assert waiting.state == State.PENDING and "earlier delivery" in waiting.note
    message_process(message_id=messages[str(other.id)].id, claim=0)  # another subject: not held
    assert [r.event for r in receiver.received] == ["order.placed", "order.placed"]
    assert receiver.received[1].json["subject"] == "order:W-2"
    # The placement is delivered; the confirmation is woken at once and follows.
    clock.to(Message.objects.get(subject=str(placed.id)).next_try_at)
    run_due()
    woken = Message.objects.get(subject=str(confirmed.id))
    clock.to(woken.next_try_at)
    run_due()
    assert [(r.event, r.json["subject"]) for r in receiver.received[2:]] == [
        ("order.placed", "order:W-1"),
        ("order.confirmed", "order:W-1"),
    ]


def test_a_dead_delivery_does_not_hold_back_the_next_and_is_resent_with_a_new_id(
    shop, receiver, clock
):
    subscribe(shop, receiver)
    (first,) = emit(shop)
    Delivery.objects.filter(id=first.id).update(state=DeliveryState.DEAD)
    (second,) = emit(shop)
    run_due()
    assert receiver.ids() == [str(second.uuid)]
    again = services.delivery_resend(delivery=Delivery.objects.get(id=first.id))
    run_due()
    assert receiver.ids()[-1] == str(again.uuid) != str(first.uuid)
    assert receiver.received[-1].body == first.body.encode()


def test_the_log_is_purged_after_thirty_days_but_not_what_is_pending(shop, receiver, clock):
    subscribe(shop, receiver)
    emit(shop)
    run_due()
    receiver.down()
    emit(shop, subject="order:W-2")
    clock.advance(days=31)
    assert services.deliveries_purge() == 2  # the delivered one and its attempt
    assert list(Delivery.objects.values_list("subject", flat=True)) == ["order:W-2"]

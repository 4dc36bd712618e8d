"""A kind's own retry schedule (issue 17, webhooks): a handler that answers PENDING with a
``retry_at`` leaves its message pending and released until then — the sweeper sends it only
once that time has come — and ``message_wake_now`` makes such a message due at once."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from storefleet.outbox import services
from storefleet.outbox.models import Message, State
from storefleet.outbox.registry import Outcome
from storefleet.outbox.tasks import messages_sweep

from .conftest import KIND

pytestmark = pytest.mark.django_db


def test_a_pending_outcome_waits_until_its_retry_at_then_the_sweeper_sends_it(
    echo, sent, monkeypatch
):
    message = services.message_add(kind=KIND, subject=7, key="K-7")
    later = timezone.now() + datetime.timedelta(hours=5)
    echo.answers = [Outcome(state=State.PENDING, note="endpoint answered 500", retry_at=later)]
    outcome = services.message_process(message_id=message.id, claim=0)
    assert outcome is not None and outcome.state == State.PENDING
    message.refresh_from_db()
    assert (message.state, message.attempts, message.next_try_at, message.last_error) == (
        State.PENDING,
        1,
        later,
        "endpoint answered 500",
    )
    assert messages_sweep() == 0 and sent == []  # not due yet
    monkeypatch.setattr(timezone, "now", lambda: later + datetime.timedelta(seconds=1))
    assert messages_sweep() == 1 and sent == [(message.id, 1)]
    assert services.message_process(message_id=message.id, claim=1) == Outcome(value="7")
    assert echo.calls == [("7", 1), ("7", 2)]


def test_a_waiting_message_is_woken_at_once_unless_a_run_holds_it(
    echo, sent, django_capture_on_commit_callbacks
):
    message = services.message_add(kind=KIND, subject=8, key="K-8")
    later = timezone.now() + datetime.timedelta(days=1)
    echo.answers = [Outcome(state=State.PENDING, retry_at=later)]
    services.message_process(message_id=message.id, claim=0)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.message_wake_now(kind=KIND, subject=8)
    assert sent == [(message.id, 1)]
    assert services.message_process(message_id=message.id, claim=1) is not None
    assert Message.objects.get(id=message.id).state == State.DONE
    assert not services.message_wake_now(kind=KIND, subject=8)  # done: nothing to wake

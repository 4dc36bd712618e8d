"""Writes of the outbox, for the apps that owe the ERP something: adding a message in the
transaction that makes it owed, withdrawing one before any run took it up, and the sweep."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import Message, State
from .processing import Deferred, lease, message_process, message_wake
from .tasks import dispatch, messages_sweep

__all__ = [
    "Deferred",
    "message_add",
    "message_process",
    "message_wake_now",
    "message_withdraw",
    "messages_sweep",
]


def message_add(*, kind: str, subject: object, key: str) -> Message:
    """Add the message of ``kind`` about ``subject`` (the owning app's id), to be carried into
    the ERP under ``key``. Call it inside the transaction that makes the work owed: the task is
    sent on commit, and the sweeper sends it if that task is lost. One message per kind and
    subject, and per kind and key: a second one is an ``IntegrityError`` (one INSERT, no
    lookup first — an order's checkout counts its queries)."""
    message = Message.objects.create(
        kind=kind, subject=str(subject), key=key, next_try_at=timezone.now() + lease()
    )
    transaction.on_commit(lambda: dispatch(message.id, claim=0))
    return message


def message_withdraw(*, kind: str, subject: object, note: str) -> bool:
    """Withdraw the message of ``kind`` about ``subject`` if no run has taken it up yet (the
    ERP never hears of it). False when it is done or a run has it: the same conditional UPDATE
    a run takes it up with, so of the two exactly one wins."""
    return bool(
        Message.objects.filter(
            kind=kind, subject=str(subject), state=State.PENDING, attempts=0
        ).update(state=State.CANCELLED, done_at=timezone.now(), last_error=note)
    )


def message_wake_now(*, kind: str, subject: object) -> bool:
    """Send the pending message of ``kind`` about ``subject`` now rather than at the time its
    kind's schedule set (on commit), unless a run holds it. False when nothing was woken."""
    claim = message_wake(kind=kind, subject=subject)
    if claim is None:
        return False
    message = Message.objects.filter(kind=kind, subject=str(subject)).values_list("id", flat=True)
    message_id = message.first()
    if message_id is not None:
        transaction.on_commit(lambda: dispatch(message_id, claim=claim))
    return True

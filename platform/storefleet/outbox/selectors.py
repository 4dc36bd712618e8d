"""Reads of the outbox: what is still owed to the ERP, for the screens that show it."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from .models import Message, State


def message_for(*, kind: str, subject: object) -> Message | None:
    """The message of ``kind`` about ``subject`` (the owning app's id), if there is one."""
    return Message.objects.filter(kind=kind, subject=str(subject)).first()


def message_pending(*, kind: str, subject: object) -> bool:
    return Message.objects.filter(kind=kind, subject=str(subject), state=State.PENDING).exists()


def pending_messages(*, kinds: Iterable[str] | None = None) -> QuerySet[Message]:
    """Messages not carried into the ERP yet, oldest first (of ``kinds``, or every kind)."""
    pending = Message.objects.filter(state=State.PENDING)
    if kinds is not None:
        pending = pending.filter(kind__in=list(kinds))
    return pending.order_by("created_at", "id")


def pending_count(*, kinds: Iterable[str] | None = None) -> int:
    return pending_messages(kinds=kinds).count()

"""Which code carries each kind of message into the ERP. The app that owns a kind registers
its handler (in its ``AppConfig.ready``); the outbox never imports those apps.

A handler is called with the message a run has just taken up (``attempts`` counts this run).
It returns an ``Outcome``: the message is done (or refused for good, with why). When the ERP
can't take the message now it raises ``storefleet.erp.errors.ErpError`` (anything but a
refusal the handler understood): the outbox notes the error and the task tries again. A kind
with a retry schedule of its own (webhooks: backoff over days) returns an ``Outcome`` that is
still ``PENDING`` with ``retry_at``: the message waits until then (the sweeper, or the task's
retry when that is soon, takes it up again)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .models import State

if TYPE_CHECKING:
    from .models import Message


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a handler's run ended: ``state`` DONE or FAILED (refused for good), ``note`` what
    the message's last error then says, ``value`` what the owning app's caller gets back.
    ``state`` PENDING with ``retry_at``: not done yet, to be tried again from then."""

    state: State = State.DONE
    note: str = ""
    value: Any = None
    retry_at: datetime.datetime | None = None


Handler = Callable[["Message"], Outcome]


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    label: str
    handler: Handler


_kinds: dict[str, Kind] = {}


def register(name: str, *, label: str, handler: Handler) -> None:
    """Register the handler of the kind ``name`` (once; the same handler again is a no-op)."""
    known = _kinds.get(name)
    if known is not None and known.handler is not handler:
        raise ValueError(f"outbox kind {name!r} is registered already, by {known.handler!r}")
    _kinds[name] = Kind(name, label, handler)


def kind(name: str) -> Kind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(
            f"no handler registered for outbox kind {name!r}: the app that owns it must "
            "register one in its AppConfig.ready"
        ) from None


def kinds() -> tuple[Kind, ...]:
    return tuple(_kinds.values())

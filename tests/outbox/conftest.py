"""A kind of message of the tests' own, with a handler whose answers a test sets, and the
tasks the outbox sends, recorded instead of queued."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from storefleet.outbox import registry, tasks
from storefleet.outbox.models import Message, State
from storefleet.outbox.registry import Outcome

KIND = "test.echo"


@dataclass
class Echo:
    """The handler of ``test.echo``: answers each call with the next of ``answers`` (an
    Outcome, or an exception to raise); records the attempts it was called at."""

    answers: list[Outcome | Exception] = field(default_factory=list)
    calls: list[tuple[str, int]] = field(default_factory=list)

    def __call__(self, message: Message) -> Outcome:
        self.calls.append((message.subject, message.attempts))
        answer = self.answers.pop(0) if self.answers else Outcome(value=message.subject)
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def echo(monkeypatch) -> Iterator[Echo]:
    handler = Echo()
    monkeypatch.setitem(registry._kinds, KIND, registry.Kind(KIND, "Echo", handler))
    yield handler


@pytest.fixture
def sent(monkeypatch) -> list[tuple[int, int | None]]:
    """(message id, claim) of every task the outbox sends."""
    sent: list[tuple[int, int | None]] = []

    def delay(message_id: int, claim: int | None = None) -> None:
        sent.append((message_id, claim))

    monkeypatch.setattr(tasks.message_process_task, "delay", delay)
    return sent


__all__ = ["KIND", "Echo", "State"]

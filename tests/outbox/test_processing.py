"""The outbox's claim, lease and sweep (issue 16): one run at a time per message, however many
tasks for it arrive; what a dead worker held is sent again once its lease has run out; a
message withdrawn before any run took it up never reaches a handler."""

from __future__ import annotations

import ast
import datetime
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from storefleet.erp.errors import ErpProtocolError, ErpUnavailable
from storefleet.ordering.returns.outbox import return_file
from storefleet.outbox import registry, services
from storefleet.outbox.models import Message, State
from storefleet.outbox.registry import Outcome
from storefleet.outbox.selectors import message_for, message_pending, pending_count
from storefleet.outbox.tasks import messages_sweep

from .conftest import KIND

pytestmark = pytest.mark.django_db

PLATFORM = Path(__file__).parents[2] / "platform" / "storefleet"


def _add(subject: object = 7, key: str = "K-7") -> Message:
    return services.message_add(kind=KIND, subject=subject, key=key)


def test_a_message_is_added_once_per_subject_and_key_and_sent_once_on_commit(
    echo, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = _add()
        for subject, key in ((7, "K-other"), (8, "K-7")):  # the same subject, the same key
            with pytest.raises(IntegrityError), transaction.atomic():
                _add(subject, key)
    assert (len(callbacks), sent) == (1, [(first.id, 0)])
    message = Message.objects.get()
    assert (message.kind, message.subject, message.key, message.state, message.attempts) == (
        KIND,
        "7",
        "K-7",
        State.PENDING,
        0,
    )
    assert message.leased_until is None and message.next_try_at > timezone.now()
    assert message_for(kind=KIND, subject=7) == message
    assert message_pending(kind=KIND, subject=7) and pending_count(kinds=[KIND]) == 1
    assert pending_count(kinds=["order.submit"]) == 0


def test_one_run_takes_a_message_up_and_the_others_find_nothing_to_do(echo, sent):
    message = _add()
    outcome = services.message_process(message_id=message.id, claim=0)
    assert outcome == Outcome(value="7")
    # The task redelivered, the sweeper's re-send, a run by hand: the handler ran once.
    assert services.message_process(message_id=message.id, claim=0) is None
    assert services.message_process(message_id=message.id, claim=1) is None
    assert services.message_process(message_id=message.id) is None
    assert echo.calls == [("7", 1)]
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (State.DONE, 1, "")
    assert message.done_at is not None and not message_pending(kind=KIND, subject=7)


def test_a_held_message_is_taken_up_by_a_stale_claim_only_once_its_lease_ran_out(echo, sent):
    message = _add()
    echo.answers = [ErpUnavailable("the ERP is away")]
    with pytest.raises(services.Deferred) as deferred:
        services.message_process(message_id=message.id, claim=0)
    assert deferred.value.claim == 1  # what the task's retry presents
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (
        State.PENDING,
        1,
        "the ERP is away",
    )
    assert message.leased_until == message.next_try_at and message.next_try_at > timezone.now()
    # A second delivery of the first task (claim 0) while the retry holds the message.
    assert services.message_process(message_id=message.id, claim=0) is None
    # The retry: its claim is the message's attempts, so it takes the message up.
    assert services.message_process(message_id=message.id, claim=1) == Outcome(value="7")
    assert echo.calls == [("7", 1), ("7", 2)]
    assert Message.objects.get().state == State.DONE


def test_a_refusal_ends_the_message_with_why(echo, sent):
    message = _add()
    echo.answers = [Outcome(state=State.FAILED, note="Invoice(s) X are not open.")]
    services.message_process(message_id=message.id)
    message.refresh_from_db()
    assert (message.state, message.last_error) == (State.FAILED, "Invoice(s) X are not open.")
    assert services.message_process(message_id=message.id) is None


def test_an_erp_answer_the_handler_did_not_understand_is_tried_again(echo, sent):
    message = _add()
    garbled = ErpProtocolError("no 'state' in the answer")
    echo.answers = [garbled]
    with pytest.raises(services.Deferred):
        services.message_process(message_id=message.id)
    message.refresh_from_db()
    assert (message.state, message.last_error) == (State.PENDING, garbled.message)


def test_a_message_is_withdrawn_only_before_any_run_took_it_up(echo, sent):
    untouched, taken = _add(1, "K-1"), _add(2, "K-2")
    echo.answers = [ErpUnavailable("away")]
    with pytest.raises(services.Deferred):
        services.message_process(message_id=taken.id, claim=0)
    assert services.message_withdraw(kind=KIND, subject=1, note="cancelled")
    assert not services.message_withdraw(kind=KIND, subject=2, note="cancelled")
    assert not services.message_withdraw(kind=KIND, subject=1, note="again")
    assert services.message_process(message_id=untouched.id, claim=0) is None
    untouched.refresh_from_db()
    assert (untouched.state, untouched.last_error) == (State.CANCELLED, "cancelled")
    assert echo.calls == [("2", 1)]


def test_the_sweeper_sends_what_nobody_holds_once_and_leases_it(echo, sent):
    fresh, lost = _add(1, "K-1"), _add(2, "K-2")
    assert messages_sweep() == 0  # both leased to the tasks sent on commit
    past = timezone.now() - datetime.timedelta(seconds=1)
    Message.objects.filter(id=lost.id).update(next_try_at=past)
    assert messages_sweep() == 1
    assert sent == [(lost.id, 0)]
    assert messages_sweep() == 0  # leased again by the sweep
    # The lost task's own claim still works, and the sweep's re-send finds it done.
    assert services.message_process(message_id=lost.id, claim=0) == Outcome(value="2")
    assert services.message_process(message_id=lost.id, claim=0) is None
    assert Message.objects.get(id=fresh.id).state == State.PENDING


def test_a_message_of_a_kind_nobody_registered_stays_owed(sent):
    message = services.message_add(kind="nobody.owns", subject=1, key="K")
    with pytest.raises(LookupError, match=r"no handler registered for outbox kind 'nobody\.owns'"):
        services.message_process(message_id=message.id)
    assert Message.objects.get().state == State.PENDING


def test_a_kind_is_registered_by_one_handler(echo):
    with pytest.raises(ValueError, match="registered already"):
        registry.register(KIND, label="Other", handler=lambda message: Outcome())
    registry.register(KIND, label="Echo", handler=echo)  # the same again: nothing changes
    names = {kind.name for kind in registry.kinds()}
    assert {"order.submit", "return.file", "payment.record", KIND} <= names
    assert registry.kind("return.file").handler is return_file  # ordering.returns' own step


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            found.add(("." * node.level) + (node.module or ""))
            if not node.module:  # from . import cart: the module is the name
                found.update(("." * node.level) + alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_dependencies_point_down_and_go_round_in_no_circle():
    outbox = {name for path in (PLATFORM / "outbox").rglob("*.py") for name in _imports(path)}
    assert not {
        name for name in outbox if name.startswith(("storefleet.ordering", "storefleet.billing"))
    }
    # The circles of issue 16: returns ↔ services ↔ tasks, billing.services ↔ tasks. The
    # cancels and returns (ordering.returns, .cancel, .actions, .order_ref) never import the
    # cart, the checkout or the submission, nor they them.
    writes = ("cart", "checkout", "submission")
    returns_side = [
        *(PLATFORM / "ordering" / "returns").glob("*.py"),
        *(PLATFORM / "ordering" / f"{name}.py" for name in ("cancel", "actions", "order_ref")),
    ]
    assert len(returns_side) >= 8
    for path in returns_side:
        dots = "." if path.parent.name == "ordering" else ".."
        named = {f"{dots}{w}" for w in writes} | {f"storefleet.ordering.{w}" for w in writes}
        assert not named & _imports(path), path.name
    for write in writes:
        found = _imports(PLATFORM / "ordering" / f"{write}.py")
        assert not [n for n in found if n.startswith((".returns", ".cancel", ".actions"))]
    assert not (PLATFORM / "ordering" / "tasks.py").exists()
    assert not (PLATFORM / "billing" / "tasks.py").exists()
    assert ".services" not in _imports(PLATFORM / "outbox" / "tasks.py")

"""The hostile-input suite's shared parts: how many examples to try, what every refusal must
look like, and the proof that a refused input wrote nothing.

Every hostile test draws its inputs from ``tests.hostile.strategies`` and checks each answer
with ``check_refusal`` (or ``check_response`` where the input may also be accepted), inside
``nothing_written`` when the input must be refused. The counts land in a report when
``HOSTILE_REPORT`` names a file (``make bench-security`` reads it); ``HOSTILE_EXAMPLES`` sets the
examples per test (small in ``make test``, large in the benchmark)."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "30"))

# One profile for every hostile test: deterministic in CI (derandomize), no deadline (the
# machines are shared and noisy), and the function-scoped fixtures (client, db) are meant to
# be shared between examples: each example cleans up after itself or asserts it wrote nothing.
hostile = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("HOSTILE_RANDOM"),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

COUNTS: Counter[str] = Counter()
_TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"/[^\"]+\.py\", line \d+")


def _report() -> None:
    path = os.environ.get("HOSTILE_REPORT")
    if not path:
        return
    with open(path, "a") as out:
        out.write(json.dumps(dict(COUNTS)) + "\n")


atexit.register(_report)


def tried(n: int = 1) -> None:
    """Count ``n`` hostile inputs sent to the platform."""
    COUNTS["inputs_tried"] += n


def check_response(
    response,
    *,
    allowed: Iterable[int] = (200, 302, 303, 400, 403, 404, 405, 409, 413, 422, 429, 503),
) -> None:  # type: ignore[no-untyped-def]
    """The platform answered without a server error and without a stack trace."""
    tried()
    status = response.status_code
    body = response.content.decode("utf-8", "replace") if hasattr(response, "content") else ""
    if status >= 500 or _TRACEBACK.search(body):
        COUNTS["server_errors"] += 1
        raise AssertionError(f"server error {status} for a hostile input:\n{body[:2000]}")
    assert status in set(allowed), f"unexpected status {status}"


def check_refusal(response, *, says: str | re.Pattern[str] | None = None) -> str:  # type: ignore[no-untyped-def]
    """The input was refused with a message a user can act on (and no server error).

    ``says`` is a substring or pattern the refusal must contain. Returns the page's text."""
    check_response(response)
    body = response.content.decode("utf-8", "replace")
    if says is not None:
        found = says.search(body) if isinstance(says, re.Pattern) else says in body
        if not found:
            COUNTS["unclear_refusals"] += 1
            raise AssertionError(f"the refusal does not say {says!r}:\n{body[:2000]}")
    return body


# Rows the platform writes about a request rather than from it: ERP call statistics (a refusal
# may ask the ERP, e.g. for what an order can still return). Sign-in attempts live in axes'
# tables, which are not counted either.
BOOKKEEPING = {"erp.CallStat"}


def row_counts() -> dict[str, int]:
    """Rows in every table of the platform's own apps and of the Wagtail models they use."""
    from django.apps import apps

    labels = {
        "accounts",
        "billing",
        "brand",
        "catalog",
        "erp",
        "ordering",
        "lists",
        "provisioning",
        "service",
        "tenants",
        "outbox",
        "api",
        "wagtailcore",
        "wagtailimages",
        "wagtaildocs",
        "auth",
    }
    counts = {}
    for model in apps.get_models():
        if model._meta.label in BOOKKEEPING:
            continue
        if model._meta.app_label in labels and not model._meta.proxy:
            counts[model._meta.label] = model._default_manager.count()
    return counts


@contextlib.contextmanager
def nothing_written(*, extra: Iterable[tuple[str, callable]] = ()) -> Iterator[None]:  # type: ignore[valid-type]
    """Assert that the block changed no row count (and none of ``extra``'s named measures,
    such as ERP calls or files on disk): a refused input leaves nothing half-written."""
    measures = list(extra)
    before = row_counts()
    before_extra = {name: measure() for name, measure in measures}
    yield
    after = row_counts()
    after_extra = {name: measure() for name, measure in measures}
    changed = {
        k: (before.get(k), after.get(k))
        for k in set(before) | set(after)
        if before.get(k) != after.get(k)
    }
    changed.update(
        {
            k: (before_extra[k], after_extra[k])
            for k in before_extra
            if before_extra[k] != after_extra[k]
        }
    )
    if changed:
        COUNTS["half_written"] += 1
        raise AssertionError(f"a refused input changed {changed}")


def record(name: str, value: int) -> None:
    """Report a measured figure (e.g. ``login_attempts_before_lockout``) to the benchmark."""
    COUNTS[name] = max(COUNTS[name], value)


def check_wall(breached: bool, what: str) -> None:
    """Count one wall case of a matrix; a breach fails the test and is counted."""
    COUNTS["wall_cases"] += 1
    if breached:
        COUNTS["wall_breaches"] += 1
        raise AssertionError(f"wall breached: {what}")

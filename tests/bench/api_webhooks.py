"""Webhooks (issue 17, part of `make bench-api`): on the embedded default (local settings,
SQLite, the filesystem Celery broker, a real worker with the solo pool and a beat), a real
receiver on loopback (tests/webhooks/conftest.py's):
  (a) first attempt after commit: from the commit of the transaction that emitted the event
      until the receiver has the request, one event at a time; p50/p99 (target p99 <= 5 s),
      against a bare signed POST to the same receiver from this process (the baseline);
  (b) 1,000 events over 100 subjects while the receiver is down (port closed) for the first
      third and answers 500 for the second: once it is back every event is delivered, once
      (de-duplicated by delivery id), in order per subject. Backoff here is 0.5 s × 2^n capped
      at 5 s (WEBHOOK_BACKOFF_*), so the run takes minutes, not days.
Last line: one JSON object. Environment: BENCH_WEBHOOK_FIRST (100), BENCH_WEBHOOK_EVENTS (1000).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PLATFORM = REPO / "platform"
sys.path[:0] = [str(REPO), str(PLATFORM)]

from tests.worker_support import WorkerProcess  # noqa: E402

FIRST = int(os.environ.get("BENCH_WEBHOOK_FIRST", "100"))
EVENTS = int(os.environ.get("BENCH_WEBHOOK_EVENTS", "1000"))
SUBJECTS = 100
DRAIN_TIMEOUT = 900


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def environment(work: Path) -> dict[str, str]:
    (work / "var" / "static").mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "storefleet.settings.local",
        "DJANGO_DEBUG": "false",
        "STOREFLEET_VAR_DIR": str(work / "var"),
        "PYTHONPATH": str(PLATFORM),
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "WEBHOOKS_ALLOW_LOOPBACK": "true",
        "WEBHOOK_BACKOFF_BASE_SECONDS": "0.5",
        "WEBHOOK_BACKOFF_MAX_SECONDS": "5",
        "OUTBOX_SWEEP_SECONDS": "1",
        "ERP_SYNC_PRODUCTS_SECONDS": "36000",
        "ERP_SYNC_CUSTOMERS_SECONDS": "36000",
        "ERP_SYNC_SALES_SECONDS": "36000",
    }


def measure(*, first: int = FIRST, events: int = EVENTS) -> dict[str, Any]:
    """Run both parts in a scratch database with a worker of its own; the figures."""
    work = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    env = environment(work)
    os.environ.update(env)
    worker = WorkerProcess(
        env, work / "worker.log", args=("-B", "--pool=solo", f"--schedule={work / 'beat'}")
    )
    try:
        return _run(work, worker, first=first, events=events)
    finally:
        worker.stop()
        shutil.rmtree(work, ignore_errors=True)


def _run(work: Path, worker: WorkerProcess, *, first: int, events: int) -> dict[str, Any]:
    import django

    django.setup()
    import httpx
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from storefleet.accounts.models import Company
    from storefleet.webhooks import services
    from storefleet.webhooks.models import Delivery, DeliveryState
    from storefleet.webhooks.signing import signature_header
    from tests.factories import build_brand, wagtail_roots_ensure
    from tests.webhooks.conftest import Receiver

    call_command("migrate", verbosity=0)
    wagtail_roots_ensure()
    store = build_brand("ferrum", "Ferrum", "EUR", "DE", "#336699").store
    company = Company.objects.create(
        erp_id=1, code="C-1", name="Bench", erp_write_date=timezone.now()
    )
    company.stores.add(store)
    receiver = Receiver()
    receiver.start()
    _made, secret = services.subscription_create(
        url=receiver.url, events=["order.placed"], company=company, store_id=store.id
    )
    receiver.secrets.append(secret)
    worker.start()

    def emit(subject: str) -> str:
        with transaction.atomic():
            (delivery,) = services.emit(
                event="order.placed",
                company=company,
                store_id=store.id,
                store_slug=store.slug,
                subject=subject,
                payload={"number": subject},
            )
        return str(delivery.uuid)

    def arrival(delivery: str, timeout: float = 60) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for got in receiver.received:
                if got.delivery == delivery:
                    return got.at
            time.sleep(0.002)
        raise RuntimeError(f"delivery {delivery} did not arrive:\n" + worker.log()[-3000:])

    # (a) baseline: a bare signed POST from here; then the webhook's first attempt.
    raw = []
    with httpx.Client() as client:
        for n in range(first):
            body = json.dumps({"n": n}).encode()
            stamp = int(time.time())
            started = time.monotonic()
            client.post(
                receiver.url,
                content=body,
                headers={
                    "Storefleet-Timestamp": str(stamp),
                    "Storefleet-Signature": signature_header(
                        secrets_=[secret], timestamp=stamp, body=body
                    ),
                },
            )
            raw.append((time.monotonic() - started) * 1000)
    receiver.received.clear()
    first_ms = []
    for n in range(first):
        delivery = emit(f"first:{n}")
        committed = time.monotonic()
        first_ms.append((arrival(delivery) - committed) * 1000)
    print(
        f"(a) first attempt after commit: p50 {statistics.median(first_ms):.0f} ms, "
        f"p99 {percentile(first_ms, 0.99):.0f} ms (target <= 5000); bare POST p99 "
        f"{percentile(raw, 0.99):.1f} ms"
    )

    # (b) 1,000 events: down, then 500, then back.
    receiver.received.clear()
    made: list[tuple[str, str]] = []
    receiver.down()
    for n in range(events):
        if n == events // 3:
            receiver.mode = "fail"
            receiver.up()
        elif n == 2 * events // 3:
            receiver.mode = "ok"
        subject = f"order:{n % SUBJECTS}"
        made.append((subject, emit(subject)))
    deadline = time.monotonic() + DRAIN_TIMEOUT
    pending = Delivery.objects.filter(state=DeliveryState.PENDING, subject__startswith="order:")
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    accepted = receiver.accepted()
    ids = {delivery for _subject, delivery in made}
    lost = len(ids - set(accepted))
    doubled = len(accepted) - len(set(accepted))
    order = {delivery: i for i, delivery in enumerate(accepted)}
    out_of_order = 0
    for subject in {s for s, _d in made}:
        positions = [order.get(d, -1) for s, d in made if s == subject]
        out_of_order += sum(1 for a, b in itertools.pairwise(positions) if b < a)
    failed = sum(1 for r in receiver.received if r.status >= 500)
    dead = Delivery.objects.filter(state=DeliveryState.DEAD).count()
    print(
        f"(b) {events} events: lost {lost}, delivered twice {doubled}, out of order "
        f"{out_of_order}, dead {dead}; 500s answered {failed}, requests {len(receiver.received)}"
    )
    receiver.down()
    return {
        "bench": "api_webhooks",
        "webhook_first_p50_ms": round(statistics.median(first_ms)),
        "webhook_first_p99_ms": round(percentile(first_ms, 0.99)),
        "bare_post_p99_ms": round(percentile(raw, 0.99), 1),
        "first_vs_bare_p99": round(percentile(first_ms, 0.99) / percentile(raw, 0.99), 1),
        "events": events,
        "events_lost": lost,
        "events_doubled": doubled,
        "out_of_order": out_of_order,
        "dead": dead,
    }


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    figures = measure()
    print(json.dumps(figures))
    ok = figures["events_lost"] == 0 and figures["webhook_first_p99_ms"] <= 5000
    return 0 if ok and figures["events_doubled"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""A real webhook receiver on loopback (a threaded ``http.server``) that verifies signatures and
can answer slowly, fail with 500, be down (its port closed) and come back on the same port;
two companies in a store with a subscription each; a clock the tests move instead of sleeping."""

from __future__ import annotations

import datetime
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from storefleet.accounts.models import Company
from storefleet.outbox.models import Message, State
from storefleet.outbox.processing import message_process
from storefleet.webhooks import services
from storefleet.webhooks.delivery import DELIVER
from storefleet.webhooks.models import Subscription
from storefleet.webhooks.signing import signature_valid


@dataclass
class Received:
    delivery: str
    event: str
    timestamp: int
    signature: str
    body: bytes
    valid: bool
    status: int
    at: float = field(default_factory=time.monotonic)  # when it arrived (benchmarks)

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """``mode``: "ok" (204), "fail" (500), "slow" (answers after ``delay`` seconds)."""

    port: int = 0
    secrets: list[str] = field(default_factory=list)
    mode: str = "ok"
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stamp = int(self.headers.get("Storefleet-Timestamp", "0"))
                header = self.headers.get("Storefleet-Signature", "")
                valid = any(
                    signature_valid(header=header, secret=s, timestamp=stamp, body=body)
                    for s in receiver.secrets
                )
                status = 500 if receiver.mode == "fail" else (204 if valid else 401)
                with receiver.lock:
                    receiver.received.append(
                        Received(
                            delivery=self.headers.get("Storefleet-Delivery", ""),
                            event=self.headers.get("Storefleet-Event", ""),
                            timestamp=stamp,
                            signature=header,
                            body=body,
                            valid=valid,
                            status=status,
                        )
                    )
                if receiver.mode == "slow":
                    time.sleep(receiver.delay)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        """Close the port: connections are refused."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def up(self) -> None:
        self.start()  # on the same port

    def ids(self) -> list[str]:
        return [r.delivery for r in self.received]

    def accepted(self) -> list[str]:
        """Delivery ids it answered 2xx to, in order."""
        return [r.delivery for r in self.received if r.status < 300]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.down()


@dataclass
class Clock:
    now: datetime.datetime

    def advance(self, **delta: float) -> None:
        self.now += datetime.timedelta(**delta)

    def to(self, moment: datetime.datetime) -> None:
        self.now = max(self.now, moment)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """``timezone.now`` under the tests' hand (the outbox and webhooks read it)."""
    clock = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def company(code: str, store, erp_id: int) -> Company:
    made = Company.objects.create(
        erp_id=erp_id, code=code, name=f"Company {code}", erp_write_date=timezone.now()
    )
    made.stores.add(store)
    return made


@dataclass
class Shop:
    store: object
    acme: Company
    other: Company


@pytest.fixture
def shop(ferrum) -> Shop:
    return Shop(
        store=ferrum.store,
        acme=company("C-9001", ferrum.store, 9001),
        other=company("C-9002", ferrum.store, 9002),
    )


def subscribe(shop: Shop, receiver: Receiver, events=("order.placed",), who=None) -> Subscription:
    made, secret = services.subscription_create(
        url=receiver.url, events=list(events), company=who or shop.acme, store_id=shop.store.id
    )
    receiver.secrets.append(secret)
    return made


def emit(shop: Shop, event: str = "order.placed", subject: str = "order:W-1", who=None, **data):
    return services.emit(
        event=event,
        company=who or shop.acme,
        store_id=shop.store.id,
        store_slug=shop.store.slug,
        subject=subject,
        payload={"number": subject.split(":")[-1], **data},
    )


def run_due(clock: Clock | None = None) -> int:
    """Run every webhook message that is due now, as the outbox task does (the claim it
    would present); how many runs took one up."""
    ran = 0
    now = timezone.now()
    for message in Message.objects.filter(kind=DELIVER, state=State.PENDING).order_by("id"):
        if message.next_try_at <= now or message.attempts == 0:
            claim = message.attempts if message.attempts == 0 else None
            if message_process(message_id=message.id, claim=claim) is not None:
                ran += 1
    return ran

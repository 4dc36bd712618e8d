"""The embedded default's broker: kombu's filesystem transport, with messages written whole
before a worker can see them (a half-written one stopped the worker for good)."""

from __future__ import annotations

import os
import queue

from kombu import Connection

import storefleet.celery
from storefleet.celery import AtomicFilesystemTransport


def test_a_message_is_never_seen_half_written(tmp_path, monkeypatch):
    folders = {name: tmp_path / name for name in ("queue", "processed")}
    for folder in folders.values():
        folder.mkdir()
    options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
    }
    with Connection(
        "filesystem://", transport=AtomicFilesystemTransport, transport_options=options
    ) as connection:
        channel = connection.default_channel
        seen_while_writing = []
        rename = os.replace

        def replace(source: str, target: str) -> None:
            # The message is written but not yet in place: a worker polling now finds nothing.
            try:
                seen_while_writing.append(channel._get("celery"))
            except queue.Empty:
                seen_while_writing.append(None)
            rename(source, target)

        monkeypatch.setattr(storefleet.celery.os, "replace", replace)
        channel._put("celery", {"body": "order 1"})
        monkeypatch.undo()
        assert seen_while_writing == [None]
        assert channel._get("celery") == {"body": "order 1"}
        assert sorted(os.listdir(folders["queue"])) == []  # nothing half-done left behind


def test_sending_works_after_a_test_borrowed_a_shared_broker(tmp_path):
    """``shared_broker`` points the app at another broker for one test and back; the next send
    on the configured broker (``memory://`` on a newcomer's machine) must still go out. It used
    to find kombu's pool for that URL closed: 'Acquire on closed pool'."""
    from celery.contrib.testing.worker import start_worker

    from storefleet.celery import app, ping
    from tests.worker_support import shared_broker

    with app.producer_or_acquire() as producer:
        assert producer.connection is not None  # the configured broker's pool is in use
    with shared_broker(tmp_path):
        pass
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert ping.delay().get(timeout=20) == "pong"

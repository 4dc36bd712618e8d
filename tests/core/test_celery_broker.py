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

"""The health endpoint and a real Celery worker consuming from the configured broker."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker

from storefleet.celery import app, ping

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_cache(client):
    response = client.get("/healthz", HTTP_HOST="localhost")
    payload = response.json()
    assert response.status_code == 200
    assert payload["status"] == "ok"
    assert payload["checks"]["database"]["ok"] is True
    assert payload["checks"]["cache"]["ok"] is True
    assert response["Cache-Control"].startswith("max-age=0")


def test_health_answers_on_store_hosts_too(client, ferrum):
    assert client.get("/healthz", HTTP_HOST="ferrum.localhost").status_code == 200


def test_health_reports_a_broken_database_as_503(client, monkeypatch):
    from storefleet import views

    def broken() -> None:
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(views, "_database", broken)
    response = client.get("/healthz", HTTP_HOST="localhost")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "ok": False,
        "error": "ConnectionError: database unreachable",
    }


@pytest.mark.django_db(transaction=True)
def test_a_worker_consumes_tasks_from_the_broker():
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert ping.delay().get(timeout=20) == "pong"

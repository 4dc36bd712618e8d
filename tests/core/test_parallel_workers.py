"""The suite on several pytest-xdist workers: each worker gets Redis databases of its own
(settings/test.py), and a process a test starts uses its test's databases, not moved twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storefleet.settings.test import redis_databases_for_worker

PLATFORM = Path(__file__).resolve().parents[2] / "platform"
SHOW = (
    "from django.conf import settings; import json, os; print(json.dumps({"
    "'broker': settings.CELERY_BROKER_URL, 'results': settings.CELERY_RESULT_BACKEND, "
    "'cache': settings.CACHES['default']['LOCATION'], "
    "'env': os.environ.get('CELERY_BROKER_URL')}))"
)
REDIS = {
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/10",
    "CACHE_URL": "redis://127.0.0.1:6379/11",
    "CELERY_RESULT_BACKEND": "redis://127.0.0.1:6379/12",
}


def _test_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """Import storefleet.settings.test in a process of its own with exactly ``env`` set (and
    none of this run's worker variables)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CELERY_", "CACHE_", "PYTEST_XDIST", "STOREFLEET_TEST_REDIS"))
    }
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {SHOW}"],
        cwd=PLATFORM,
        env={**clean, "DJANGO_SETTINGS_MODULE": "storefleet.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _shown(**env: str) -> dict[str, str]:
    result = _test_settings(**env)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_worker_gw1_runs_on_the_next_three_redis_databases_and_hands_them_on():
    """End to end: the settings a worker gw1 (or a Celery worker it starts) loads."""
    shown = _shown(**REDIS, PYTEST_XDIST_WORKER="gw1")
    assert shown["broker"] == "redis://127.0.0.1:6379/13"
    assert shown["cache"] == "redis://127.0.0.1:6379/14"
    assert shown["results"] == "redis://127.0.0.1:6379/15"
    # A Celery worker the test starts inherits the moved URL, and the marker that says so.
    assert shown["env"] == "redis://127.0.0.1:6379/13"


def test_worker_gw0_keeps_the_configured_redis_databases():
    environ = {**REDIS, "PYTEST_XDIST_WORKER": "gw0"}
    redis_databases_for_worker(environ)
    assert [environ[name] for name in REDIS] == [
        "redis://127.0.0.1:6379/10",
        "redis://127.0.0.1:6379/11",
        "redis://127.0.0.1:6379/12",
    ]


def test_a_process_started_by_a_worker_does_not_move_its_databases_again():
    environ = {**REDIS, "PYTEST_XDIST_WORKER": "gw1"}
    redis_databases_for_worker(environ)
    assert environ["STOREFLEET_TEST_REDIS_WORKER"] == "gw1"
    inherited = dict(environ)
    redis_databases_for_worker(inherited)
    assert inherited == environ
    assert inherited["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/13"


def test_without_redis_or_xdist_nothing_moves():
    embedded = {"PYTEST_XDIST_WORKER": "gw3"}
    redis_databases_for_worker(embedded)
    assert "CELERY_BROKER_URL" not in embedded
    alone = dict(REDIS)
    redis_databases_for_worker(alone)
    assert alone == REDIS


@pytest.mark.parametrize(
    ("url", "moved"),
    [
        ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379/3"),
        ("redis://:secret@cache:6379/2?timeout=5", "redis://:secret@cache:6379/5?timeout=5"),
        ("rediss://cache:6380/0", "rediss://cache:6380/3"),
        ("memory://", "memory://"),
        ("locmemcache://", "locmemcache://"),
    ],
)
def test_only_redis_urls_move_and_keep_the_rest(url, moved):
    environ = {"CACHE_URL": url, "PYTEST_XDIST_WORKER": "gw1"}
    redis_databases_for_worker(environ)
    assert environ["CACHE_URL"] == moved


@pytest.mark.parametrize("worker", ["gw2", "gw5"])
def test_a_worker_past_redis_database_15_is_refused_saying_what_to_do(worker):
    with pytest.raises(ValueError, match=r"past 15: .*fewer workers \(-n\)"):
        redis_databases_for_worker({**REDIS, "PYTEST_XDIST_WORKER": worker})

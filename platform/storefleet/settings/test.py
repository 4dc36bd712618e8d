"""Settings for the test suite: PostgreSQL and Redis when DATABASE_URL and CELERY_BROKER_URL
point at them (as in CI), SQLite and an in-memory broker otherwise.

The SQLite test database is a file, not memory, so that a Celery worker started as a process of
its own (tests/worker_support.py) works on the same data as the test that started it; such a
worker shares a ``filesystem://`` broker with the test when no real broker is configured.

Under pytest-xdist (``make test`` runs the suite on several workers) each worker gets Redis
databases of its own: worker ``gwN`` moves every ``redis://`` URL's database number up by
``N * 3`` (CI's 10, 11, 12 become 13, 14, 15 on gw1), so one worker's ``cache.clear()`` or
``purge()`` never empties another's. The moved URLs are written back to the environment with
the worker they were moved for, so a process the test starts (a Celery worker) uses the same
databases and does not move them again. pytest-django gives each worker its own test database
(``_gw0``, ``_gw1``)."""

import os
import re
from collections.abc import MutableMapping

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, cache_from_env, env

_REDIS_URLS = ("CELERY_BROKER_URL", "CACHE_URL", "CELERY_RESULT_BACKEND")
_REDIS_DATABASES_PER_WORKER = len(_REDIS_URLS)


def _redis_database_moved(url: str, by: int) -> str:
    """``redis://host:port/10`` moved ``by`` databases (``/0`` when the URL names none)."""
    match = re.fullmatch(r"(rediss?://[^/?#]*)(?:/(\d*))?([?#].*)?", url)
    if not match:
        return url
    base, number, rest = match.groups()
    moved = int(number or 0) + by
    if moved > 15:
        raise ValueError(
            f"{url} moved by {by} for pytest-xdist worker is Redis database {moved}, past 15: "
            "give the suite lower database numbers or fewer workers (-n)."
        )
    return f"{base}/{moved}{rest or ''}"


def redis_databases_for_worker(environ: MutableMapping[str, str]) -> None:
    """Move ``environ``'s Redis URLs to the pytest-xdist worker's own databases, once."""
    worker = environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or environ.get("STOREFLEET_TEST_REDIS_WORKER") == worker:
        return
    for name in _REDIS_URLS:
        if environ.get(name):
            environ[name] = _redis_database_moved(
                environ[name], int(worker[2:]) * _REDIS_DATABASES_PER_WORKER
            )
    environ["STOREFLEET_TEST_REDIS_WORKER"] = worker


redis_databases_for_worker(os.environ)

DEBUG = False
# The tests' webhook receiver listens on loopback.
WEBHOOKS_ALLOW_LOOPBACK = True
SECRET_KEY = "test-only-key"  # noqa: S105 - the test suite's own, never deployed
ALLOWED_HOSTS = [".localhost", "localhost", "127.0.0.1", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": cache_from_env("locmemcache://")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": env.str("STOREFLEET_TEST_SQLITE", default=str(VAR_DIR / "test.sqlite3"))
    }
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="cache+memory://")
if not CELERY_BROKER_URL.startswith("filesystem://"):
    # base.py sets the folders of a filesystem broker under STOREFLEET_VAR_DIR; any other
    # transport takes no options here.
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STOREFLEET_SERVE_MEDIA = True
# A stale buyer page's refresh runs after the response in the test's own thread: a thread of
# its own would not see the test's uncommitted data.
STOREFLEET_BUYER_PAGE_REFRESH = "after-response"
# Fixed, whatever the shell exports: tests assert exact addresses (and override these to check
# another port or TLS).
STOREFLEET_PUBLIC_SCHEME = "http"
STOREFLEET_PUBLIC_PORT = None
WAGTAILADMIN_BASE_URL = "http://localhost"
LOGGING = {"version": 1, "disable_existing_loggers": False}
# The ERP change watch is off: tests that move time past a TTL expect the TTL (tests/erp/
# test_watch.py turns it on and covers what it keeps). When on, it checks in the test's thread.
ERP_WATCH_SECONDS = 0
ERP_WATCH_IN_THREAD = False

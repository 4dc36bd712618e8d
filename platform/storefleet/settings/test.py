"""Settings for the test suite: PostgreSQL and Redis when DATABASE_URL and CELERY_BROKER_URL
point at them (as in CI), SQLite and an in-memory broker otherwise.

The SQLite test database is a file, not memory, so that a Celery worker started as a process of
its own (tests/worker_support.py) works on the same data as the test that started it; such a
worker shares a ``filesystem://`` broker with the test when no real broker is configured."""

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, env

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105 - the test suite's own, never deployed
ALLOWED_HOSTS = [".localhost", "localhost", "127.0.0.1", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
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
# Fixed, whatever the shell exports: tests assert exact addresses (and override these to check
# another port or TLS).
STOREFLEET_PUBLIC_SCHEME = "http"
STOREFLEET_PUBLIC_PORT = None
WAGTAILADMIN_BASE_URL = "http://localhost"
LOGGING = {"version": 1, "disable_existing_loggers": False}

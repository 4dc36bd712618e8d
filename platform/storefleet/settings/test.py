"""Settings for the test suite: PostgreSQL and Redis when DATABASE_URL and CELERY_BROKER_URL
point at them (as in CI), SQLite and an in-memory broker otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105 - the test suite's own, never deployed
ALLOWED_HOSTS = [".localhost", "localhost", "127.0.0.1", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="cache+memory://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STOREFLEET_SERVE_MEDIA = True
WAGTAILADMIN_BASE_URL = "http://localhost"
LOGGING = {"version": 1, "disable_existing_loggers": False}

"""The embedded default: one machine, no services to install (SQLite, a file-system broker,
a file-based cache shared by the web server and the worker, e-mail to the console)."""

from .base import *  # noqa: F403
from .base import (
    LOGGING,
    STOREFLEET_PLATFORM_HOSTS,
    STOREFLEET_PUBLIC_SCHEME,
    VAR_DIR,
    cache_from_env,
    env,
    origin,
)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# A development-only key; production.py refuses to start without DJANGO_SECRET_KEY.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="local-only-insecure-key-never-use-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[".localhost", "localhost", "127.0.0.1"])
# runserver's port (make demo passes PORT as STOREFLEET_PUBLIC_PORT: honcho gives every process
# a PORT of its own, so the worker's would be wrong).
STOREFLEET_PUBLIC_PORT = env.int("STOREFLEET_PUBLIC_PORT", default=8000)
WAGTAILADMIN_BASE_URL = env.str(
    "WAGTAILADMIN_BASE_URL",
    default=origin(
        scheme=STOREFLEET_PUBLIC_SCHEME,
        host=STOREFLEET_PLATFORM_HOSTS[0],
        port=STOREFLEET_PUBLIC_PORT,
    ),
)

CACHES = {"default": cache_from_env(f"filecache://{VAR_DIR / 'cache'}")}
if CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
    # Django's default of 300 entries culls a third of the cache as soon as a few catalog pages
    # of prices and stock are in it (the cull lists the folder on every write: keep it bounded).
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 20_000)
STOREFLEET_SERVE_MEDIA = True
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# kombu warns that the file-system broker has no host name: it has none by design.
LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}
# One line per task received and done (the outbox sweeps run every 30 s) drowns what matters on
# make demo's screen; the ERP calls and the tasks' own messages still show.
LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}
LOGGING["loggers"]["celery.worker.strategy"] = {"level": "WARNING"}
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=DEBUG)

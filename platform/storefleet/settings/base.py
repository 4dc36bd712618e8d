"""Settings shared by every environment. Everything that differs between machines comes from
the environment (twelve-factor); the environment-specific modules only choose safe defaults
for their own context and never hold a production secret."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_EVAL, UNSAFE_INLINE

from storefleet.origins import origin

PLATFORM_DIR = Path(__file__).resolve().parents[2]  # .../platform
REPO_DIR = PLATFORM_DIR.parent
VAR_DIR = Path(environ.Env().str("STOREFLEET_VAR_DIR", default=str(REPO_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

INSTALLED_APPS = [
    # Storefleet apps, one per business capability (see DESIGN.md).
    "storefleet.tenants",
    "storefleet.brand",
    "storefleet.erp",
    "storefleet.outbox",
    "storefleet.catalog",
    "storefleet.accounts",
    "storefleet.ordering",
    "storefleet.billing",
    "storefleet.lists",
    "storefleet.provisioning",
    "storefleet.service",
    "storefleet.api",
    "storefleet.webhooks",
    "storefleet.quotes",
    "storefleet.approvals",
    "storefleet.marketing",
    # Before wagtail.contrib.simple_translation: its admin URL for translating a page is
    # answered by ours first (the languages of the page's store, and of the editor).
    "storefleet.translations",
    # The partner API (storefleet.api); installed so its docs page uses the local Swagger UI.
    "ninja",
    # Wagtail
    "wagtail.contrib.settings",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Sign-in throttling (storefleet.accounts.throttle) and the Content-Security-Policy header.
    "axes",
    "csp",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # The security headers are set outermost, so that every response carries them: pages the
    # caches below answer with, 404s for unknown hosts, static files.
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "storefleet.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every answer under /api/ is JSON: Django's 404/500 pages, an unknown host and a suspended
    # store become problem details there; the API's rate-limit fields go on every answer.
    "storefleet.api.middleware.ApiProblemMiddleware",
    # Resolves the store from the Host header before anything else needs it, and answers
    # anonymous storefront requests from the page cache without touching the database.
    "storefleet.tenants.middleware.StoreMiddleware",
    "storefleet.brand.middleware.StorefrontCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Serves a signed-in buyer's catalog page from the cache while its prices, stock, cart and
    # account are unchanged, before authentication or routing touch the database.
    "storefleet.brand.buyer_cache.BuyerPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Keeps a service agent's "act as a buyer" session in bounds (time, store, what it may do).
    "storefleet.service.acting.ActingMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Turns a sign-in refused by the throttle into the sign-in page with when to try again.
    "axes.middleware.AxesMiddleware",
    # A form post with a tampered structure answers 400 with what to do, not a server error.
    "storefleet.errors.MalformedFormMiddleware",
    # A store's 404 is its branded page, DEBUG or not (never the URL pattern listing).
    "storefleet.error_pages.StoreNotFoundMiddleware",
]

# Sessions are read on every signed-in request: from the cache, written through to the database
# (so a cache flush signs nobody out).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

ROOT_URLCONF = "storefleet.urls"
WSGI_APPLICATION = "storefleet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PLATFORM_DIR / "storefleet" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "storefleet.tenants.context_processors.store",
                "storefleet.ordering.context_processors.ordering",
                "storefleet.service.acting.acting_context",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'storefleet.sqlite3'}")
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; a busy timeout instead of
    # "database is locked" errors under concurrent requests.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Kept across requests as PostgreSQL's are (CONN_MAX_AGE above): a new SQLite connection
    # per request opens the file and runs the PRAGMAs again, 7 % of a signed-in catalog hit's
    # time in make bench-storefront (e). In WAL and autocommit an idle connection holds no lock.

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_env(default: str | None = None) -> dict:
    """``CACHE_URL`` as Django's cache settings; Redis through ``storefleet.cache.RedisCache``
    (Django's, with one client per connection pool kept instead of one built per call)."""
    config: dict = env.cache("CACHE_URL", **({"default": default} if default else {}))
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        config["BACKEND"] = "storefleet.cache.RedisCache"
    return config


CACHES = {"default": cache_from_env("locmemcache://")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("ja", "Japanese"),
]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
# The storefront's own catalogue (German first): platform/storefleet/locale.
LOCALE_PATHS = [PLATFORM_DIR / "storefleet" / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "/admin/login/"

# --- Sign-in throttling (django-axes; storefleet.accounts.throttle) ---------------------------
# axes checks every authenticate() that carries a request (storefront, Wagtail and Django
# admin, API keys later) before ModelBackend sees the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed sign-ins within the cool-off that lock signing in: (what is counted, how many). One
# account from one client; one client, whatever accounts it tries; one account, from
# anywhere. Unknown usernames are counted like real ones.
SIGN_IN_LOCKOUTS = [
    (["username", "ip_address"], env.int("SIGN_IN_FAILURES_PER_ACCOUNT_AND_CLIENT", default=5)),
    (["ip_address"], env.int("SIGN_IN_FAILURES_PER_CLIENT", default=20)),
    (["username"], env.int("SIGN_IN_FAILURES_PER_ACCOUNT", default=50)),
]
AXES_LOCKOUT_PARAMETERS = [parameters for parameters, _ in SIGN_IN_LOCKOUTS]
AXES_FAILURE_LIMIT = SIGN_IN_LOCKOUTS[0][1]
# The wrong passwords one account gets from one client before it is locked there (reported by
# make bench-security).
STOREFLEET_LOGIN_ATTEMPTS_BEFORE_LOCKOUT = AXES_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGN_IN_COOL_OFF_MINUTES", default=15))
# Refusals during a lockout don't move its end, so the time the page names holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A successful sign-in clears that account's failures from that client (SignInThrottle).
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "storefleet.accounts.throttle.SignInThrottle"
AXES_USERNAME_CALLABLE = "storefleet.accounts.throttle.sign_in_username"
AXES_CLIENT_IP_CALLABLE = "storefleet.accounts.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "storefleet.accounts.throttle.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"  # the storefront's, Wagtail's and Django's login forms
AXES_HTTP_RESPONSE_CODE = 429  # Too Many Requests, for unknown and real accounts alike
# The audit platform IT reads in the admin: every failure (and whether it locked), every sign-in.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Load balancers in front that append the client's address to X-Forwarded-For (0: none, the
# connection's peer is the client).
STOREFLEET_TRUSTED_PROXIES = env.int("STOREFLEET_TRUSTED_PROXIES", default=0)

# --- Security headers ------------------------------------------------------------------------
# Set by middleware outside the page caches, so cached and fresh pages carry the same ones.
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview views opt back in to SAMEORIGIN themselves.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Where media may come from besides this host (production: the stores' buckets and CDNs).
STOREFLEET_CSP_MEDIA_SOURCES = env.list("STOREFLEET_CSP_MEDIA_SOURCES", default=[])
# The storefront's policy. Scripts: only the platform's own files, and the inline reload of an
# order, return or payment page by its nonce (such pages are never cached: a cached page can't
# carry a one-time nonce). Styles: inline too, for the brand's colour variables, which are
# part of cached pages. Frames: the players video blocks embed (wagtail.embeds).
EMBED_FRAME_SOURCES = [
    "https://www.youtube.com",
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
]
CONTENT_SECURITY_POLICY: dict[str, dict[str, list[Any]]] = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", *STOREFLEET_CSP_MEDIA_SOURCES],
        "media-src": [SELF, *STOREFLEET_CSP_MEDIA_SOURCES],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": EMBED_FRAME_SOURCES,
        "frame-ancestors": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
    },
}
# The admin's (Wagtail and Django, and the previews rendered there): Wagtail's own scripts and
# styles need inline code and eval.
STOREFLEET_ADMIN_URL_PREFIXES = ("/admin/", "/django-admin/")
# The admin's avatars are uploaded or Wagtail's default, never Gravatar's: it would hand every
# admin user's e-mail digest to a third party, and show a broken image where it can't be reached.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
STOREFLEET_ADMIN_CONTENT_SECURITY_POLICY: dict[str, dict[str, list[Any]]] = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [SELF, UNSAFE_INLINE, UNSAFE_EVAL],
        "style-src": [SELF, UNSAFE_INLINE],
        # Wagtail's check for a newer release. No Gravatar (WAGTAIL_GRAVATAR_PROVIDER_URL).
        "img-src": [SELF, "data:", "blob:", *STOREFLEET_CSP_MEDIA_SOURCES],
        "connect-src": [SELF, "https://releases.wagtail.org"],
        "frame-src": [SELF, *EMBED_FRAME_SOURCES],
    },
}

# Provisioning: where stores are declared (the wizard renders new folders here) and the site
# templates they are rendered from.
STOREFLEET_BRANDS_DIR = Path(env.str("STOREFLEET_BRANDS_DIR", default=str(REPO_DIR / "brands")))
STOREFLEET_SITE_TEMPLATES_DIR = Path(
    env.str("STOREFLEET_SITE_TEMPLATES_DIR", default=str(REPO_DIR / "site_templates"))
)

# Wagtail
WAGTAIL_SITE_NAME = "Storefleet"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Images and documents are stored under their store's prefix (stores/<slug>/), which the S3
# storage routes to the store's own bucket (storefleet.brand.media, .storage).
WAGTAILIMAGES_IMAGE_MODEL = "brand.StoreImage"
WAGTAILDOCS_DOCUMENT_MODEL = "brand.StoreDocument"
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp"]
WAGTAILDOCS_EXTENSIONS = ["pdf", "csv", "docx", "xlsx", "zip", "txt", "dwg", "step", "stp"]
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# A store speaks several languages (store.toml's ``languages``): each has its Locale and its
# copy of the store's page tree; the storefront serves it under its prefix (tenants.locale).
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES

# Storefleet
# Hosts that belong to the platform itself (admin, health, store directory) rather than a store.
STOREFLEET_PLATFORM_HOSTS = env.list(
    "STOREFLEET_PLATFORM_HOSTS", default=["localhost", "127.0.0.1", "admin.localhost"]
)
# The scheme and port the public reaches every store on (TLS at a load balancer: https and
# 443). Every address written without a request to answer (e-mails, PDFs, the admin's links to
# a store's pages, sitemaps, the demo's output) is built from these and the store's hostname
# (storefleet.origins.public_base_url), and every store's Wagtail Site carries the port, from
# which Wagtail writes absolute page URLs (the admin's "Live" links, a link to another store).
# No port: the scheme's default.
STOREFLEET_PUBLIC_SCHEME = env.str("STOREFLEET_PUBLIC_SCHEME", default="http")
STOREFLEET_PUBLIC_PORT = env.int("STOREFLEET_PUBLIC_PORT", default=None)
# The admin's own address (its password-reset and notification e-mails): the first platform
# host on the public scheme and port.
WAGTAILADMIN_BASE_URL = env.str(
    "WAGTAILADMIN_BASE_URL",
    default=origin(
        scheme=STOREFLEET_PUBLIC_SCHEME,
        host=STOREFLEET_PLATFORM_HOSTS[0],
        port=STOREFLEET_PUBLIC_PORT,
    ),
)
# Where the local infrastructure driver's smoke test finds the web server that serves the
# stores (host:port); empty: the loopback on the public port (runserver's, under `make demo`).
STOREFLEET_WEB_ADDRESS = env.str("STOREFLEET_WEB_ADDRESS", default="")
# Serve MEDIA_URL from MEDIA_ROOT through Django: the embedded default and tests only.
STOREFLEET_SERVE_MEDIA = env.bool("STOREFLEET_SERVE_MEDIA", default=False)
# Adds /bench/trivial on platform hosts: the ceiling `make bench-storefront` compares against.
STOREFLEET_BENCH_VIEWS = env.bool("STOREFLEET_BENCH_VIEWS", default=False)
# How long a whole anonymous storefront page may be served from the cache. Publishing in the
# store invalidates it at once; the TTL only bounds memory for pages nobody asks for any more.
STOREFLEET_PAGE_CACHE_SECONDS = env.int("STOREFLEET_PAGE_CACHE_SECONDS", default=3600)
# Signed-in buyers' catalog pages (brand/buyer_cache.py) show prices and stock: they are kept as
# long as the shorter of the gateway's price and stock TTLs (ERP_PRICE_TTL_SECONDS,
# ERP_AVAILABILITY_TTL_SECONDS) and never longer; a number here shortens that, 0 turns it off.
STOREFLEET_BUYER_PAGE_CACHE_SECONDS: int | None = env.int(
    "STOREFLEET_BUYER_PAGE_CACHE_SECONDS", default=None
)
# Past that life a buyer's page is still served, for at most this many seconds more, while one
# refresh makes it again after the response (stale-while-revalidate); past life and this window
# it is rendered while the buyer waits. Default: one price TTL. 0: never served past its life.
STOREFLEET_BUYER_PAGE_STALE_SECONDS = env.int(
    "STOREFLEET_BUYER_PAGE_STALE_SECONDS", default=env.int("ERP_PRICE_TTL_SECONDS", default=120)
)
# Where that refresh runs: "thread" (a thread of the serving process, once the response is
# sent) or "after-response" (the serving thread itself, after the response: the tests).
STOREFLEET_BUYER_PAGE_REFRESH = env.str("STOREFLEET_BUYER_PAGE_REFRESH", default="thread")
# Quick order's SKU look-ups (each prices products through the ERP gateway) per buyer and minute;
# the page asks once a typing pause, so a person stays far below it.
QUICK_ORDER_SUGGESTIONS_PER_MINUTE = env.int("QUICK_ORDER_SUGGESTIONS_PER_MINUTE", default=120)

# Celery
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
        # kombu polls the folder (once a second by default); a launch is a chain of steps and
        # an order's submission waits for the poll too, so poll often: the scan of a folder
        # of a few files is cheap (an idle worker: ~1 % of a core at 5 ms; every 20 ms was
        # 10 ms of each order's confirmation on average, make bench-api's order placement).
        "polling_interval": 0.005,
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Incremental mirrors of the ERP's master data (by write date; cheap when nothing changed).
    "erp-sync-products": {
        "task": "storefleet.erp.sync",
        "schedule": env.int("ERP_SYNC_PRODUCTS_SECONDS", default=300),
        "args": ("products",),
    },
    "erp-sync-customers": {
        "task": "storefleet.erp.sync",
        "schedule": env.int("ERP_SYNC_CUSTOMERS_SECONDS", default=300),
        "args": ("customers",),
    },
    # Whether anything prices or stock are computed from changed in the ERP (erp/watch.py).
    "erp-watch": {
        "task": "storefleet.erp.watch",
        "schedule": max(env.int("ERP_WATCH_SECONDS", default=10), 1),
    },
    # The customers' sales (states, shipments, invoices) mirrored for their "My orders" pages.
    "erp-sync-sales": {
        "task": "storefleet.erp.sync",
        "schedule": env.int("ERP_SYNC_SALES_SECONDS", default=60),
        "args": ("sales",),
    },
    # Outbox messages (orders, returns, payments owed to the ERP) whose task was lost (broker
    # restart, killed worker) are sent again once their lease has run out.
    "outbox-sweep": {
        "task": "storefleet.outbox.sweep",
        "schedule": env.int("OUTBOX_SWEEP_SECONDS", default=30),
    },
    # The API's Idempotency-Key records past their keeping time (API_IDEMPOTENCY_KEEP_HOURS).
    "api-idempotency-purge": {"task": "storefleet.api.idempotency_purge", "schedule": 3600},
    # Webhook deliveries and their log are kept 30 days (WEBHOOK_LOG_DAYS).
    "webhooks-purge": {"task": "storefleet.webhooks.purge", "schedule": 24 * 3600},
    # Watched SKUs' prices and availability, for price_or_availability.changed.
    "webhooks-watch": {
        "task": "storefleet.webhooks.watch",
        "schedule": env.int("WEBHOOK_WATCH_SECONDS", default=300),
    },
}

# django-axes announces its configuration on every start of every process: not news.
AXES_VERBOSE = False

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        # One line per ERP request is storefleet.erp's job (with timings), not httpx's.
        "httpx": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# --- ERP integration (storefleet.erp) -------------------------------------------------------
# Defaults point at the local reference ERP (infra/local/erp, `erpctl.py serve --port 8010`);
# production.py requires ERP_URL and ERP_PASSWORD from the environment.
ERP_BACKEND = env.str("ERP_BACKEND", default="storefleet.erp.backends.tryton.from_settings")
ERP_URL = env.str("ERP_URL", default="http://127.0.0.1:8010/")
ERP_DATABASE = env.str("ERP_DATABASE", default="storefleet")
ERP_USER = env.str("ERP_USER", default="admin")
ERP_PASSWORD = env.str("STOREFLEET_ERP_PASSWORD", default="admin")
ERP_CONNECT_TIMEOUT_SECONDS = env.float("ERP_CONNECT_TIMEOUT_SECONDS", default=3.0)
ERP_READ_TIMEOUT_SECONDS = env.float("ERP_READ_TIMEOUT_SECONDS", default=15.0)
ERP_POOL_SIZE = env.int("ERP_POOL_SIZE", default=10)
# Reads cached per store and customer: fresh this long, then kept (stale) to answer while
# the ERP is unreachable.
ERP_PRICE_TTL_SECONDS = env.int("ERP_PRICE_TTL_SECONDS", default=120)
ERP_AVAILABILITY_TTL_SECONDS = env.int("ERP_AVAILABILITY_TTL_SECONDS", default=60)
# The change watch (erp/watch.py): every this many seconds the ERP is asked whether anything
# prices or stock are computed from changed (0: never; then the TTLs above are all there is).
# While it answers, cached prices, stock and buyer pages are kept until a change, for at most
# ERP_WATCHED_MAX_AGE_SECONDS.
ERP_WATCH_SECONDS = env.int("ERP_WATCH_SECONDS", default=10)
ERP_WATCHED_MAX_AGE_SECONDS = env.int("ERP_WATCHED_MAX_AGE_SECONDS", default=900)
ERP_WATCH_IN_THREAD = env.bool("ERP_WATCH_IN_THREAD", default=True)
ERP_STALE_TTL_SECONDS = env.int("ERP_STALE_TTL_SECONDS", default=24 * 3600)
# Codes → ids (customers, products, warehouses) memoised per process.
ERP_MASTER_DATA_TTL_SECONDS = env.int("ERP_MASTER_DATA_TTL_SECONDS", default=300)
ERP_BREAKER_FAILURE_THRESHOLD = env.int("ERP_BREAKER_FAILURE_THRESHOLD", default=5)
ERP_BREAKER_COOLDOWN_SECONDS = env.float("ERP_BREAKER_COOLDOWN_SECONDS", default=30.0)
ERP_RETRY_ATTEMPTS = env.int("ERP_RETRY_ATTEMPTS", default=3)
ERP_RETRY_BACKOFF_SECONDS = env.float("ERP_RETRY_BACKOFF_SECONDS", default=0.2)
ERP_SYNC_BATCH_SIZE = env.int("ERP_SYNC_BATCH_SIZE", default=200)
# One sale read to refresh an order page on view is reused this long (then asked again).
ERP_SALE_TTL_SECONDS = env.int("ERP_SALE_TTL_SECONDS", default=20)
# Which ERP parties are web customers (a Tryton search domain), and the complaint type that
# return requests are filed under.
ERP_CUSTOMER_DOMAIN = env.json("ERP_CUSTOMER_DOMAIN", default=[["code", "like", "C-%"]])
ERP_RETURN_COMPLAINT_TYPE = env.str("ERP_RETURN_COMPLAINT_TYPE", default="Return")
# --- end ERP integration ----------------------------------------------------------------------

# --- Outbox (storefleet.outbox) ---------------------------------------------------------------
# How long a worker holds an outbox message before the sweeper may send it again (also the
# time limit of one run of the outbox task).
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=120)

# Marketing's lead forms (storefleet.marketing): submissions one address may send to one store
# within the window, counted in the shared cache; more are refused with when to try again.
MARKETING_LEAD_RATE_LIMIT = env.int("MARKETING_LEAD_RATE_LIMIT", default=5)
MARKETING_LEAD_RATE_WINDOW_SECONDS = env.int("MARKETING_LEAD_RATE_WINDOW_SECONDS", default=600)

# --- Webhooks (storefleet.webhooks) -----------------------------------------------------------
# Failed deliveries are retried with full-jitter exponential backoff (base × 2^attempt, at most
# the max) for WEBHOOK_RETRY_DAYS, then dead-lettered; an endpoint failing every attempt for
# WEBHOOK_DISABLE_AFTER_DAYS is disabled and its owner told.
WEBHOOK_BACKOFF_BASE_SECONDS = env.float("WEBHOOK_BACKOFF_BASE_SECONDS", default=15.0)
WEBHOOK_BACKOFF_MAX_SECONDS = env.float("WEBHOOK_BACKOFF_MAX_SECONDS", default=6 * 3600)
WEBHOOK_RETRY_DAYS = env.int("WEBHOOK_RETRY_DAYS", default=3)
WEBHOOK_DISABLE_AFTER_DAYS = env.int("WEBHOOK_DISABLE_AFTER_DAYS", default=3)
WEBHOOK_CONNECT_TIMEOUT_SECONDS = env.float("WEBHOOK_CONNECT_TIMEOUT_SECONDS", default=3.0)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_ROTATION_HOURS = env.int("WEBHOOK_ROTATION_HOURS", default=24)
WEBHOOK_LOG_DAYS = env.int("WEBHOOK_LOG_DAYS", default=30)
# Only DEBUG, the tests and benchmarks may send webhooks to http://127.0.0.1 (SSRF guard).
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=DEBUG)

# --- Ordering (storefleet.ordering) -----------------------------------------------------------
# An order submitted within this many seconds of its placement goes to the ERP at the prices
# the ERP gave at placement, without a second validation (ordering.submission._submit_sales).
ORDERING_PRECHECK_FRESH_SECONDS = env.int("ORDERING_PRECHECK_FRESH_SECONDS", default=120)
# ... and within this many seconds of the ERP's price read at its placement, at those prices with
# no price read beside the sale's create (later, the ERP is asked again: a price may have moved).
ORDERING_PRICES_CURRENT_SECONDS = env.float("ORDERING_PRICES_CURRENT_SECONDS", default=5.0)
# A checkout submit takes the ERP's verdict the checkout page showed if it is at most this old.
ERP_VERDICT_REUSE_SECONDS = env.int("ERP_VERDICT_REUSE_SECONDS", default=60)
# Who hears of an order the ERP refused, when the store's brand settings name no e-mail.
# How long a service agent's "act as a buyer" storefront session lasts at most.
SERVICE_ACTING_MINUTES = env.int("SERVICE_ACTING_MINUTES", default=30)
ORDERING_SERVICE_EMAIL = env.str("ORDERING_SERVICE_EMAIL", default="service@storefleet.localhost")

# --- Billing (storefleet.billing) -------------------------------------------------------------
# Who takes invoice payments: "sandbox" (a local, test-only hosted page; the embedded default,
# refused by production.py) or "stripe" (Checkout Sessions, with the two STRIPE_ keys).
BILLING_PROVIDER = env.str("BILLING_PROVIDER", default="sandbox")
# Signs the sandbox's events the way Stripe signs webhooks; not a secret (nothing real is paid).
BILLING_SANDBOX_WEBHOOK_SECRET = env.str(
    "BILLING_SANDBOX_WEBHOOK_SECRET", default="whsec_storefleet_sandbox"
)
STRIPE_API_KEY = env.str("STRIPE_API_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
BILLING_CHECKOUT_EXPIRES_MINUTES = env.int("BILLING_CHECKOUT_EXPIRES_MINUTES", default=30)

# --- Partner API (storefleet.api) --------------------------------------------------------------
# Requests a key may make per window (a key may carry its own limit), and the window.
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=120)
# How long a write's Idempotency-Key is remembered (at least a day, as clients are promised).
API_IDEMPOTENCY_KEEP_HOURS = env.int("API_IDEMPOTENCY_KEEP_HOURS", default=48)
API_RATE_WINDOW_SECONDS = 60
# Wrong, revoked or expired keys one client may send before it is refused for the cool-off.
API_FAILED_KEYS_PER_CLIENT = env.int("API_FAILED_KEYS_PER_CLIENT", default=20)
API_FAILED_KEYS_COOL_OFF_SECONDS = env.int("API_FAILED_KEYS_COOL_OFF_SECONDS", default=900)

# --- Infrastructure (provisioning drivers, infra/aws, CDN) ------------------------------------
# Overrides the driver every store file names ("pulumi" in the cloud; empty: as declared).
STOREFLEET_INFRASTRUCTURE_DRIVER = env.str("STOREFLEET_INFRASTRUCTURE_DRIVER", default="")
# The pulumi driver: the state backend (s3://…, https://api.pulumi.com, file://…), how stack
# secrets are encrypted (awskms://… or a passphrase in PULUMI_CONFIG_PASSPHRASE), the platform
# stack the store stacks reference (org/storefleet-platform/prod), the AWS region, and the
# domains store hostnames may be under. AWS credentials are AWS's own variables.
PULUMI_BACKEND_URL = env.str("PULUMI_BACKEND_URL", default="")
PULUMI_SECRETS_PROVIDER = env.str("PULUMI_SECRETS_PROVIDER", default="")
PULUMI_PLATFORM_STACK = env.str("PULUMI_PLATFORM_STACK", default="")
PULUMI_AWS_REGION = env.str("PULUMI_AWS_REGION", default="")
STOREFLEET_ALLOWED_DOMAINS = env.list("STOREFLEET_ALLOWED_DOMAINS", default=[])
STOREFLEET_ENVIRONMENT = env.str("STOREFLEET_ENVIRONMENT", default="")
# CloudFront invalidation on publish (storefleet.brand.cdn): off on the embedded default, where
# no CDN sits in front; production turns it on. The endpoint is for tests (moto) only.
STOREFLEET_CDN_INVALIDATION = env.bool("STOREFLEET_CDN_INVALIDATION", default=False)
STOREFLEET_CDN_DISTRIBUTIONS: dict[str, str] = {}
STOREFLEET_AWS_ENDPOINT_URL = env.str("STOREFLEET_AWS_ENDPOINT_URL", default="")
# --- end infrastructure -----------------------------------------------------------------------

"""Production: every secret and every service address comes from the environment, and there
is no default for any of them — a missing one stops the process at start-up with a message
naming the variable (django-environ's ImproperlyConfigured)."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import cache_from_env, env, origin

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CACHES = {"default": cache_from_env()}
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
ERP_URL = env.str("ERP_URL")
ERP_PASSWORD = env.str("ERP_PASSWORD")

# Invoice payments: a real provider, never the test-only sandbox page.
BILLING_PROVIDER = env.str("BILLING_PROVIDER")
if BILLING_PROVIDER != "stripe":
    raise ImproperlyConfigured(
        f"Set the BILLING_PROVIDER environment variable to stripe (not {BILLING_PROVIDER!r}): "
        "the sandbox provider takes no real payments and is for tests and local demos only."
    )
STRIPE_API_KEY = env.str("STRIPE_API_KEY")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET")

# Media on S3 (storefleet.brand.storage): each store's files in its own bucket, named by this
# template from the store's slug (the platform stack sets it: "<prefix>-{slug}-media"), the rest
# in the shared bucket served by the static-files distribution. Credentials: the task's role.
STOREFLEET_MEDIA_BUCKET_TEMPLATE = env.str("STOREFLEET_MEDIA_BUCKET_TEMPLATE")
STOREFLEET_SHARED_MEDIA_BUCKET = env.str("STOREFLEET_SHARED_MEDIA_BUCKET")
STOREFLEET_SHARED_MEDIA_DOMAIN = env.str("STOREFLEET_SHARED_MEDIA_DOMAIN", default="")
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME")
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "storefleet.brand.storage.StoreMediaStorage"},
}
# Publishing or replacing media invalidates the store's CloudFront paths (storefleet.brand.cdn);
# distributions by slug as JSON, else found by the store's hostname among CloudFront's aliases.
STOREFLEET_CDN_INVALIDATION = env.bool("STOREFLEET_CDN_INVALIDATION", default=True)
STOREFLEET_CDN_DISTRIBUTIONS = env.json("STOREFLEET_CDN_DISTRIBUTIONS", default={})

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env.str("EMAIL_HOST")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = True
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL")

# TLS terminates at the load balancer, which sets X-Forwarded-Proto; addresses written without
# a request (e-mails, PDFs, the admin's links) are https on the default port unless set.
STOREFLEET_PUBLIC_SCHEME = env.str("STOREFLEET_PUBLIC_SCHEME", default="https")
STOREFLEET_PUBLIC_PORT = env.int("STOREFLEET_PUBLIC_PORT", default=None)
WAGTAILADMIN_BASE_URL = env.str(
    "WAGTAILADMIN_BASE_URL",
    default=origin(
        scheme=STOREFLEET_PUBLIC_SCHEME,
        host=STOREFLEET_PLATFORM_HOSTS[0],  # noqa: F405
        port=STOREFLEET_PUBLIC_PORT,
    ),
)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview views opt back in to SAMEORIGIN themselves.

# The load balancer appends the client's address to X-Forwarded-For: the sign-in throttle
# counts by that address, not the balancer's.
STOREFLEET_TRUSTED_PROXIES = env.int("STOREFLEET_TRUSTED_PROXIES", default=1)
# Media comes from each store's bucket or CDN domain, known only at run time: unless they are
# listed in STOREFLEET_CSP_MEDIA_SOURCES, images and video may come from any https origin.
if not STOREFLEET_CSP_MEDIA_SOURCES:  # noqa: F405
    for _policy in (CONTENT_SECURITY_POLICY, STOREFLEET_ADMIN_CONTENT_SECURITY_POLICY):  # noqa: F405
        for _directive in ("img-src", "media-src"):
            _policy["DIRECTIVES"][_directive] = [*_policy["DIRECTIVES"][_directive], "https:"]

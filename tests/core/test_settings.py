"""Production settings: no secret defaults, and Django's deployment checks pass clean."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PLATFORM = Path(__file__).resolve().parents[2] / "platform"

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "storefleet.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": ".storefleet.example",
    "DATABASE_URL": "postgres://storefleet@db.internal:5432/storefleet",
    "CACHE_URL": "redis://cache.internal:6379/0",
    "CELERY_BROKER_URL": "redis://cache.internal:6379/1",
    "EMAIL_HOST": "smtp.internal",
    "DEFAULT_FROM_EMAIL": "shop@storefleet.example",
    "ERP_URL": "https://erp.internal/",
    "ERP_PASSWORD": secrets.token_urlsafe(24),
    "STOREFLEET_MEDIA_BUCKET_TEMPLATE": "acme-storefleet-prod-{slug}-media",
    "STOREFLEET_SHARED_MEDIA_BUCKET": "acme-storefleet-prod-static",
    "AWS_S3_REGION_NAME": "eu-central-1",
    "BILLING_PROVIDER": "stripe",
    "STRIPE_API_KEY": "sk_live_" + secrets.token_urlsafe(24),
    "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_urlsafe(24),
}


# What production reads from the environment; a caller's own values (e.g. ERP_URL exported by
# make) must not stand in for the ones a test leaves out.
PRODUCTION_PREFIXES = (
    "DJANGO_",
    "DATABASE_",
    "CACHE_",
    "CELERY_",
    "ERP_",
    "AWS_",
    "STOREFLEET_",
    "EMAIL_",
    "DEFAULT_FROM_EMAIL",
    "BILLING_",
    "STRIPE_",
)


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(PRODUCTION_PREFIXES)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PLATFORM,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_passes_check_deploy_with_no_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    "missing",
    [
        "DJANGO_SECRET_KEY",
        "DATABASE_URL",
        "CACHE_URL",
        "CELERY_BROKER_URL",
        "DJANGO_ALLOWED_HOSTS",
        "ERP_URL",
        "ERP_PASSWORD",
        "STOREFLEET_MEDIA_BUCKET_TEMPLATE",
        "STOREFLEET_SHARED_MEDIA_BUCKET",
        "AWS_S3_REGION_NAME",
        "BILLING_PROVIDER",
        "STRIPE_API_KEY",
        "STRIPE_WEBHOOK_SECRET",
    ],
)
def test_production_refuses_to_start_without_a_secret_or_service(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_production_refuses_the_sandbox_payment_provider():
    result = _manage("check", env={**PRODUCTION_ENV, "BILLING_PROVIDER": "sandbox"})
    assert result.returncode != 0
    assert "Set the BILLING_PROVIDER environment variable to stripe (not 'sandbox')" in (
        result.stderr
    )

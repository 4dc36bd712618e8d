"""Configuration of the Pulumi programs as platform IT would set it, for the mocked runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.infra import pulumi_support  # noqa: F401 - puts infra/aws on sys.path

REPO = Path(__file__).resolve().parents[2]
ALLOWED_DOMAINS = ["localhost", "stores.acme.example"]


@pytest.fixture
def store_config():
    def config(slug: str, brands_dir: Path = REPO / "brands", **extra: Any) -> dict[str, Any]:
        return {
            "slug": slug,
            "brandsDir": str(brands_dir),
            "allowedDomains": ALLOWED_DOMAINS,
            "platformStack": "acme/storefleet-platform/test",
            "environment": "test",
            **extra,
        }

    return config


@pytest.fixture
def platform_config() -> dict[str, Any]:
    return {
        "environment": "test",
        "bucketPrefix": "acme-storefleet-test",
        "availabilityZones": ["eu-central-1a", "eu-central-1b"],
        "dbInstanceClass": "db.t4g.medium",
        "dbAllocatedStorageGb": "50",
        "dbPassword": "db-password-for-tests",
        "redisNodeType": "cache.t4g.small",
        "erpUrl": "https://erp.acme.example/",
        "erpDatabase": "acme",
        "erpUser": "storefleet",
        "erpPassword": "erp-password-for-tests",
        "djangoSecretKey": "django-secret-key-for-tests",
        "stripeApiKey": "sk_test_stripe-key-for-tests",
        "stripeWebhookSecret": "whsec_stripe-webhook-secret-for-tests",
        "platformCertificateArn": "arn:aws:acm:eu-central-1:1:certificate/platform",
        "image": "1.dkr.ecr.eu-central-1.amazonaws.com/storefleet:1.0.0",
        "allowedHosts": ".acme.example",
        "platformHosts": "admin.acme.example",
        "emailHost": "smtp.acme.example",
        "defaultFromEmail": "shop@acme.example",
    }

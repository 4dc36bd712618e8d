"""The gateway pointed at a real reference ERP (``tests.erp_support``) through ``settings``."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from storefleet.erp.gateway import ErpGateway, get_gateway
from storefleet.erp.types import LineQuery


def point_gateway_at(settings, server) -> ErpGateway:
    settings.ERP_BACKEND = "storefleet.erp.backends.tryton.from_settings"
    settings.ERP_URL = server.url
    settings.ERP_DATABASE = server.database
    settings.ERP_USER = server.user
    settings.ERP_PASSWORD = server.password
    settings.ERP_RETRY_ATTEMPTS = 2
    settings.ERP_RETRY_BACKOFF_SECONDS = 0
    settings.ERP_BREAKER_FAILURE_THRESHOLD = 3
    settings.ERP_BREAKER_COOLDOWN_SECONDS = 3600
    settings.ERP_CONNECT_TIMEOUT_SECONDS = 1.0
    return get_gateway()


@pytest.fixture
def gateway(settings, erp_server) -> ErpGateway:
    return point_gateway_at(settings, erp_server)


@pytest.fixture
def manifest(erp_server) -> dict:
    return erp_server.manifest


def q(sku: str, quantity: int | str = 1) -> LineQuery:
    return LineQuery(sku, Decimal(quantity))


def seeded_day(manifest: dict, days: int) -> datetime.date:
    return datetime.date.fromisoformat(manifest["seeded_on"]) + datetime.timedelta(days=days)

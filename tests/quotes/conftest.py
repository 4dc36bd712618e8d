"""The ordering tests' Ferrum shop (a module's own reference ERP), with helpers to make
quotations the way a salesperson does, straight in the ERP."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

import pytest

from storefleet.accounts.models import Company
from storefleet.erp.backends.tryton import quotations
from storefleet.erp.types import QuotationLineRequest, QuotationRequest
from tests.ordering.conftest import HOST, Shop, ferrum, shop, shop_erp_server, shop_world

__all__ = ["HOST", "Shop", "ferrum", "shop", "shop_erp_server", "shop_world"]

VALIDITY_DAYS = 30


def timedelta_value(days: int) -> dict:
    """A TimeDelta as Tryton's JSON-RPC takes it."""
    return {"__class__": "timedelta", "seconds": days * 86400}


@pytest.fixture
def validity(shop) -> int:
    """The sale configuration's quotation validity: 30 days."""
    shop.gateway.backend.client.model(
        "sale.configuration",
        "write",
        [1],
        {"sale_quotation_validity": timedelta_value(VALIDITY_DAYS)},
    )
    return VALIDITY_DAYS


def erp_entered_quotation(
    shop: Shop,
    code: str,
    lines: list[tuple[str, Decimal, Decimal]],
    *,
    quoted_on: datetime.date | None = None,
    days: int = VALIDITY_DAYS,
) -> str:
    """A quotation a salesperson entered in the ERP for customer ``code`` (no platform key),
    at the given unit prices, quoted on ``quoted_on`` and valid ``days``: its number."""
    backend = shop.gateway.backend
    client = backend.client
    address = Company.objects.get(code=code).addresses.filter(is_ship_to=True).first()
    request = QuotationRequest(
        customer=code,
        warehouse="WH-EU",
        ship_to_address_id=address.erp_id,
        lines=tuple(QuotationLineRequest(sku, quantity) for sku, quantity, _ in lines),
        idempotency_key=f"tmp-{secrets.token_hex(8)}",
        currency="EUR",
    )
    sale_id = quotations._create(client, backend.lookups, request, [price for *_, price in lines])
    values: dict = {"description": "RFQ by phone", "quotation_validity": timedelta_value(days)}
    if quoted_on is not None:
        values["quotation_date"] = quoted_on
    client.model("sale.sale", "write", [sale_id], values)
    client.model("sale.sale", "quote", [sale_id])
    (row,) = client.model("sale.sale", "read", [sale_id], ["number"])
    return row["number"]

"""The gateway pointed at a real reference ERP (``tests.erp_support``) through ``settings``."""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings

from storefleet.accounts.services import companies_upsert
from storefleet.catalog.services import products_changed_since, products_upsert
from storefleet.erp.gateway import ErpGateway, get_gateway
from storefleet.erp.models import SyncState
from storefleet.erp.types import LineQuery, SyncCursor


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


# Nothing listens on the discard port: the platform's requests to the ERP are refused there as a
# stopped server refuses them.
ERP_AWAY_URL = "http://127.0.0.1:9/"


def erp_away() -> override_settings:
    """The ERP unreachable for the platform while this lasts (``with erp_away():``): its
    connections refused as by a stopped server, which took the tests ten seconds or more to
    stop and start again; the test's own ERP client (``server.client()``) still reaches it."""
    return override_settings(ERP_URL=ERP_AWAY_URL)


def mirror_master_data(server) -> None:
    """What ``erp_sync(name=..., full=True)`` of products and customers leaves in the database,
    with the ERP asked once per server: the shop fixtures build the same store for every test,
    and a full sync of 234 products and 24 customers cost about a second of the ERP's time for
    each. The records are fetched through the gateway pointed at ``server``, in the sync's
    batches, and upserted by the sync's own services; the sync's cursor rows are written as a
    complete sync leaves them.

    Master data does not change under the tests that use a shop (orders, returns, payments change
    stock, credit and sales, which are read live); a test that changes a product or a customer
    in the ERP syncs it itself, on a server of its own."""
    cached = server.__dict__.get("_master_records")
    if cached is None:
        cached = server._master_records = _fetch_master_records()
    products, customers = cached
    with transaction.atomic():
        products_upsert(records=products)
        companies_upsert(records=customers)
    for name, records in (("products", products), ("customers", customers)):
        last = max(records, key=lambda r: (r.erp_write_date, r.erp_id), default=None)
        SyncState.objects.update_or_create(
            name=name,
            defaults={
                "cursor_write_date": last.erp_write_date if last else None,
                "cursor_erp_id": last.erp_id if last else 0,
                "last_count": len(records),
                "last_error": "",
            },
        )


def _fetch_master_records() -> tuple[tuple, tuple]:
    gateway = get_gateway()
    fetched: dict[str, list] = {"products": [], "customers": []}
    for name, fetch in (
        # The sync's own read: the products with their names in every language.
        ("products", functools.partial(products_changed_since, gateway, limit=None)),
        ("customers", gateway.customers_changed_since),
    ):
        cursor = SyncCursor()
        while True:
            batch = fetch(cursor=cursor)
            fetched[name].extend(batch.records)
            cursor = batch.next_cursor
            if batch.complete:
                break
    return tuple(fetched["products"]), tuple(fetched["customers"])


@pytest.fixture
def gateway(settings, erp_server) -> ErpGateway:
    return point_gateway_at(settings, erp_server)


@pytest.fixture
def manifest(erp_server) -> dict:
    return erp_server.manifest


def q(sku: str, quantity: int | str = 1) -> LineQuery:
    return LineQuery(sku, Decimal(quantity))


def promised_today(manifest: dict, sku: str, warehouse: str = "WH-EU") -> Decimal:
    """What the ERP promises of ``sku`` today. On the day the cache was seeded, the demo sales'
    moves (planned that day) are counted: the seed's forecast. On a later day (a cache built
    before midnight) Tryton counts them no more, being late: the stock on hand."""
    stock = next(p for p in manifest["products"] if p["sku"] == sku)["stock"][warehouse]
    today = datetime.date.today().isoformat()
    return Decimal(str(stock["forecast_today" if today == manifest["seeded_on"] else "quantity"]))


def seeded_day(manifest: dict, days: int) -> datetime.date:
    return datetime.date.fromisoformat(manifest["seeded_on"]) + datetime.timedelta(days=days)

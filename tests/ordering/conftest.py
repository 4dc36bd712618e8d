"""A Ferrum store selling from WH-EU with its catalog, and buyers of three ERP customers:
Nordwerk (C-1001), Van der Berg (C-1004) and Alpine (C-1002, near its credit limit).

Every module gets its own copy of the reference ERP (``fresh_erp_server``): these tests place
real orders, which change stock and credit for whoever comes next."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from storefleet.accounts.models import Company, MemberRole, Membership
from storefleet.catalog.models import CatalogPage
from storefleet.erp.gateway import ErpGateway
from storefleet.ordering.scope import OrderScope
from storefleet.tenants.models import Store
from storefleet.tenants.selectors import StoreRecord, store_for_hostname
from storefleet.tenants.services import store_host_map_invalidate
from tests.erp.conftest import mirror_master_data, point_gateway_at

HOST = "ferrum.localhost"


@dataclass
class Shop:
    gateway: ErpGateway
    store: StoreRecord
    buyers: dict[str, User]  # by ERP customer code
    server: object

    def membership(self, code: str) -> Membership:
        return Membership.objects.select_related("company").get(user=self.buyers[code])

    def scope(self, code: str) -> OrderScope:
        """What a buyer of the company ``code`` reaches in this store."""
        return self.in_store(Company.objects.get(code=code))

    def in_store(self, company: Company) -> OrderScope:
        return OrderScope.store(company=company, store_id=self.store.id)

    def erp_sales(self, key_prefix: str = "") -> list[dict]:
        return self.server.client().search_read(  # type: ignore[attr-defined]
            "sale.sale",
            [["description", "like", f"storefleet:{key_prefix}%"]],
            ["number", "state", "description", "reference", "shipment_address"],
        )


def build_shop(settings, server, ferrum) -> Shop:
    gateway = point_gateway_at(settings, server)
    mirror_master_data(server)
    Store.objects.filter(pk=ferrum.store.pk).update(erp_warehouse="WH-EU")
    store_host_map_invalidate()
    catalog = CatalogPage(title="Products", slug="catalog", per_page=24)
    ferrum.home.add_child(instance=catalog)
    catalog.save_revision().publish()
    buyers = {}
    for code in ("C-1001", "C-1004", "C-1002"):
        company = Company.objects.get(code=code)
        company.stores.add(ferrum.store)
        email = f"buyer@{code.lower()}.example"
        buyers[code] = get_user_model().objects.create_user(email, email, "x")
        Membership.objects.create(user=buyers[code], company=company, role=MemberRole.BUYER)
    store = store_for_hostname(HOST)
    assert store is not None
    return Shop(gateway=gateway, store=store, buyers=buyers, server=server)


@pytest.fixture
def shop(settings, fresh_erp_server, ferrum) -> Shop:
    return build_shop(settings, fresh_erp_server, ferrum)

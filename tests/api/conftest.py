"""Two stores (Ferrum, EUR, WH-EU; Hydra, USD, WH-US) on the shared reference ERP, with their
companies: Nordwerk (C-1001) buys in both, Van der Berg (C-1004) in Ferrum only, Great Lakes
(C-1006) in Hydra only. Each company has a web order in each store it buys in, and keys of every
kind are made with the real service. The API only reads from the ERP, so the session's server
is shared."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils import timezone

from storefleet.accounts.models import Company, MemberRole, Membership
from storefleet.api.keys import api_key_create
from storefleet.api.models import KeyKind, Scope
from storefleet.catalog.models import CatalogPage
from storefleet.ordering.models import Order, OrderStatus
from storefleet.tenants.models import Store
from storefleet.tenants.services import store_host_map_invalidate
from tests.erp.conftest import mirror_master_data, point_gateway_at

FERRUM = "ferrum.localhost"
HYDRA = "hydra.localhost"
ALL_SCOPES = [Scope.CATALOG_READ, Scope.ORDERS_READ, Scope.INVOICES_READ]


@dataclass
class World:
    stores: dict[str, Store]  # by host
    companies: dict[str, Company]  # by code
    admins: dict[str, User]  # company admin per code
    orders: dict[tuple[str, str], str] = field(default_factory=dict)  # (host, code) → number
    server: object = None

    def key(
        self,
        code: str,
        host: str,
        *,
        scopes: list[Scope] | None = None,
        expires_in: datetime.timedelta = datetime.timedelta(days=30),
    ) -> str:
        _key, text = api_key_create(
            name=f"{code} on {host}",
            kind=KeyKind.COMPANY,
            scopes=scopes or ALL_SCOPES,
            expires_at=timezone.now() + expires_in,
            company=self.companies[code],
            store=self.stores[host],
        )
        return text

    def partner_key(self, *, codes: list[str], hosts: list[str], scopes=None) -> str:
        _key, text = api_key_create(
            name="Distributor",
            kind=KeyKind.PARTNER,
            scopes=scopes or ALL_SCOPES,
            expires_at=timezone.now() + datetime.timedelta(days=30),
            stores=[self.stores[h] for h in hosts],
            companies=[self.companies[c] for c in codes],
        )
        return text


def _catalog(world_brand) -> None:
    catalog = CatalogPage(title="Products", slug="catalog", per_page=24)
    world_brand.home.add_child(instance=catalog)
    catalog.save_revision().publish()


@pytest.fixture
def world(settings, erp_server, ferrum, hydra) -> World:
    return build_world(settings, erp_server, ferrum, hydra)


def build_world(settings, erp_server, ferrum, hydra) -> World:
    point_gateway_at(settings, erp_server)
    mirror_master_data(erp_server)
    Store.objects.filter(pk=ferrum.store.pk).update(erp_warehouse="WH-EU")
    Store.objects.filter(pk=hydra.store.pk).update(erp_warehouse="WH-US")
    store_host_map_invalidate()
    _catalog(ferrum)
    _catalog(hydra)
    stores = {
        FERRUM: Store.objects.get(pk=ferrum.store.pk),
        HYDRA: Store.objects.get(pk=hydra.store.pk),
    }
    buys = {"C-1001": [FERRUM, HYDRA], "C-1004": [FERRUM], "C-1006": [HYDRA]}
    companies, admins = {}, {}
    world = World(stores=stores, companies=companies, admins=admins, server=erp_server)
    for code, hosts in buys.items():
        company = Company.objects.get(code=code)
        companies[code] = company
        email = f"admin@{code.lower()}.example"
        admins[code] = get_user_model().objects.create_user(email, email, "x")
        Membership.objects.create(user=admins[code], company=company, role=MemberRole.ADMIN)
        for host in hosts:
            company.stores.add(stores[host])
            number = f"W-{host[:1].upper()}-{code[2:]}"
            Order.objects.create(
                number=number,
                store=stores[host],
                company=company,
                submit_token=number,
                status=OrderStatus.RECEIVED,
                ship_to=company.addresses.filter(is_ship_to=True).first(),
                currency=stores[host].currency,
            )
            world.orders[(host, code)] = number
    return world


def bearer(key: str, **headers: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}", **headers}

"""Two stores (Ferrum, EUR, WH-EU; Hydra, USD, WH-US) on the shared reference ERP, with their
companies: Nordwerk (C-1001) buys in both, Van der Berg (C-1004) in Ferrum only, Great Lakes
(C-1006) in Hydra only. Each company has a web order in each store it buys in, and keys of every
kind are made with the real service. The API only reads from the ERP, so the session's server
is shared (a module that places orders takes its own: ``world_erp_server``).

The world is built once per module, in a transaction rolled back after it
(``tests.module_world``); each test gets its own instances of it."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
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
from tests.factories import build_brand, wagtail_roots_ensure
from tests.module_world import (
    ModuleTransaction,
    SettingsWhileBuilding,
    is_transactional,
    requesting_item,
)

FERRUM = "ferrum.localhost"
HYDRA = "hydra.localhost"
ALL_SCOPES = [Scope.CATALOG_READ, Scope.ORDERS_READ, Scope.INVOICES_READ, Scope.QUOTES_READ]


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


@dataclass(frozen=True)
class WorldKeys:
    """What ``build_world`` made for a module, by primary key: each test reads its own
    instances."""

    server: object
    module_transaction: ModuleTransaction
    stores: dict[str, int]
    companies: dict[str, int]
    admins: dict[str, int]
    orders: dict[tuple[str, str], str]

    def world(self) -> World:
        return World(
            stores={host: Store.objects.get(pk=pk) for host, pk in self.stores.items()},
            companies={code: Company.objects.get(pk=pk) for code, pk in self.companies.items()},
            admins={code: User.objects.get(pk=pk) for code, pk in self.admins.items()},
            orders=dict(self.orders),
            server=self.server,
        )


@pytest.fixture(scope="module")
def world_erp_server(erp_server):
    """The ERP a module's world reads from: the session's (the API only reads); a module whose
    tests place orders takes its own copy (``fresh_erp_server``)."""
    return erp_server


@pytest.fixture(scope="module")
def module_world(request, django_db_setup, django_db_blocker) -> Iterator[WorldKeys | None]:
    """The module's world, built once in a transaction rolled back after the module (or before
    its first transactional test: ``tests.module_world``); None for a module whose first test
    is transactional."""
    item = requesting_item(request)
    if item is None or is_transactional(item):
        yield None
        return
    server = request.getfixturevalue("world_erp_server")
    module_transaction = ModuleTransaction(django_db_blocker)
    module_transaction.open()
    settings = SettingsWhileBuilding()
    try:
        with django_db_blocker.unblock():
            wagtail_roots_ensure()
            built = build_world(
                settings,
                server,
                build_brand("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91"),
                build_brand("hydra", "Hydra Flow Systems", "USD", "US", "#00695C"),
            )
    except BaseException:
        module_transaction.close()
        raise
    finally:
        settings.restore()
    keys = WorldKeys(
        server=server,
        module_transaction=module_transaction,
        stores={host: store.pk for host, store in built.stores.items()},
        companies={code: company.pk for code, company in built.companies.items()},
        admins={code: user.pk for code, user in built.admins.items()},
        orders=dict(built.orders),
    )
    try:
        yield keys
    finally:
        module_transaction.close()


@pytest.fixture
def world(request, settings, module_world, world_erp_server) -> World:
    """The module's world (its own instances), or one built for this test where the module's
    transaction is closed (a transactional test)."""
    if module_world is not None and module_world.module_transaction.is_open:
        point_gateway_at(settings, world_erp_server)
        return module_world.world()
    ferrum = request.getfixturevalue("ferrum")
    hydra = request.getfixturevalue("hydra")
    return build_world(settings, world_erp_server, ferrum, hydra)


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

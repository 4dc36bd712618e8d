"""A Ferrum store selling from WH-EU with its catalog, and buyers of three ERP customers:
Nordwerk (C-1001), Van der Berg (C-1004) and Alpine (C-1002, near its credit limit).

Every module gets its own copy of the reference ERP (``fresh_erp_server``): these tests place
real orders, which change stock and credit for whoever comes next.

The shop is built once per module (``shop_world``: about a second and a half of Wagtail pages,
products and buyers that every test would otherwise build again), in a transaction that is
rolled back after the module; each test runs in a savepoint inside it, rolled back after the
test as before, and gets its own fresh instances of the shop's objects. A module with a
transactional test (its tests commit, and a worker process or live server must see the data)
or with a test that takes ``ferrum`` without ``shop`` (it would get the shop's store) builds
the shop for every test instead."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from storefleet.accounts.models import Company, MemberRole, Membership
from storefleet.accounts.principal import Principal
from storefleet.catalog.models import CatalogPage
from storefleet.erp.gateway import ErpGateway
from storefleet.ordering.scope import OrderScope
from storefleet.tenants.models import Store
from storefleet.tenants.selectors import StoreRecord, store_for_hostname
from storefleet.tenants.services import store_host_map_invalidate
from tests.erp.conftest import mirror_master_data, point_gateway_at
from tests.factories import BrandKeys, BrandWorld, build_brand, wagtail_roots_ensure
from tests.module_world import SettingsWhileBuilding

HOST = "ferrum.localhost"


@dataclass
class Shop:
    gateway: ErpGateway
    store: StoreRecord
    buyers: dict[str, User]  # by ERP customer code
    server: object

    def membership(self, code: str) -> Membership:
        return Membership.objects.select_related("company").get(user=self.buyers[code])

    def principal(self, code: str) -> Principal:
        """A buyer of the company ``code`` acting in this store, as the storefront builds it."""
        return Principal.for_member(store=self.store, membership=self.membership(code))

    def scope(self, code: str) -> OrderScope:
        """What a buyer of the company ``code`` reaches in this store."""
        return self.in_store(Company.objects.get(code=code))

    def in_store(self, company: Company) -> OrderScope:
        return OrderScope.store(company=company, store_id=self.store.id)

    def buyer(self, code: str, store: StoreRecord | None = None) -> Principal:
        """The buyer of the company ``code`` acting in this store (or in ``store``), as the
        storefront hands them to the services (``Principal.for_buyer``)."""
        return Principal.for_member(store=store or self.store, membership=self.membership(code))

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


def build_ferrum() -> BrandWorld:
    return build_brand("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91")


@dataclass(frozen=True)
class ShopWorld:
    """What ``build_shop`` made for a module, by primary key: each test reads its own instances
    (a test that changes one in memory, or adds a page under the home page, changes nothing
    the next test gets)."""

    server: object
    brand: BrandKeys
    buyers: dict[str, int]

    def ferrum(self) -> BrandWorld:
        return self.brand.read()

    def shop(self, settings) -> Shop:  # type: ignore[no-untyped-def]
        store = store_for_hostname(HOST)
        assert store is not None
        return Shop(
            gateway=point_gateway_at(settings, self.server),
            store=store,
            buyers={code: User.objects.get(pk=pk) for code, pk in self.buyers.items()},
            server=self.server,
        )


def shop_world_build(server) -> Callable[[SettingsWhileBuilding], ShopWorld]:  # type: ignore[no-untyped-def]
    """For ``tests.module_world.module_world_for``: Ferrum and its shop on ``server``."""

    def build(settings: SettingsWhileBuilding) -> ShopWorld:
        ferrum = build_ferrum()
        shop = build_shop(settings, server, ferrum)
        return ShopWorld(
            server=server,
            brand=BrandKeys.of(ferrum),
            buyers={code: user.pk for code, user in shop.buyers.items()},
        )

    return build


def _shared_shop_fits(request) -> bool:  # type: ignore[no-untyped-def]
    """Whether every test of the requesting module can run on one shop: none is transactional,
    and none takes ``ferrum`` without ``shop``."""
    for item in request.session.items:
        if item.module is not request.module:
            continue
        names = set(getattr(item, "fixturenames", ()))
        marker = item.get_closest_marker("django_db")
        if (marker and marker.kwargs.get("transaction")) or names & {
            "transactional_db",
            "live_server",
        }:
            return False
        if "ferrum" in names and "shop" not in names:
            return False
    return True


@pytest.fixture(scope="module")
def shop_erp_server(fresh_erp_server):
    """The ERP a module's shop sells from: the module's own copy (a module that only reads may
    take the session's ``erp_server`` instead)."""
    return fresh_erp_server


@pytest.fixture(scope="module")
def shop_world(request, django_db_setup, django_db_blocker) -> Iterator[ShopWorld | None]:
    """The module's shop, built once in a transaction rolled back after the module; None where
    it can't be shared (``_shared_shop_fits``)."""
    if not _shared_shop_fits(request):
        yield None
        return
    server = request.getfixturevalue("shop_erp_server")
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        settings = SettingsWhileBuilding()
        try:
            wagtail_roots_ensure()
            world = shop_world_build(server)(settings)
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
        finally:
            settings.restore()
    try:
        yield world
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def ferrum(shop_world, db) -> BrandWorld:
    return shop_world.ferrum() if shop_world is not None else build_ferrum()


def shop_of(settings, world: ShopWorld | None, server, ferrum: BrandWorld) -> Shop:  # type: ignore[no-untyped-def]
    """The test's shop: the module's, or one built for the test where it can't be shared."""
    if world is not None:
        return world.shop(settings)
    return build_shop(settings, server, ferrum)


@pytest.fixture
def shop(settings, shop_world, shop_erp_server, ferrum) -> Shop:
    return shop_of(settings, shop_world, shop_erp_server, ferrum)

"""A service desk: the Ferrum shop of the ordering tests (buyers of C-1001, C-1004, C-1002),
a Hydra store whose only customer here is Rossi (C-1005), an agent of Ferrum, Ferrum's
marketing editor (no console permission) and a platform superuser."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from storefleet.accounts.models import Company, MemberRole, Membership
from storefleet.service.services import service_agent_add
from storefleet.tenants.models import Store
from tests.factories import BrandKeys, BrandWorld, build_brand
from tests.module_world import ModuleWorld, SettingsWhileBuilding, module_world_built
from tests.ordering.conftest import Shop, ShopWorld, build_ferrum, build_shop

HYDRA_ONLY = "C-1005"


@dataclass
class Desk:
    shop: Shop
    agent: User
    editor: User
    superuser: User
    hydra: BrandWorld
    rossi: Company  # buys in Hydra only

    def company(self, code: str) -> Company:
        return Company.objects.get(code=code)


def build_desk(settings, server, ferrum: BrandWorld, hydra: BrandWorld) -> Desk:
    shop = build_shop(settings, server, ferrum)
    rossi = Company.objects.get(code=HYDRA_ONLY)
    rossi.stores.add(hydra.store)
    buyer = get_user_model().objects.create_user(
        "buyer@c-1005.example", "buyer@c-1005.example", "x"
    )
    Membership.objects.create(user=buyer, company=rossi, role=MemberRole.ADMIN)
    users = get_user_model().objects
    agent = users.create_user(
        "service.agent",
        "service.agent@storefleet.example",
        "x",
        first_name="Sam",
        last_name="Agent",
    )
    service_agent_add(store=Store.objects.get(pk=ferrum.store.pk), user=agent)
    superuser = users.create_superuser("platform", "platform@storefleet.example", "x")
    return Desk(
        shop=shop,
        agent=agent,
        editor=ferrum.editor,
        superuser=superuser,
        hydra=hydra,
        rossi=rossi,
    )


def build_hydra() -> BrandWorld:
    return build_brand("hydra", "Hydra Flow Systems", "USD", "US", "#00695C")


@dataclass(frozen=True)
class DeskKeys:
    """What ``build_desk`` made for a module, by primary key: each test reads its own
    instances."""

    shop: ShopWorld
    hydra: BrandKeys
    agent: int
    superuser: int
    rossi: int

    def desk(self, settings) -> Desk:  # type: ignore[no-untyped-def]
        users = get_user_model().objects
        return Desk(
            shop=self.shop.shop(settings),
            agent=users.get(pk=self.agent),
            editor=users.get(pk=self.shop.brand.editor),
            superuser=users.get(pk=self.superuser),
            hydra=self.hydra.read(),
            rossi=Company.objects.get(pk=self.rossi),
        )


@pytest.fixture(scope="module")
def desk_erp_server(fresh_erp_server):
    """The ERP a module's desk works on: the module's own copy (agents cancel and return)."""
    return fresh_erp_server


@pytest.fixture(scope="module")
def desk_world(
    request, django_db_setup, django_db_blocker
) -> Iterator[ModuleWorld[DeskKeys] | None]:
    """The module's desk, built once in a transaction rolled back after the module
    (``tests.module_world``): two stores, the shop's buyers and the agents cost about three
    seconds a test before. The ERP was the module's already."""
    server = request.getfixturevalue("desk_erp_server")

    def build(settings: SettingsWhileBuilding) -> DeskKeys:
        ferrum, hydra = build_ferrum(), build_hydra()
        desk = build_desk(settings, server, ferrum, hydra)
        return DeskKeys(
            shop=ShopWorld(
                server=server,
                brand=BrandKeys.of(ferrum),
                buyers={code: user.pk for code, user in desk.shop.buyers.items()},
            ),
            hydra=BrandKeys.of(hydra),
            agent=desk.agent.pk,
            superuser=desk.superuser.pk,
            rossi=desk.rossi.pk,
        )

    with module_world_built(request, django_db_blocker, build) as world:
        yield world


@pytest.fixture
def desk(request, settings, desk_world, desk_erp_server) -> Desk:
    """The module's desk (this test's own instances), or one built for this test where the
    module's transaction is closed (a transactional test)."""
    if desk_world is not None and desk_world.is_open:
        request.getfixturevalue("db")
        return desk_world.keys.desk(settings)
    ferrum = request.getfixturevalue("ferrum")
    hydra = request.getfixturevalue("hydra")
    return build_desk(settings, desk_erp_server, ferrum, hydra)

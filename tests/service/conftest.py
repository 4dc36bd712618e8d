"""A service desk: the Ferrum shop of the ordering tests (buyers of C-1001, C-1004, C-1002),
a Hydra store whose only customer here is Rossi (C-1005), an agent of Ferrum, Ferrum's
marketing editor (no console permission) and a platform superuser."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from storefleet.accounts.models import Company, MemberRole, Membership
from storefleet.service.services import service_agent_add
from storefleet.tenants.models import Store
from tests.factories import BrandWorld
from tests.ordering.conftest import Shop, build_shop

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


@pytest.fixture
def desk(settings, fresh_erp_server, ferrum, hydra) -> Desk:
    return build_desk(settings, fresh_erp_server, ferrum, hydra)

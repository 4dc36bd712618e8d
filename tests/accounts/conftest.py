"""Two customer companies for the account tests.

Acme buys in the Ferrum store only; Globex buys in Ferrum and Hydra, so a wall between them on
the Ferrum host is a wall between companies, not between stores. Companies are made directly
(the ERP sync that normally makes them is tested in tests/erp)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from storefleet.accounts.models import Address, Company, MemberRole, Membership
from storefleet.accounts.services import company_stores_set, membership_create
from storefleet.tenants.models import Store
from tests.factories import PASSWORD, BrandWorld

FERRUM_HOST = "ferrum.localhost"
HYDRA_HOST = "hydra.localhost"


@dataclass
class CompanyWorld:
    company: Company
    admin: User
    approver: User
    buyer: User
    ship_to: Address
    old_ship_to: Address
    invoice_only: Address

    def member(self, user: User) -> Membership:
        return Membership.objects.get(user=user)


def make_company(code: str, name: str, erp_id: int, stores: list[Store]) -> CompanyWorld:
    company = Company.objects.create(
        erp_id=erp_id, code=code, name=name, erp_write_date=timezone.now()
    )
    company_stores_set(company=company, stores=stores)
    users = {}
    for role in MemberRole:
        slug = code.lower()
        email = f"{role.value}@{slug}.example"
        users[role] = User.objects.create_user(email, email, PASSWORD)
        membership_create(company=company, user=users[role], role=role)

    def address(offset: int, name: str, **flags: bool) -> Address:
        return Address.objects.create(
            erp_id=erp_id * 10 + offset,
            company=company,
            name=name,
            street=f"{name} street 1",
            postal_code="12345",
            city=f"{code} City",
            country="DE",
            **flags,
        )

    return CompanyWorld(
        company=company,
        admin=users[MemberRole.ADMIN],
        approver=users[MemberRole.APPROVER],
        buyer=users[MemberRole.BUYER],
        ship_to=address(1, f"{name} Warehouse"),
        old_ship_to=address(2, f"{name} Old depot", active=False),
        invoice_only=address(3, f"{name} Accounts", is_ship_to=False, is_invoice=True),
    )


@pytest.fixture
def acme(ferrum: BrandWorld) -> CompanyWorld:
    return make_company("C-ACME", "Acme Machining", 501, [ferrum.store])


@pytest.fixture
def globex(ferrum: BrandWorld, hydra: BrandWorld) -> CompanyWorld:
    return make_company("C-GLOBEX", "Globex Hydraulics", 502, [ferrum.store, hydra.store])

"""The ordering tests' Ferrum shop (a module's own reference ERP), with an approver and an
admin in Van der Berg (C-1004) and an approver in Nordwerk (C-1001), and helpers to fill a
cart and check it out as the storefront does."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from storefleet.accounts.models import Company, MemberRole, Membership
from storefleet.accounts.principal import Principal
from storefleet.approvals.models import ApprovalRule
from storefleet.ordering.cart import quick_order_add
from storefleet.ordering.checkout import CheckoutRequest, order_place
from storefleet.ordering.models import Order
from storefleet.ordering.quick_order import parse_lines
from tests.ordering.conftest import HOST, Shop, ferrum, shop, shop_erp_server, shop_world

__all__ = ["HOST", "Shop", "ferrum", "shop", "shop_erp_server", "shop_world"]


def member(code: str, email: str, role: str) -> User:
    user = get_user_model().objects.create_user(email, email, "x")
    Membership.objects.create(user=user, company=Company.objects.get(code=code), role=role)
    return user


@pytest.fixture
def people(shop) -> dict[str, User]:
    """The buyer (C-1004's), its company's approver and admin, and Nordwerk's approver and
    admin (another company)."""
    return {
        "buyer": shop.buyers["C-1004"],
        "approver": member("C-1004", "approver@c-1004.example", MemberRole.APPROVER),
        "admin": member("C-1004", "admin@c-1004.example", MemberRole.ADMIN),
        "other_approver": member("C-1001", "approver@c-1001.example", MemberRole.APPROVER),
        "other_admin": member("C-1001", "admin@c-1001.example", MemberRole.ADMIN),
    }


def principal_of(shop: Shop, user: User) -> Principal:
    membership = Membership.objects.select_related("company", "user").get(user=user)
    return Principal.for_member(store=shop.store, membership=membership)


def rule(code: str, threshold: str, **extra) -> ApprovalRule:
    return ApprovalRule.objects.create(
        company=Company.objects.get(code=code),
        currency="EUR",
        threshold=Decimal(threshold),
        **extra,
    )


def place(
    shop: Shop,
    user: User,
    text: str = "FAS-1003 10\nBRG-1002 4",
    token: str = "t1",  # noqa: S107
) -> Order:
    """Fill the user's cart with ``text`` and check it out (48.44 EUR for C-1004)."""
    principal = principal_of(shop, user)
    result = quick_order_add(principal=principal, rows=parse_lines(text))
    assert not result.errors, result.errors
    address = principal.company.addresses.filter(is_ship_to=True, active=True).first()
    return order_place(
        principal=principal, request=CheckoutRequest(submit_token=token, ship_to_id=address.id)
    )

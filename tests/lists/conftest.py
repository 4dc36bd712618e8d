"""The ordering tests' Ferrum shop (a module's own reference ERP), plus a colleague of the
Van der Berg buyer (C-1004) to test private and shared lists against."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from storefleet.accounts.models import Company, MemberRole, Membership
from tests.ordering.conftest import HOST, Shop, ferrum, shop, shop_erp_server, shop_world

# The ordering tests' Ferrum shop, built once per module where it can be.
__all__ = ["HOST", "Shop", "ferrum", "shop", "shop_erp_server", "shop_world"]


@pytest.fixture
def colleague(shop) -> User:
    """A second buyer of C-1004, the company of ``shop.buyers["C-1004"]``."""
    user = get_user_model().objects.create_user(
        "colleague@c-1004.example", "colleague@c-1004.example", "x"
    )
    Membership.objects.create(
        user=user, company=Company.objects.get(code="C-1004"), role=MemberRole.BUYER
    )
    return user

"""Fixtures of the catalog tests: Ferrum's catalog page, and a buyer shopping there against the
real reference ERP."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from storefleet.accounts.models import Company, MemberRole, Membership
from storefleet.catalog.models import CatalogPage
from storefleet.tenants.models import Store
from storefleet.tenants.services import store_host_map_invalidate
from tests.catalog.factories import catalog_page_make
from tests.erp.conftest import mirror_master_data, point_gateway_at


@pytest.fixture
def catalog(ferrum) -> CatalogPage:
    return catalog_page_make(ferrum.home)


@pytest.fixture
def shop(settings, erp_server, ferrum):
    """Ferrum sells from WH-EU; Nordwerk (C-1001, its own price list) buys there."""
    gateway = point_gateway_at(settings, erp_server)
    mirror_master_data(erp_server)
    Store.objects.filter(pk=ferrum.store.pk).update(erp_warehouse="WH-EU")
    store_host_map_invalidate()
    catalog_page_make(ferrum.home)
    company = Company.objects.get(code="C-1001")
    company.stores.add(ferrum.store)
    buyer = get_user_model().objects.create_user("buyer@nordwerk.example", "b@n.example", "x")
    Membership.objects.create(user=buyer, company=company, role=MemberRole.BUYER)
    return gateway, buyer

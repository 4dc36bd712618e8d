"""The buyer's home asks the real ERP for credit and open invoices at most once per the
gateway's TTL: a buyer coming back to it between tasks costs the ERP nothing."""

from __future__ import annotations

import pytest

from storefleet.brand.buyer_cache import company_pages_changed
from tests.ordering.conftest import HOST, ferrum, shop, shop_world

pytestmark = pytest.mark.django_db

__all__ = ["ferrum", "shop", "shop_world"]  # the ordering tests' Ferrum shop, built once here


@pytest.fixture(scope="module")
def shop_erp_server(erp_server):
    """The session's ERP: these tests only read credit and open invoices."""
    return erp_server


def _home(client) -> str:  # type: ignore[no-untyped-def]
    response = client.get("/account/", HTTP_HOST=HOST)
    assert response.status_code == 200
    assert "X-Storefleet-Cache" not in response  # the view ran: no whole-page cache
    return response.content.decode()


def test_a_second_dashboard_view_within_the_ttl_asks_the_erp_nothing(client, shop, settings):
    settings.ERP_SALE_TTL_SECONDS = 3600
    client.force_login(shop.buyers["C-1002"])
    backend = shop.gateway.backend
    expected = '<dd class="credit-available">€400.50</dd>'

    before = backend.request_count()
    first = _home(client)
    # Credit and open invoices, from the ERP.
    assert backend.request_count() - before > 0 and expected in first

    before = backend.request_count()
    second = _home(client)
    assert backend.request_count() - before == 0
    assert expected in second and 'class="open-invoices"' in second

    # An order of the company changed (placed, cancelled, mirrored anew): asked again.
    company_pages_changed(company_id=shop.membership("C-1002").company_id)
    before = backend.request_count()
    assert expected in _home(client)
    assert backend.request_count() - before > 0


def test_past_the_ttl_the_dashboard_asks_the_erp_again(client, shop, settings):
    settings.ERP_SALE_TTL_SECONDS = 0
    client.force_login(shop.buyers["C-1004"])
    backend = shop.gateway.backend
    _home(client)
    before = backend.request_count()
    _home(client)
    assert backend.request_count() - before > 0

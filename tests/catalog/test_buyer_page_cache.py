"""A signed-in buyer's catalog pages come from the buyer page cache while what they were made
of is unchanged: served from the cache alone, and never to anyone else. Every change
that shows on the page — a cart line, prices or stock, the ERP going away, a publish, the
product data, the buyer's membership — retires it; flash messages bypass it."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from storefleet.accounts.models import Company, MemberRole, Membership
from storefleet.catalog.models import Product
from storefleet.erp.resilience import breaker
from storefleet.erp.sync import erp_sync
from storefleet.ordering.models import Cart, CartLine

pytestmark = pytest.mark.django_db

FERRUM = "ferrum.localhost"


def _buyer_client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=FERRUM)
    client.force_login(user)
    return client


def _get(client: Client, path: str = "/catalog/"):  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200
    return response


def _warm(client: Client, path: str = "/catalog/"):  # type: ignore[no-untyped-def]
    """Render and keep the page (a first visit also gets its CSRF cookie), then check that
    the next request is a hit."""
    kept = [_get(client, path).get("X-Storefleet-Cache") for _ in range(2)]
    assert kept[-1] in ("miss", "hit"), kept
    response = _get(client, path)
    assert response["X-Storefleet-Cache"] == "hit"
    return response


@pytest.fixture
def other_buyer(shop, ferrum):  # type: ignore[no-untyped-def]
    company = Company.objects.get(code="C-1004")
    company.stores.add(ferrum.store)
    user = get_user_model().objects.create_user("buyer@vdb.example", "b@vdb.example", "x")
    Membership.objects.create(user=user, company=company, role=MemberRole.BUYER)
    return user


def test_a_warm_page_is_served_without_a_query(shop):
    """The session comes from the cache (cached_db), the page and its dependencies too."""
    _gateway, buyer = shop
    client = _buyer_client(buyer)
    rendered = _get(client)
    _get(client)
    with CaptureQueriesContext(connection) as queries:
        hit = _get(client)
    assert hit["X-Storefleet-Cache"] == "hit"
    assert len(queries) == 0
    assert b", your price" in rendered.content and b", your price" in hit.content
    for path in ("/catalog/BRG-1001/", "/catalog/?q=bearing", "/catalog/?page=2"):
        _warm(client, path)


def test_no_one_else_gets_a_buyers_page(shop, other_buyer):
    """Walls: another company's buyer, a colleague, an anonymous visitor and the buyer's own
    second session each get their own page."""
    _gateway, buyer = shop
    page = _warm(_buyer_client(buyer), "/catalog/BRG-1001/")

    other = _get(_buyer_client(other_buyer), "/catalog/BRG-1001/")
    assert other.get("X-Storefleet-Cache") != "hit"
    assert other.content != page.content  # C-1004 has its own contract prices

    colleague = get_user_model().objects.create_user("two@nordwerk.example", "t@n.example", "x")
    Membership.objects.create(
        user=colleague, company=Company.objects.get(code="C-1001"), role=MemberRole.BUYER
    )
    assert _get(_buyer_client(colleague), "/catalog/BRG-1001/").get("X-Storefleet-Cache") != "hit"
    assert _get(_buyer_client(buyer), "/catalog/BRG-1001/").get("X-Storefleet-Cache") != "hit"
    anonymous = Client(HTTP_HOST=FERRUM).get("/catalog/BRG-1001/")
    assert b"Sign in for your price" in anonymous.content


def test_a_cart_change_retires_the_page(shop, ferrum):
    _gateway, buyer = shop
    client = _buyer_client(buyer)
    _warm(client)
    cart = Cart.objects.create(
        store=ferrum.store, company=Company.objects.get(code="C-1001"), user=buyer
    )
    line = CartLine.objects.create(
        cart=cart, product=Product.objects.get(sku="BRG-1001"), quantity=2
    )
    after_add = _get(client)
    assert after_add.get("X-Storefleet-Cache") != "hit"
    assert b'cart-link__count">1<' in after_add.content
    _warm(client)
    CartLine.objects.filter(id=line.id).delete()
    assert _get(client).get("X-Storefleet-Cache") != "hit"


def test_new_prices_the_erp_going_away_and_a_publish_retire_the_page(shop, ferrum):
    gateway, buyer = shop
    client = _buyer_client(buyer)
    _warm(client)
    gateway.invalidate_prices(store=ferrum.store.slug, customer="C-1001")
    assert _get(client).get("X-Storefleet-Cache") != "hit"

    _warm(client)
    for _ in range(10):
        breaker.failure()  # the breaker opens: the page must show the degraded banner
    assert _get(client).get("X-Storefleet-Cache") != "hit"
    breaker.success()

    _warm(client)
    ferrum.home.save_revision().publish()
    assert _get(client).get("X-Storefleet-Cache") != "hit"


def test_a_product_sync_retires_the_page(shop):
    _gateway, buyer = shop
    client = _buyer_client(buyer)
    _warm(client)
    erp_sync(name="products", full=True)
    assert _get(client).get("X-Storefleet-Cache") != "hit"


def test_losing_the_membership_retires_the_page(shop):
    _gateway, buyer = shop
    client = _buyer_client(buyer)
    _warm(client, "/catalog/BRG-1001/")
    Membership.objects.filter(user=buyer).delete()
    response = _get(client, "/catalog/BRG-1001/")
    assert response.get("X-Storefleet-Cache") != "hit"
    assert b", your price" not in response.content


def test_a_company_no_longer_buying_in_the_store_retires_the_page(shop, ferrum):
    _gateway, buyer = shop
    client = _buyer_client(buyer)
    _warm(client)
    Company.objects.get(code="C-1001").stores.remove(ferrum.store)
    response = _get(client)
    assert response.get("X-Storefleet-Cache") != "hit"
    assert b", your price" not in response.content


def test_flash_messages_and_signing_out_bypass_the_cache(shop):
    _gateway, buyer = shop
    client = _buyer_client(buyer)
    _warm(client)
    added = client.post(
        "/cart/add/", {"sku": "BRG-1001", "quantity": "2", "next": "/catalog/"}, follow=True
    )
    assert added.status_code == 200
    assert added.get("X-Storefleet-Cache") is None  # the message is on this page
    assert b"BRG-1001" in added.content and b'cart-link__count">1<' in added.content
    client.logout()
    response = _get(client)  # an anonymous visitor now: the anonymous page cache may keep it
    assert b", your price" not in response.content


def test_parameters_the_catalog_does_not_read_share_the_buyers_entry(shop):
    """Inventing parameters (?utm_source=…) makes no new entry; a hit carries the same
    security headers as the page rendered."""
    _gateway, buyer = shop
    client = _buyer_client(buyer)
    rendered = _get(client, "/catalog/?q=bearing")
    _warm(client, "/catalog/?q=bearing")
    for path in ("/catalog/?q=bearing&utm_source=x", "/catalog/?gclid=1&q=bearing"):
        hit = _get(client, path)
        assert hit["X-Storefleet-Cache"] == "hit", path
        for header in ("X-Frame-Options", "Content-Security-Policy", "Referrer-Policy"):
            assert hit[header] == rendered[header], header
    assert _get(client, "/catalog/?q=nut").get("X-Storefleet-Cache") != "hit"


def test_each_filtered_sorted_view_is_its_own_entry_and_junk_is_not_kept(shop):
    """The filters, the sort and the view are part of the key: a kept page never answers for
    another. A page asked for with values the list ignored is rendered, never kept."""
    _gateway, buyer = shop
    client = _buyer_client(buyer)
    cheap = _warm(client, "/catalog/?unit=Meter&sort=price&view=list").content.decode()
    dear = _get(client, "/catalog/?unit=Meter&sort=-price&view=list")
    assert dear.get("X-Storefleet-Cache") != "hit"
    skus = re.findall(r'data-sku="([^"]+)"', cheap)
    assert len(skus) >= 2 and '<table class="product-table">' in cheap
    assert re.findall(r'data-sku="([^"]+)"', dear.content.decode()) != skus
    assert _get(client, "/catalog/?unit=Meter&sort=price").get("X-Storefleet-Cache") != "hit"
    for _ in range(3):
        junk = _get(client, "/catalog/?unit=Meter&sort=price&view=list&sort=nonsense")
        assert junk.get("X-Storefleet-Cache") != "hit"

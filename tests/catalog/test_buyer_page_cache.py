"""A signed-in buyer's catalog pages come from the buyer page cache while what they were made
of is unchanged: served from the cache alone, and never to anyone else. Every change
that shows on the page — a cart line, prices or stock, the ERP going away, a publish, the
product data, the buyer's membership — retires it; flash messages bypass it. A buyer's first
view of a page a colleague of the same persona was shown is the company's page, with form
tokens of the buyer's own."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.crypto import get_random_string

from storefleet.accounts.models import Company, MemberRole, Membership
from storefleet.accounts.principal import Principal
from storefleet.accounts.services import membership_remove, password_set, store_companies_set
from storefleet.catalog.models import Product
from storefleet.erp.resilience import breaker
from storefleet.erp.sync import erp_sync
from storefleet.lists.models import SavedList
from storefleet.ordering.cart import cart_line_add, cart_line_remove
from storefleet.ordering.models import Cart, CartLine
from storefleet.tenants.models import Store
from storefleet.tenants.selectors import store_for_hostname

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


def _principal(user) -> Principal:  # type: ignore[no-untyped-def]
    store = store_for_hostname(FERRUM)
    assert store is not None
    return Principal.for_member(store=store, membership=Membership.objects.get(user=user))


def test_a_cart_change_retires_the_page(shop, ferrum):
    """The cart's services retire the buyer's pages (they show the cart's size)."""
    _gateway, buyer = shop
    client = _buyer_client(buyer)
    _warm(client)
    line = cart_line_add(principal=_principal(buyer), sku="BRG-1001", quantity=Decimal(2))
    after_add = _get(client)
    assert after_add.get("X-Storefleet-Cache") != "hit"
    assert b'cart-link__count">1<' in after_add.content
    _warm(client)
    cart_line_remove(principal=_principal(buyer), line_id=line.id)
    after_remove = _get(client)
    assert after_remove.get("X-Storefleet-Cache") != "hit"
    assert b'cart-link__count"' not in after_remove.content


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
    admin = _colleague(name="admin")
    Membership.objects.filter(user=admin).update(role=MemberRole.ADMIN)
    membership_remove(membership=Membership.objects.get(user=buyer), removed_by=admin)
    response = _get(client, "/catalog/BRG-1001/")
    assert response.get("X-Storefleet-Cache") != "hit"
    assert b", your price" not in response.content


def test_a_company_no_longer_buying_in_the_store_retires_the_page(shop, ferrum):
    _gateway, buyer = shop
    client = _buyer_client(buyer)
    _warm(client)
    store = Store.objects.get(pk=ferrum.store.pk)
    store_companies_set(store=store, companies=store.companies.exclude(code="C-1001"))
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


# The company's page: a buyer's first view (a new session, a colleague) of a catalog page
# another buyer of the same company and persona (cart size, lists) was shown.
TOKEN_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def _browser(user) -> tuple[Client, str]:  # type: ignore[no-untyped-def]
    """A signed-in browser that has its CSRF cookie already (as after signing in)."""
    client = Client(HTTP_HOST=FERRUM, enforce_csrf_checks=True)
    client.force_login(user)
    secret = get_random_string(32)
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    return client, secret


def _colleague(code: str = "C-1001", name: str = "two"):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user(f"{name}@{code}.example", f"{name}@x.example", "x")
    Membership.objects.create(
        user=user, company=Company.objects.get(code=code), role=MemberRole.BUYER
    )
    return user


def _tokens(content: bytes) -> set[str]:
    return {_unmask_cipher_token(t.decode()) for t in TOKEN_INPUT.findall(content)}


def test_a_colleagues_first_view_is_the_companys_page_with_their_own_form_tokens(shop):
    gateway, buyer = shop
    browser, secret = _browser(buyer)
    first = _get(browser, "/catalog/BRG-1001/")
    assert first["X-Storefleet-Cache"] == "miss"
    assert _tokens(first.content) == {secret}

    colleague = _colleague()
    other_browser, other_secret = _browser(colleague)
    requests = gateway.backend.request_count()
    with CaptureQueriesContext(connection) as queries:
        shared = _get(other_browser, "/catalog/BRG-1001/")
    assert shared["X-Storefleet-Cache"] == "hit-company"
    assert gateway.backend.request_count() == requests  # no ERP request
    # The colleague's persona, read once: the user, their membership of a company buying here
    # (one query, twice: before and after the company's version), their lists and their
    # cart's size.
    assert len(queries) == 5, [q["sql"] for q in queries.captured_queries]
    assert _tokens(shared.content) == {other_secret}  # none of the renderer's secret
    assert TOKEN_INPUT.sub(b"", shared.content) == TOKEN_INPUT.sub(b"", first.content)

    with CaptureQueriesContext(connection) as queries, _cache_reads() as reads:
        again = _get(other_browser, "/catalog/BRG-1001/")  # the persona is kept now
    assert again["X-Storefleet-Cache"] == "hit-company"
    assert len(queries) == 0
    # Round trips to the cache: the stores' host map, the session, the buyer's own page and
    # persona together, the persona's versions and the company's page together, what that
    # page depends on. (A shared cache is across the network: each read is a wait.)
    assert reads == ["get", "get", "get_many", "get_many", "get_many"], reads
    assert _tokens(again.content) == {other_secret}

    # The tokens are the colleague's: their form posts pass Django's CSRF check.
    [token, *_] = TOKEN_INPUT.findall(shared.content)
    added = other_browser.post(
        "/cart/add/",
        {
            "sku": "BRG-1001",
            "quantity": "2",
            "next": "/catalog/",
            "csrfmiddlewaretoken": token.decode(),
        },
    )
    assert added.status_code == 302
    assert CartLine.objects.filter(cart__user=colleague).count() == 1
    assert CartLine.objects.filter(cart__user=buyer).count() == 0


@contextlib.contextmanager
def _cache_reads() -> Iterator[list[str]]:
    """The reads made of the default cache inside the block, in order."""
    backend = type(caches["default"])
    made: list[str] = []
    originals = {name: getattr(backend, name) for name in ("get", "get_many", "has_key")}

    inside = [0]  # the local-memory cache's get_many calls get per key: one round trip counts

    def counting(name: str):  # type: ignore[no-untyped-def]
        def read(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            if not inside[0]:
                made.append(name)
            inside[0] += 1
            try:
                return originals[name](self, *args, **kwargs)
            finally:
                inside[0] -= 1

        return read

    try:
        for name in originals:
            setattr(backend, name, counting(name))
        yield made
    finally:
        for name, original in originals.items():
            setattr(backend, name, original)


def test_the_companys_page_is_only_for_its_buyers_of_the_same_persona(shop, ferrum):
    """Walls: another company's buyer never gets it; a colleague whose cart or lists differ
    gets a page of their own; a session that no longer verifies (password changed) is
    signed out, not served."""
    _gateway, buyer = shop
    page = _get(_browser(buyer)[0], "/catalog/BRG-1001/")
    assert page["X-Storefleet-Cache"] == "miss"

    company = Company.objects.get(code="C-1004")
    company.stores.add(ferrum.store)
    other = _get(_browser(_colleague("C-1004"))[0], "/catalog/BRG-1001/")
    assert other["X-Storefleet-Cache"] == "miss"
    assert TOKEN_INPUT.sub(b"", other.content) != TOKEN_INPUT.sub(b"", page.content)

    with_cart = _colleague(name="cart")
    cart = Cart.objects.create(
        store=ferrum.store, company=Company.objects.get(code="C-1001"), user=with_cart
    )
    CartLine.objects.create(cart=cart, product=Product.objects.get(sku="BRG-1001"), quantity=2)
    own = _get(_browser(with_cart)[0], "/catalog/BRG-1001/")
    assert own["X-Storefleet-Cache"] == "miss"
    assert b'cart-link__count">1<' in own.content

    with_list = _colleague(name="list")
    SavedList.objects.create(
        store=ferrum.store,
        company=Company.objects.get(code="C-1001"),
        owner=with_list,
        name="Monthly restock",
    )
    listed = _get(_browser(with_list)[0], "/catalog/BRG-1001/")
    assert listed["X-Storefleet-Cache"] == "miss"
    assert b"Monthly restock" in listed.content

    same = _colleague(name="same")
    browser, _secret = _browser(same)
    assert _get(browser, "/catalog/BRG-1001/")["X-Storefleet-Cache"] == "hit-company"
    password_set(user=same, password="changed elsewhere")  # the reset link's form
    signed_out = _get(browser, "/catalog/BRG-1001/")
    assert signed_out.get("X-Storefleet-Cache") not in ("hit", "hit-company")
    assert b", your price" not in signed_out.content


def test_a_page_lives_as_long_as_its_prices_and_stock(shop, ferrum, settings, monkeypatch):
    """A kept page is served (no ERP call) for the whole life of the gateway's price and stock
    caches it was made of, then made again from the ERP; a price generation moving retires it
    at once. The clock is moved by hand: counts of ERP calls, not wall time."""
    settings.ERP_PRICE_TTL_SECONDS = 120
    settings.ERP_AVAILABILITY_TTL_SECONDS = 90
    settings.STOREFLEET_BUYER_PAGE_CACHE_SECONDS = None  # the gateway's TTLs decide
    gateway, buyer = shop
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])
    client = _buyer_client(buyer)
    _warm(client)
    calls = gateway.backend.request_count()

    now[0] += 85  # past the old fixed 30 s, within both TTLs
    assert _get(client)["X-Storefleet-Cache"] == "hit"
    assert gateway.backend.request_count() == calls

    now[0] += 10  # past the stock TTL (the shorter): made again, stock from the ERP
    assert _get(client).get("X-Storefleet-Cache") != "hit"
    assert gateway.backend.request_count() > calls

    _warm(client)
    calls = gateway.backend.request_count()
    gateway.invalidate_prices(store=ferrum.store.slug, customer="C-1001")
    assert _get(client).get("X-Storefleet-Cache") != "hit"
    assert gateway.backend.request_count() > calls  # the prices asked again

    # A shorter life set for the page cache wins; 0 turns it off.
    settings.STOREFLEET_BUYER_PAGE_CACHE_SECONDS = 20
    gateway.invalidate_prices(store=ferrum.store.slug, customer="C-1001")
    client = _buyer_client(buyer)  # its middleware reads the setting
    _warm(client)
    now[0] += 19
    assert _get(client)["X-Storefleet-Cache"] == "hit"
    now[0] += 2
    assert _get(client).get("X-Storefleet-Cache") not in ("hit", "hit-company")

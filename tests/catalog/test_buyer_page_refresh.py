"""A buyer's page past its life is served as it was, within the stale window, while exactly one
refresh makes it again after the response (stale-while-revalidate, brand/buyer_cache.py); past
life and window it is rendered while the buyer waits. The walls hold for stale pages as for
fresh ones, and a price the ERP moved shows once the page was made again. The clock is moved
by hand: renders and ERP calls are counted, never wall time.

This module has an ERP of its own: it moves a list price there."""

from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.utils.crypto import get_random_string

from storefleet.accounts.models import Company, MemberRole, Membership
from storefleet.brand import buyer_cache
from storefleet.brand.buyer_cache import BuyerPageCacheMiddleware

pytestmark = pytest.mark.django_db

FERRUM = "ferrum.localhost"
PAGE = "/catalog/BRG-1003/"  # Nordwerk's price for it follows the list price (× 0.88)
TOKEN_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
LIFE, WINDOW = 90, 120  # the stock TTL (the shorter), and the stale window


@pytest.fixture(scope="module")
def erp_server(fresh_erp_server):  # type: ignore[no-untyped-def]
    return fresh_erp_server


@pytest.fixture
def clock(settings, monkeypatch):  # type: ignore[no-untyped-def]
    settings.ERP_PRICE_TTL_SECONDS = 120
    settings.ERP_AVAILABILITY_TTL_SECONDS = LIFE
    settings.STOREFLEET_BUYER_PAGE_CACHE_SECONDS = None
    settings.STOREFLEET_BUYER_PAGE_STALE_SECONDS = WINDOW
    settings.STOREFLEET_BUYER_PAGE_REFRESH = "after-response"
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])
    return now


@pytest.fixture
def renders(monkeypatch):  # type: ignore[no-untyped-def]
    """How many times the buyer page cache had the page rendered (for a buyer or a refresh)."""
    made = [0]
    render = BuyerPageCacheMiddleware._render

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        made[0] += 1
        return render(self, *args, **kwargs)

    monkeypatch.setattr(BuyerPageCacheMiddleware, "_render", counted)
    return made


def _browser(user) -> tuple[Client, str]:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=FERRUM, enforce_csrf_checks=True)
    client.force_login(user)
    secret = get_random_string(32)
    client.cookies[django_settings.CSRF_COOKIE_NAME] = secret
    return client, secret


def _buyer(code: str = "C-1001", name: str = "two"):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user(f"{name}@{code}.example", f"{name}@x.example", "x")
    Membership.objects.create(
        user=user, company=Company.objects.get(code=code), role=MemberRole.BUYER
    )
    return user


def _get(client: Client, path: str = PAGE):  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200
    return response


def _tokens(content: bytes) -> set[str]:
    return {_unmask_cipher_token(t.decode()) for t in TOKEN_INPUT.findall(content)}


def _without_tokens(content: bytes) -> bytes:
    return TOKEN_INPUT.sub(b"", content)


def test_a_stale_page_is_served_and_made_again_once(shop, clock, renders):
    gateway, buyer = shop
    client, _secret = _browser(buyer)
    first = _get(client)
    assert first["X-Storefleet-Cache"] == "miss" and renders[0] == 1
    assert _get(client)["X-Storefleet-Cache"] == "hit"

    clock[0] += LIFE + 1
    calls = gateway.backend.request_count()
    stale = _get(client)
    assert stale["X-Storefleet-Cache"] == "hit-stale"
    assert stale.content == first.content
    # One refresh, after the response: the stock asked again (the prices are still fresh).
    assert renders[0] == 2
    assert gateway.backend.request_count() > calls
    calls = gateway.backend.request_count()
    for _ in range(3):
        assert _get(client)["X-Storefleet-Cache"] == "hit"
    assert renders[0] == 2 and gateway.backend.request_count() == calls

    # Past its life again, while another request (here, or another process) is refreshing it:
    # served as it was, and not made again a second time.
    clock[0] += LIFE + 1
    lock = "test:refreshing"
    buyer_cache_lock = buyer_cache._refresh_lock_key
    try:
        buyer_cache._refresh_lock_key = lambda page: lock  # type: ignore[assignment]
        from django.core.cache import cache

        assert cache.add(lock, 1, 30)
        for _ in range(3):
            assert _get(client)["X-Storefleet-Cache"] == "hit-stale"
        assert renders[0] == 2 and gateway.backend.request_count() == calls
        # A refresh already running in this process: no second one from it either.
        cache.delete(lock)
        assert buyer_cache._REFRESHERS.acquire(blocking=False)
        try:
            assert _get(client)["X-Storefleet-Cache"] == "hit-stale"
        finally:
            buyer_cache._REFRESHERS.release()
        assert renders[0] == 2
        assert cache.get(lock) is None  # the lock was not taken
        # Lock free: the next stale request has it made again, once.
        assert _get(client)["X-Storefleet-Cache"] == "hit-stale"
        assert renders[0] == 3 and gateway.backend.request_count() > calls
        assert cache.get(lock) is None  # released after the refresh
    finally:
        buyer_cache._refresh_lock_key = buyer_cache_lock  # type: ignore[assignment]
    assert _get(client)["X-Storefleet-Cache"] == "hit"


def test_a_page_past_its_hard_max_age_is_rendered_while_the_buyer_waits(shop, clock, renders):
    gateway, buyer = shop
    client, _secret = _browser(buyer)
    _get(client)
    assert _get(client)["X-Storefleet-Cache"] == "hit"
    clock[0] += LIFE + WINDOW + 1
    calls = gateway.backend.request_count()
    rendered = _get(client)
    assert rendered["X-Storefleet-Cache"] == "miss"
    assert renders[0] == 2 and gateway.backend.request_count() > calls
    assert _get(client)["X-Storefleet-Cache"] == "hit"


def test_the_stale_window_can_be_turned_off(shop, clock, renders, settings):
    settings.STOREFLEET_BUYER_PAGE_STALE_SECONDS = 0
    _gateway, buyer = shop
    client, _secret = _browser(buyer)
    _get(client)
    clock[0] += LIFE + 1
    assert _get(client)["X-Storefleet-Cache"] == "miss"
    assert renders[0] == 2


def test_moved_versions_are_never_served_stale(shop, ferrum, clock, renders):
    """Only time makes a page stale: new prices retire it at once, stale or not."""
    gateway, buyer = shop
    client, _secret = _browser(buyer)
    _get(client)
    clock[0] += LIFE + 1
    gateway.invalidate_prices(store=ferrum.store.slug, customer="C-1001")
    assert _get(client)["X-Storefleet-Cache"] == "miss"
    assert renders[0] == 2


def test_walls_hold_for_stale_pages(shop, ferrum, clock, renders):
    """Another company's buyer never gets the company's page, stale or fresh; a colleague of
    the same persona gets it stale with form tokens of their own, and the refresh it starts
    makes the page for the company again."""
    _gateway, buyer = shop
    browser, secret = _browser(buyer)
    page = _get(browser)
    assert page["X-Storefleet-Cache"] == "miss" and _tokens(page.content) == {secret}
    clock[0] += LIFE + 1

    company = Company.objects.get(code="C-1004")
    company.stores.add(ferrum.store)
    other, _other_secret = _browser(_buyer("C-1004"))
    theirs = _get(other)
    assert theirs["X-Storefleet-Cache"] == "miss"  # their own, rendered for them
    assert _without_tokens(theirs.content) != _without_tokens(page.content)

    colleague, colleague_secret = _browser(_buyer())
    rendered = renders[0]
    shared = _get(colleague)
    assert shared["X-Storefleet-Cache"] == "hit-company-stale"
    assert _tokens(shared.content) == {colleague_secret}
    assert _without_tokens(shared.content) == _without_tokens(page.content)
    assert renders[0] == rendered + 1  # the refresh, for the colleague

    third, third_secret = _browser(_buyer(name="three"))
    fresh = _get(third)
    assert fresh["X-Storefleet-Cache"] == "hit-company"
    assert _tokens(fresh.content) == {third_secret}
    assert renders[0] == rendered + 1

    anonymous = Client(HTTP_HOST=FERRUM).get(PAGE)
    assert b"Sign in for your price" in anonymous.content


def test_a_price_moved_in_the_erp_shows_once_the_page_was_made_again(
    shop, erp_server, clock, renders
):
    _gateway, buyer = shop
    client, _secret = _browser(buyer)
    before = _get(client)
    erp = erp_server.client()
    [product] = erp.search_read("product.product", [["code", "=", "BRG-1003"]], ["template"])
    [template] = erp.model("product.template", "read", [product["template"]], ["list_price"])
    price = Decimal(str(template["list_price"]))
    erp.model("product.template", "write", [product["template"]], {"list_price": price * 2})

    clock[0] += 121  # past the price TTL and the page's life, within the window
    stale = _get(client)
    assert stale["X-Storefleet-Cache"] == "hit-stale"
    assert stale.content == before.content  # what it was, for at most the window
    assert renders[0] == 2  # made again after that response
    after = _get(client)
    assert after["X-Storefleet-Cache"] == "hit"
    old = (price * Decimal("0.88")).quantize(Decimal("0.01"))
    new = (price * 2 * Decimal("0.88")).quantize(Decimal("0.01"))
    assert _price_shown(before.content) == old
    assert _price_shown(after.content) == new


def _price_shown(content: bytes) -> Decimal:
    """The buyer's unit price on the product page, as a number."""
    html = content.decode()
    found = re.search(r'product-card__price">([^<]*)<span class="product-card__unit">', html)
    assert found, html[:2000]
    digits = re.sub(r"[^\d.,]", "", found.group(1))
    return Decimal(digits.replace(",", ""))


@pytest.mark.django_db(transaction=True)
def test_in_production_the_refresh_runs_on_a_thread_in_the_stores_language(
    shop, clock, renders, settings
):
    """The thread sees only committed data (hence a transactional test) and renders with the
    store's language and zone switched on, as the request itself was."""
    settings.STOREFLEET_BUYER_PAGE_REFRESH = "thread"
    _gateway, buyer = shop
    client, _secret = _browser(buyer)
    first = _get(client)
    clock[0] += LIFE + 1
    assert _get(client)["X-Storefleet-Cache"] == "hit-stale"
    # Wait for the refresher to be done (it releases the process's refresh slot), then the
    # page is the new one.
    assert buyer_cache._REFRESHERS.acquire(timeout=120)
    buyer_cache._REFRESHERS.release()
    assert renders[0] == 2
    again = _get(client)
    assert again["X-Storefleet-Cache"] == "hit"
    assert again["Content-Language"] == first["Content-Language"]
    assert _without_tokens(again.content) == _without_tokens(first.content)

"""The buyer's home: one navigation on every buyer page (and its rule for entries that lead
nowhere yet), the dashboard after sign-in, messages where the action happened, and the
store's branded 404 and 500 pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client, RequestFactory

from storefleet import error_pages, urls
from storefleet.accounts.navigation import BUYER_NAV, NavEntry, buyer_navigation
from storefleet.ordering.models import Order, OrderStatus

from .conftest import FERRUM_HOST, HYDRA_HOST

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="buyer-nav".*?</nav>', re.S)
WITH_FAILURE = "tests.accounts.urls_with_failure"


def _nav(body: str) -> str:
    found = NAV.search(body)
    assert found is not None, "no buyer navigation on the page"
    return found.group(0)


def _order(world, store, number: str, status: str = OrderStatus.RECEIVED) -> Order:  # type: ignore[no-untyped-def]
    return Order.objects.create(
        number=number,
        store=store,
        company=world.company,
        placed_by=world.buyer,
        submit_token=number,
        status=status,
        ship_to=world.ship_to,
        currency="EUR",
        total="12.50",
    )


# ------------------------------------------------------------------ the navigation rule
def _request(path: str = "/orders/"):  # type: ignore[no-untyped-def]
    request = RequestFactory().get(path, HTTP_HOST=FERRUM_HOST)
    request.store = None
    return request


def test_an_entry_whose_url_name_does_not_resolve_is_left_out():
    entries = [
        NavEntry("orders", "Orders", "ordering:orders"),
        NavEntry("nowhere", "Nowhere", "nowhere:index"),
        NavEntry("invoices", "Invoices", "billing:invoices"),
    ]
    links = buyer_navigation(_request(), entries)
    assert [(link.key, link.href, link.current) for link in links] == [
        ("orders", "/orders/", True),
        ("invoices", "/account/invoices/", False),
    ]


def test_lists_is_shown_now_that_its_url_exists():
    links = buyer_navigation(_request("/lists/"))
    assert [link.key for link in links] == [
        "quick_order",
        "lists",
        "orders",
        "invoices",
        "account",
    ]  # no catalog: this request has no store
    assert [link.key for link in links if link.current] == ["lists"]


def test_the_longest_matching_address_is_current():
    links = buyer_navigation(_request("/account/invoices/"), BUYER_NAV)
    assert [link.key for link in links if link.current] == ["invoices"]
    links = buyer_navigation(_request("/returns/R-1/"), BUYER_NAV)
    assert [link.key for link in links if link.current] == ["orders"]


# ------------------------------------------------------------------ one row on every page
BUYER_PAGES = ["/account/", "/quick-order/", "/orders/", "/account/invoices/", "/cart/"]


def test_every_buyer_page_has_the_same_navigation(client, acme):
    client.force_login(acme.buyer)
    rows = {}
    for path in BUYER_PAGES:
        response = client.get(path, HTTP_HOST=FERRUM_HOST)
        assert response.status_code == 200, path
        rows[path] = _nav(response.content.decode())
    # The same row but for which entry is current (and the sign-out form's masked CSRF token).
    unmarked = {
        re.sub(r' aria-current="page"|name="csrfmiddlewaretoken" value="[^"]*"', "", row)
        for row in rows.values()
    }
    assert len(unmarked) == 1
    row = unmarked.pop()
    labels = re.findall(r'data-nav="(\w+)"', row)
    assert labels == ["quick_order", "lists", "orders", "invoices", "account", "cart", "sign_out"]
    assert '<form method="post" action="/account/sign-out/"' in row
    current = {
        path: re.findall(
            r'data-nav="(\w+)" aria-current="page"|data-nav="(\w+)" href="[^"]*" aria-current', row
        )
        for path, row in rows.items()
    }
    assert current["/orders/"] == [("orders", "")]
    assert current["/account/invoices/"] == [("invoices", "")]
    assert current["/account/"] == [("account", "")]
    assert current["/cart/"] == [("", "cart")]


def test_the_navigation_is_only_for_buyers_of_this_store(client, acme, globex):
    assert 'class="buyer-nav"' not in client.get("/", HTTP_HOST=FERRUM_HOST).content.decode()
    # Acme buys in Ferrum only: a session of its buyer shows no buyer row on Hydra.
    client.force_login(acme.buyer)
    assert 'class="buyer-nav"' not in client.get("/", HTTP_HOST=HYDRA_HOST).content.decode()
    assert 'class="buyer-nav"' in client.get("/", HTTP_HOST=FERRUM_HOST).content.decode()


def test_old_per_app_tab_rows_are_gone(client, acme):
    client.force_login(acme.buyer)
    for path in BUYER_PAGES:
        body = client.get(path, HTTP_HOST=FERRUM_HOST).content.decode()
        assert 'class="order-nav"' not in body, path
        assert body.count('class="buyer-nav"') == 1, path


# ------------------------------------------------------------------ the dashboard
def test_dashboard_shows_the_companys_recent_orders_and_shortcuts_only(
    client, acme, globex, ferrum
):
    _order(acme, ferrum.store, "W-ACME-1", OrderStatus.CONFIRMED)
    _order(acme, ferrum.store, "W-ACME-2")
    _order(globex, ferrum.store, "W-GLOBEX-1")
    client.force_login(acme.buyer)
    response = client.get("/account/", HTTP_HOST=FERRUM_HOST)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Your account · Ferrum Industrial Components</title>" in body
    assert "--brand-primary:" in body
    assert re.findall(r'data-order="([^"]+)" data-status="(\w+)"', body) == [
        ("W-ACME-2", "received"),
        ("W-ACME-1", "confirmed"),
    ]
    assert "W-GLOBEX-1" not in body
    assert 'action="/orders/W-ACME-2/reorder/"' in body
    assert 'data-shortcut="quick_order"' in body


def test_dashboard_says_the_erp_is_away_and_still_shows_orders(client, acme, ferrum):
    # No ERP runs for this test: the gateway finds nobody at its address.
    _order(acme, ferrum.store, "W-ACME-9")
    client.force_login(acme.admin)
    body = client.get("/account/", HTTP_HOST=FERRUM_HOST).content.decode()
    assert "We can't reach our accounting system right now" in body
    assert 'data-order="W-ACME-9"' in body


def test_dashboard_without_orders_offers_no_reorder(client, acme):
    client.force_login(acme.buyer)
    body = client.get("/account/", HTTP_HOST=FERRUM_HOST).content.decode()
    assert "No orders yet." in body
    assert 'data-shortcut="reorder"' not in body


def test_signed_out_dashboard_goes_to_sign_in(client, acme):
    response = client.get("/account/", HTTP_HOST=FERRUM_HOST)
    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/?next=/account/"


def test_dashboard_shows_saved_lists(client, acme):
    client.force_login(acme.buyer)
    body = client.get("/account/", HTTP_HOST=FERRUM_HOST).content.decode()
    assert '<a href="/lists/">Your saved lists</a>' in body
    assert 'data-nav="lists"' in _nav(body)


# ------------------------------------------------------------------ feedback where it happened
def test_a_message_is_shown_once_on_the_page_it_leads_to(client, acme):
    client.force_login(acme.admin)
    response = client.post(
        f"/account/companies/{acme.company.id}/invitations/",
        {"email": "new.person@c-acme.example", "role": "buyer"},
        HTTP_HOST=FERRUM_HOST,
        follow=True,
    )
    body = response.content.decode()
    assert body.count("Invitation sent to new.person@c-acme.example.") == 1
    later = client.get("/cart/", HTTP_HOST=FERRUM_HOST).content.decode()
    assert "Invitation sent to" not in later


# ------------------------------------------------------------------ branded errors
def _expect_branded_404(response) -> str:  # type: ignore[no-untyped-def]
    body = response.content.decode()
    assert response.status_code == 404
    assert "<title>Page not found · Ferrum Industrial Components</title>" in body
    assert "--brand-primary:" in body
    assert 'data-error="404"' in body
    assert "URLconf" not in body and "urlpatterns" not in body.lower()
    return body


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/no-such-page/", "/wrong.html", "/orders/NOPE/x/y/"])
def test_a_wrong_url_in_a_store_is_its_branded_404(client, acme, settings, debug, path):
    settings.DEBUG = debug
    client.force_login(acme.buyer)
    body = _expect_branded_404(client.get(path, HTTP_HOST=FERRUM_HOST))
    assert 'data-nav="orders"' in _nav(body)
    assert 'href="/">Go to the home page</a>' in body


def test_a_view_404_in_a_store_is_branded_also_with_debug(client, acme, settings):
    settings.DEBUG = True
    client.force_login(acme.buyer)
    _expect_branded_404(client.get("/orders/NO-SUCH-ORDER/", HTTP_HOST=FERRUM_HOST))


def test_the_platform_host_keeps_its_plain_404(client, db):
    response = client.get("/no-such-page/", HTTP_HOST="localhost")
    assert response.status_code == 404
    assert "--brand-primary" not in response.content.decode()


def test_a_500_in_a_store_renders_the_branded_500(settings, acme):
    assert urls.handler500 is error_pages.server_error
    assert urls.handler404 is error_pages.page_not_found
    settings.ROOT_URLCONF = WITH_FAILURE
    client = Client(raise_request_exception=False)
    client.force_login(acme.buyer)
    response = client.get("/boom/", HTTP_HOST=FERRUM_HOST)
    body = response.content.decode()
    assert response.status_code == 500
    assert "<title>Something went wrong · Ferrum Industrial Components</title>" in body
    assert "--brand-primary:" in body
    assert "Nothing you sent was lost" in body
    assert "a bug in a view" not in body


def test_a_500_without_a_store_is_the_plain_page(rf):
    request = rf.get("/")
    request.store = None
    response = error_pages.server_error(request)
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "--brand-primary" not in body


# ------------------------------------------------------------------ Catalog once
MENU = re.compile(r'<nav id="site-nav".*?</nav>', re.S)


def test_catalog_is_offered_once_to_a_buyer_and_in_the_menu_to_everyone_else(client, acme, ferrum):
    import json

    from storefleet.brand.models import NavigationSettings
    from storefleet.catalog.models import CatalogPage

    catalog = CatalogPage(title="Products", slug="catalog", per_page=24)
    ferrum.home.add_child(instance=catalog)
    catalog.save_revision().publish()
    navigation = NavigationSettings.for_site(ferrum.store.site)
    navigation.primary_links = json.dumps(
        [
            {"type": "link", "value": {"label": "Catalog", "page": catalog.id, "url": ""}},
            {"type": "link", "value": {"label": "About us", "page": ferrum.content.id, "url": ""}},
        ]
    )
    navigation.save()

    visitor = client.get("/", HTTP_HOST=FERRUM_HOST).content.decode()
    assert re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', MENU.search(visitor).group(0)) == [  # type: ignore[union-attr]
        ("/catalog/", "Catalog"),
        ("/about/", "About us"),
    ]

    client.force_login(acme.buyer)
    for path in ("/", "/account/", "/orders/"):
        body = client.get(path, HTTP_HOST=FERRUM_HOST).content.decode()
        menu = MENU.search(body).group(0)  # type: ignore[union-attr]
        assert re.findall(r">([^<]+)</a>", menu) == ["About us"], path
        row = re.findall(r'data-nav="(\w+)"[^>]*>([^<]+)<', _nav(body))
        assert row == [
            ("catalog", "Catalog"),
            ("quick_order", "Quick order"),
            ("lists", "Lists"),
            ("orders", "Orders"),
            ("invoices", "Invoices"),
            ("account", "Account"),
            ("cart", "Cart"),
            ("sign_out", "Sign out"),
        ], path
        assert body.count('href="/catalog/"') == 1 + (path == "/account/"), path  # + shortcut

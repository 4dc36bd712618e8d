"""Quick order's SKU suggestions and its CSV template, as a buyer's browser asks for them: only
what the buyer's store sells, at the buyer's own company's price; signed-in buyers of the store
only; hostile input answered, never a 500; and the template, as downloaded, uploads into the
cart with the ERP's verdict on each example line."""

from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import given

from storefleet.accounts.models import Company, MemberRole, Membership
from storefleet.catalog.models import CatalogPage, Product
from storefleet.catalog.offers import smallest_order_quantity
from storefleet.catalog.selectors import store_sells
from storefleet.ordering.models import CartLine
from storefleet.ordering.quick_order import MAX_SUGGESTIONS, parse_csv
from tests.catalog.factories import assortment_publish
from tests.erp.conftest import erp_away
from tests.hostile.harness import check_response, hostile
from tests.hostile.strategies import hostile_text

from .conftest import HOST

pytestmark = pytest.mark.django_db

SUGGEST = "/quick-order/suggestions/"


def as_buyer(client, shop, code):
    client.force_login(shop.buyers[code])
    return client


def suggest(client, query, **extra):
    return client.get(SUGGEST, {"q": query}, HTTP_HOST=HOST, **extra)


def skus(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [s["sku"] for s in response.json()["suggestions"]]


def test_a_partial_sku_suggests_the_stores_products_starting_with_it_first(client, shop):
    c = as_buyer(client, shop, "C-1004")
    sold = sorted(
        Product.objects.filter(sku__istartswith="FAS-", active=True, salable=True).values_list(
            "sku", flat=True
        )
    )
    assert len(sold) >= 3
    assert skus(suggest(c, "fas-10")) == sold[:MAX_SUGGESTIONS]
    # A name matches too; SKUs starting with the text come before names merely holding it.
    bearing = Product.objects.get(sku="BRG-1002")
    word = bearing.name.split()[0]
    found = skus(suggest(c, word))
    assert "BRG-1002" in found and len(found) <= MAX_SUGGESTIONS


def test_each_company_sees_its_own_price_and_never_anothers(client, shop):
    contract = suggest(as_buyer(client, shop, "C-1004"), "BRG-1002").json()["suggestions"]
    assert contract == [
        {
            "sku": "BRG-1002",
            "name": Product.objects.get(sku="BRG-1002").name,
            "unit": "Unit",
            "price": "€767.70 / 100 Unit",
            "availability": "In stock",
        }
    ]
    client.logout()
    listed = suggest(as_buyer(client, shop, "C-1001"), "BRG-1002").json()["suggestions"]
    assert [s["sku"] for s in listed] == ["BRG-1002"]
    assert listed[0]["price"] and listed[0]["price"] != contract[0]["price"]
    assert "767.70" not in str(listed)


def test_only_the_stores_assortment_is_suggested(client, shop):
    fasteners = Product.objects.get(sku="FAS-1003").category
    assert fasteners is not None and Product.objects.get(sku="BRG-1002").category != fasteners
    assortment_publish(
        CatalogPage.objects.get(slug="catalog"), categories=[fasteners.name], skus="HYD-1001"
    )
    c = as_buyer(client, shop, "C-1004")
    assert skus(suggest(c, "BRG-10")) == []
    assert skus(suggest(c, "HYD-100")) == ["HYD-1001"]
    assert "FAS-1003" in skus(suggest(c, "FAS-100"))
    # What the store doesn't sell can't be added by typing its SKU either.
    c.post("/cart/add/", {"sku": "BRG-1002", "quantity": "1"}, HTTP_HOST=HOST)
    assert CartLine.objects.count() == 0


def test_only_signed_in_buyers_of_the_store_get_suggestions(client, shop):
    anonymous = suggest(client, "FAS")
    assert (anonymous.status_code, anonymous.json()) == (403, {"error": "Sign in to see products."})
    stranger = get_user_model().objects.create_user("s@x.example", "s@x.example", "x")
    client.force_login(stranger)
    assert suggest(client, "FAS").status_code == 404
    # A company that doesn't buy in this store: its buyer gets nothing either.
    outside = Company.objects.exclude(stores__id=shop.store.id).first()
    assert outside is not None
    other = get_user_model().objects.create_user("o@x.example", "o@x.example", "x")
    Membership.objects.create(user=other, company=outside, role=MemberRole.BUYER)
    client.force_login(other)
    refused = suggest(client, "FAS")
    assert refused.status_code == 404 and "FAS" not in refused.content.decode()
    # On a host that is no store at all, nothing either.
    client.force_login(shop.buyers["C-1004"])
    assert client.get(SUGGEST, {"q": "FAS"}, HTTP_HOST="nowhere.localhost").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", []),
        ("F", []),  # too short to be worth a list
        ("   ", []),
        ("' OR 1=1 --", []),
        ("FAS%", []),  # a LIKE wildcard is a character like any other
        ("_A_-", []),
        ("\x00\x01FAS-1003\x7f", ["FAS-1003"]),  # control characters are dropped
        ("\u202efas-1003\u200b", ["FAS-1003"]),
        ("\uff26\uff21\uff33\uff0d\uff11\uff10\uff10\uff13", ["FAS-1003"]),  # full width
        ("💥🔩", []),
        ("Grün 日本", []),
    ],
)
def test_hostile_queries_get_an_answer_never_an_error(client, shop, query, expected):
    assert skus(suggest(as_buyer(client, shop, "C-1004"), query)) == expected


@hostile
@given(query=hostile_text())
def test_any_text_gets_suggestions_or_a_refusal_only_of_the_store(client, shop, settings, query):
    settings.QUICK_ORDER_SUGGESTIONS_PER_MINUTE = 1_000_000  # the limit has its own test
    response = suggest(as_buyer(client, shop, "C-1004"), query)
    check_response(response, allowed=(200, 400))
    body = response.json()
    assert set(body) == (
        {"query", "suggestions"} if response.status_code == 200 else {"error", "suggestions"}
    )
    assert len(body["suggestions"]) <= MAX_SUGGESTIONS
    found = {s["sku"] for s in body["suggestions"]}
    assert store_sells(store=shop.store, skus=found) == found
    assert CartLine.objects.count() == 0


def test_lookups_past_the_limit_are_refused_with_when_to_type_again(
    client, shop, settings, monkeypatch
):
    """Per buyer and minute, across their sessions; refused look-ups ask the ERP nothing and
    are not counted, and the next minute answers again. The clock is moved by hand."""
    settings.QUICK_ORDER_SUGGESTIONS_PER_MINUTE = 3
    now = [1_800_000_000.0 + 50]  # 10 s before a minute ends
    monkeypatch.setattr(time, "time", lambda: now[0])
    first = as_buyer(client, shop, "C-1004")
    for query in ("FAS", "FAS-1", "FAS-10"):
        assert skus(suggest(first, query))
    calls = shop.gateway.backend.request_count()
    second = as_buyer(Client(), shop, "C-1004")  # another session of the same buyer
    refused = suggest(second, "FAS-100")
    assert refused.status_code == 429 and refused["Retry-After"] == "10"
    assert refused.json() == {
        "error": "Too many look-ups in a short time: wait 10 seconds, then type again (or "
        "paste your SKUs and quantities below).",
        "suggestions": [],
    }
    assert shop.gateway.backend.request_count() == calls
    # Another buyer of the store is not held back by this one.
    assert skus(suggest(as_buyer(Client(), shop, "C-1001"), "FAS-100"))
    now[0] += 10
    assert skus(suggest(second, "FAS-1003")) == ["FAS-1003"]


def test_a_query_longer_than_a_sku_is_refused_with_what_to_do(client, shop):
    c = as_buyer(client, shop, "C-1004")
    response = suggest(c, "A" * 65)
    assert (response.status_code, response.json()) == (
        400,
        {"error": "Type at most 64 characters of a SKU or product name.", "suggestions": []},
    )
    huge = suggest(c, "FAS" * 100_000)
    assert huge.status_code == 400
    assert suggest(c, "A" * 64).status_code == 200


def test_broken_encodings_and_repeated_parameters_are_answered(client, shop):
    c = as_buyer(client, shop, "C-1004")
    for raw in ("q=%ED%A0%80", "q=%FF%FE", "q=FAS-1003&q=%00", "q[]=x", "q=%25%25%25"):
        response = c.get(f"{SUGGEST}?{raw}", HTTP_HOST=HOST)
        assert response.status_code == 200, raw
        assert response.json()["suggestions"] == []
    assert c.post(SUGGEST, {"q": "FAS"}, HTTP_HOST=HOST).status_code == 405


def test_a_keystroke_costs_one_erp_batch_at_most_and_a_repeat_none(
    client, shop, django_assert_max_num_queries
):
    c = as_buyer(client, shop, "C-1004")
    backend = shop.gateway.backend
    calls = backend.request_count()
    assert len(skus(suggest(c, "TOL-10"))) >= 2
    # As a catalog page: one price request per distinct order quantity among the suggestions
    # (Tryton prices one quantity per call), one stock request; never one per product.
    assert 2 <= backend.request_count() - calls <= 6
    calls = backend.request_count()
    with django_assert_max_num_queries(12):
        again = suggest(c, "TOL-10")
    assert skus(again) and backend.request_count() == calls  # the gateway's cache answered


def test_while_the_erp_is_away_products_are_still_suggested_without_a_price(client, shop):
    c = as_buyer(client, shop, "C-1004")
    with erp_away():
        response = suggest(c, "HYD-100")
    found = response.json()["suggestions"]
    assert response.status_code == 200 and [s["sku"] for s in found][:1] == ["HYD-1001"]
    assert {(s["price"], s["availability"]) for s in found} == {("", "")}


def test_suggestions_are_never_cached_by_a_browser_or_a_proxy(client, shop):
    response = suggest(as_buyer(client, shop, "C-1004"), "FAS-1003")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_quick_order_page_ships_its_script_as_a_file_and_works_without_it(client, shop):
    c = as_buyer(client, shop, "C-1004")
    body = c.get("/quick-order/", HTTP_HOST=HOST).content.decode()
    scripts = re.findall(r"<script(?P<attrs>[^>]*)>(?P<code>.*?)</script>", body, re.S)
    assert any("ordering/quick_order.js" in attrs for attrs, _ in scripts)
    assert all("src=" in attrs and not code.strip() for attrs, code in scripts)
    assert not re.search(r"\son[a-z]+=", body)
    field = re.search(r"<input[^>]*id=\"quick-add-sku\"[^>]*>", body, re.S)
    assert field is not None
    for attr in (
        'role="combobox"',
        'aria-expanded="false"',
        'aria-controls="quick-add-options"',
        'aria-autocomplete="list"',
        'name="sku"',
        f'data-suggest-url="{SUGGEST}"',
    ):
        assert attr in field.group(0), attr
    assert 'id="quick-add-options" class="combobox__options" role="listbox"' in body
    # The one-product form posts without any script, finds a SKU typed in lower case as the
    # lines box does, and comes back to quick order with what happened.
    one = {"form": "one", "sku": " brg-1002 ", "quantity": "4"}
    response = c.post("/quick-order/", one, HTTP_HOST=HOST)
    assert response["Location"] == "/quick-order/"
    page = c.get("/quick-order/", HTTP_HOST=HOST).content.decode()
    assert "Added 4 Unit of BRG-1002 to your cart." in page
    assert list(CartLine.objects.values_list("product__sku", "quantity")) == [
        ("BRG-1002", Decimal(4))
    ]


@pytest.mark.parametrize(
    ("sku", "quantity", "message"),
    [
        ("", "4", "Choose a product (its SKU is missing)."),
        ("BRG-1002", "-1", "The quantity must be more than 0."),
        ("BRG-1002", "", "Enter a quantity of more than 0, such as 10 or 2.5."),
        ("NOPE-1", "4", "We don&#x27;t sell the SKU “NOPE-1” in this store."),
        ("A" * 65, "4", "is too long for a SKU (at most 64 characters)"),
        ("BRG\x00-1002", "4", "That SKU has invisible characters in it"),
    ],
)
def test_the_one_product_form_refuses_with_what_to_do_and_adds_nothing(
    client, shop, sku, quantity, message
):
    c = as_buyer(client, shop, "C-1004")
    one = {"form": "one", "sku": sku, "quantity": quantity}
    response = c.post("/quick-order/", one, HTTP_HOST=HOST)
    assert response["Location"] == "/quick-order/"
    page = c.get("/quick-order/", HTTP_HOST=HOST).content.decode()
    assert message in page and "message--error" in page
    assert CartLine.objects.count() == 0


# ------------------------------------------------------------------ the CSV template
def test_the_upload_field_links_both_templates_with_the_limits(client, shop):
    body = as_buyer(client, shop, "C-1004").get("/quick-order/", HTTP_HOST=HOST)
    text = body.content.decode()
    assert 'href="/quick-order/template-csv.csv"' in text
    assert 'href="/quick-order/template-excel.csv"' in text
    assert "at most 500 rows and 1 MB" in text


@pytest.mark.parametrize(
    ("variant", "bom", "sep"), [("csv", b"", b","), ("excel", b"\xef\xbb\xbf", b";")]
)
def test_the_downloaded_template_uploads_into_the_cart_as_it_is(client, shop, variant, bom, sep):
    c = as_buyer(client, shop, "C-1004")
    response = c.get(f"/quick-order/template-{variant}.csv", HTTP_HOST=HOST)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == (
        f'attachment; filename="quick-order-template{"-excel" if variant == "excel" else ""}.csv"'
    )
    data = response.content
    rows = parse_csv(data)
    assert [(r.row, r.ok) for r in rows] == [(2, True), (3, True)]
    first, second = (Product.objects.get(sku=r.sku) for r in rows)
    assert first.sku < second.sku
    expected = [["sku", "quantity"]] + [
        [p.sku, f"{smallest_order_quantity(p).normalize():f}"] for p in (first, second)
    ]
    assert data == bom + b"".join(sep.join(c.encode() for c in r) + b"\r\n" for r in expected)
    # BRG-1001 comes first in SKU order but is out of stock: the examples can be ordered now.
    assert first.sku != "BRG-1001"
    upload = SimpleUploadedFile("quick-order-template.csv", data, "text/csv")
    added = c.post("/quick-order/", {"csv": upload}, HTTP_HOST=HOST)
    assert (added.status_code, added["Location"]) == (302, "/cart/")
    assert sorted(CartLine.objects.values_list("product__sku", flat=True)) == [
        first.sku,
        second.sku,
    ]
    cart = c.get("/cart/", HTTP_HOST=HOST).content.decode()
    assert cart.count("✓ Can be ordered") == 2


def test_the_template_follows_the_stores_assortment_and_is_for_its_buyers_only(client, shop):
    fasteners = Product.objects.get(sku="FAS-1003").category
    assert fasteners is not None
    assortment_publish(CatalogPage.objects.get(slug="catalog"), categories=[fasteners.name])
    anonymous = client.get("/quick-order/template-csv.csv", HTTP_HOST=HOST)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/account/sign-in/")
    c = as_buyer(client, shop, "C-1004")
    rows = parse_csv(c.get("/quick-order/template-csv.csv", HTTP_HOST=HOST).content)
    assert len(rows) == 2
    assert all(Product.objects.get(sku=r.sku).category == fasteners for r in rows)
    assert c.get("/quick-order/template-xlsx.csv", HTTP_HOST=HOST).status_code == 404

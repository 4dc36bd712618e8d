"""The catalog list as a buyer narrows it down: filters by category and by the attributes the
catalog mirrors from the ERP (unit, order step) with counts, combinable, in the URL and removable
one by one; sorts; a list view; pages that keep all of it. Whatever the URL says, an answer:
what the list doesn't know is ignored."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from storefleet.catalog.listing import LISTING_PARAMETERS
from storefleet.catalog.models import AnonymousPrices, CatalogPage, Category
from storefleet.catalog.services import products_upsert
from storefleet.erp.types import ProductRecord
from storefleet.money import Money
from storefleet.tenants.models import Store
from storefleet.tenants.services import store_host_map_invalidate
from tests.catalog.factories import (
    WRITTEN,
    assortment_publish,
    catalog_page_make,
    story_publish,
)
from tests.hostile.harness import check_response, hostile
from tests.hostile.strategies import hostile_id, hostile_text

pytestmark = pytest.mark.django_db

FERRUM = "ferrum.localhost"

# SKU, name, category, unit, step, list price
PRODUCTS = [
    ("CAB-0001", "Cable red", "Electrical", "Meter", "50", "1.20"),
    ("CAB-0002", "Cable blue", "Electrical", "Meter", None, "0.80"),
    ("CAB-0003", "Anchor cable", "Electrical", "Unit", None, "9.00"),
    ("FAS-0001", "Washer", "Fasteners", "Unit", "100", "0.05"),
    ("FAS-0002", "Bolt", "Fasteners", "Unit", "100", "0.30"),
    ("FAS-0003", "Zinc rod", "Fasteners", "Kilogram", None, "4.50"),
    ("TOL-0001", "Wrench", "Tools", "Unit", None, "12.00"),
]


def _make(products=PRODUCTS) -> None:  # type: ignore[no-untyped-def]
    products_upsert(
        records=[
            ProductRecord(
                erp_id=number,
                sku=sku,
                name=name,
                unit=unit,
                salable=True,
                active=True,
                min_quantity=None,
                multiple=Decimal(step) if step else None,
                categories=(category,),
                list_price=Money(Decimal(price), "EUR"),
                erp_write_date=WRITTEN,
            )
            for number, (sku, name, category, unit, step, price) in enumerate(products, 1)
        ]
    )


@pytest.fixture
def listed(catalog) -> CatalogPage:
    _make()
    return catalog


def _get(client: Client, path: str):  # type: ignore[no-untyped-def]
    response = client.get(path, HTTP_HOST=FERRUM)
    assert response.status_code == 200, path
    return response


def _body(client: Client, path: str) -> str:
    return _get(client, path).content.decode()


def _skus(body: str) -> list[str]:
    return re.findall(r'data-sku="([^"]+)"', body)


def _facet(body: str, param: str) -> dict[str, tuple[int, bool, str]]:
    """A filter's values as the page shows them: label → (count, chosen, link)."""
    block = re.search(rf'data-facet="{param}">(.*?)</nav>', body, re.S)
    assert block is not None, param
    return {
        label: (int(count), bool(current), unescape(href))
        for href, current, label, count in re.findall(
            r'<a href="([^"]+)" data-value="[^"]*"( aria-current="true")?>'
            r'<span class="facet__box" aria-hidden="true"></span>'
            r'<span class="facet__label">([^<]+)</span> <span class="facet__count">(\d+)</span>',
            block.group(1),
        )
    }


def _chosen(body: str) -> dict[str, str]:
    """The filters in use: label → the link that removes it."""
    return {
        label.strip(): unescape(href)
        for href, label in re.findall(r'<a class="filter-chip" href="([^"]+)">([^<]+)<', body)
    }


def test_filters_by_category_and_attributes_with_counts_combined_and_removed(client, listed):
    body = _body(client, "/catalog/")
    categories = _facet(body, "category")
    assert {k: v[:2] for k, v in categories.items()} == {
        "Electrical": (3, False),
        "Fasteners": (3, False),
        "Tools": (1, False),
    }
    assert {k: v[0] for k, v in _facet(body, "unit").items()} == {
        "Kilogram": 1,
        "Meter": 2,
        "Unit": 4,
    }
    assert {k: v[0] for k, v in _facet(body, "step").items()} == {"50": 1, "100": 2}

    # A category, then a unit: both apply, and each filter's counts follow the other's.
    electrical = _body(client, f"/catalog/{categories['Electrical'][2]}")
    assert _skus(electrical) == ["CAB-0001", "CAB-0002", "CAB-0003"]
    assert "3 products in Electrical" in electrical
    assert {k: v[0] for k, v in _facet(electrical, "unit").items()} == {"Meter": 2, "Unit": 1}
    # The category filter counts what the other filters leave, in every category.
    assert _facet(electrical, "category")["Fasteners"][0] == 3
    link = _facet(electrical, "unit")["Meter"][2]
    electrical_id = Category.objects.get(name="Electrical").pk
    assert link == f"?category={electrical_id}&unit=Meter"  # bookmarkable as it is
    metres = _body(client, f"/catalog/{link}")
    assert _skus(metres) == ["CAB-0001", "CAB-0002"]
    assert _facet(metres, "unit")["Meter"][1] and _facet(metres, "category")["Electrical"][1]
    assert "Fasteners" not in _facet(metres, "category")  # no metre of fasteners

    # Two values of one filter: either matches.
    both = _body(client, "/catalog/?unit=Meter&unit=Kilogram")
    assert _skus(both) == ["CAB-0001", "CAB-0002", "FAS-0003"]
    # The order step: a decimal in the database, a plain number in the URL.
    hundreds = _body(client, f"/catalog/{_facet(body, 'step')['100'][2]}")
    assert _skus(hundreds) == ["FAS-0001", "FAS-0002"]
    assert set(_chosen(hundreds)) == {"Sold in steps of: 100"}

    # Removed one by one: the category goes, the unit stays; then all at once.
    chosen = _chosen(metres)
    assert set(chosen) == {"Category: Electrical", "Unit: Meter"}
    only_unit = _body(client, f"/catalog/{chosen['Category: Electrical']}")
    assert _skus(only_unit) == ["CAB-0001", "CAB-0002"]
    assert set(_chosen(only_unit)) == {"Unit: Meter"}
    assert 'href="?">Clear all filters' in only_unit
    # Choosing a chosen value again takes it away.
    assert _facet(only_unit, "unit")["Meter"][2] == "?"


def test_sorts_by_name_sku_and_list_price_where_the_store_shows_list_prices(client, listed):
    assert _skus(_body(client, "/catalog/?sort=name"))[:3] == ["CAB-0003", "FAS-0002", "CAB-0002"]
    assert _skus(_body(client, "/catalog/?sort=sku")) == sorted(p[0] for p in PRODUCTS)
    # Visitors see no price here ("sign in for your price"): no price sort, the SKU order.
    body = _body(client, "/catalog/?sort=price")
    assert _skus(body) == sorted(p[0] for p in PRODUCTS)
    assert 'value="price"' not in body and 'value="availability"' not in body
    page = CatalogPage.objects.get(pk=listed.pk)
    page.anonymous_prices = AnonymousPrices.LIST_PRICE
    page.save_revision().publish()
    cheapest = _skus(_body(client, "/catalog/?sort=price"))
    assert cheapest == [p[0] for p in sorted(PRODUCTS, key=lambda p: Decimal(p[5]))]
    assert _skus(_body(client, "/catalog/?sort=-price")) == cheapest[::-1]


def test_list_view_pages_keep_filters_sort_and_view(client, listed):
    page = CatalogPage.objects.get(pk=listed.pk)
    page.per_page = 2
    page.save_revision().publish()
    body = _body(client, "/catalog/?unit=Unit&sort=name&view=list")
    assert '<table class="product-table">' in body and "product-grid" not in body
    assert _skus(body) == ["CAB-0003", "FAS-0002"]
    assert "Page 1 of 2" in body
    next_link = unescape(re.search(r'rel="next" href="([^"]+)"', body).group(1))  # type: ignore[union-attr]
    assert next_link == "?unit=Unit&sort=name&view=list&page=2"
    second = _body(client, f"/catalog/{next_link}")
    assert _skus(second) == ["FAS-0001", "TOL-0001"]
    # The sort form and the search keep the rest; the grid switch keeps the page.
    assert '<input type="hidden" name="unit" value="Unit">' in second
    assert 'href="?unit=Unit&amp;sort=name&amp;page=2" data-view="grid"' in second
    grid = _body(client, "/catalog/?unit=Unit&sort=name&page=2")
    assert 'class="product-grid"' in grid and _skus(grid) == ["FAS-0001", "TOL-0001"]


@pytest.mark.parametrize(
    "query",
    [
        "sort=price%3B%20DROP%20TABLE",
        "sort=__class__",
        "sort=name&sort=nope",
        "unit=%00&unit=Meter%27--&category=1%20OR%201%3D1&step=1e999",
        "category=-1&category=99999999999999999999999999&category=%E2%91%A0",
        "step=NaN&step=Infinity&step=" + "9" * 5000,
        "page=99999999999999999999999999999999",
        "page=-5",
        "page=1e400",
        "page=%C2%B2",
        "view=table&view=%3Cscript%3E",
        "q=" + "%00" * 10 + "&color=red&size[]=x",
        "unit=" + "&unit=".join(["Meter"] * 100),
    ],
)
def test_hostile_parameters_get_a_list_and_are_ignored(client, listed, query):
    response = _get(client, f"/catalog/?{query}")
    body = response.content.decode()
    assert "<script>" not in body
    assert len(_skus(body)) >= 1  # never an empty page for junk
    # Asked again, the same answer (from the anonymous page cache, keyed on what it read).
    assert _skus(_body(client, f"/catalog/?{query}")) == _skus(body)


def test_unknown_filter_values_are_ignored_and_known_ones_kept(client, listed):
    body = _body(client, "/catalog/?unit=Parsec&unit=Meter&step=7&category=abc")
    assert _skus(body) == ["CAB-0001", "CAB-0002"]
    assert set(_chosen(body)) == {"Unit: Meter"}
    assert _get(client, "/catalog/?page=99999").content.decode().count("data-sku=") == 7


def test_the_page_cache_keeps_each_filtered_sorted_view_apart(client, listed):
    paths = ["/catalog/", "/catalog/?unit=Meter", "/catalog/?unit=Meter&view=list"]
    paths.append("/catalog/?sort=name")
    for path in paths:
        assert _get(client, path)["X-Storefleet-Cache"] == "miss"
    for path, expected in zip(
        paths,
        [
            sorted(p[0] for p in PRODUCTS),
            ["CAB-0001", "CAB-0002"],
            ["CAB-0001", "CAB-0002"],
            ["CAB-0003", "FAS-0002", "CAB-0002", "CAB-0001", "FAS-0001", "TOL-0001", "FAS-0003"],
        ],
        strict=True,
    ):
        response = _get(client, path)
        assert response["X-Storefleet-Cache"] == "hit", path
        assert _skus(response.content.decode()) == expected
    assert "product-table" in _body(client, paths[2]) and "product-table" not in _body(
        client, paths[1]
    )


def test_only_the_stores_assortment_is_listed_and_filterable(client, listed, hydra):
    assortment_publish(listed, categories=["Fasteners"], skus="TOL-0001")
    hydra_page = catalog_page_make(hydra.home)
    assortment_publish(hydra_page, categories=["Electrical"])
    ferrum = _body(client, "/catalog/")
    assert _skus(ferrum) == ["FAS-0001", "FAS-0002", "FAS-0003", "TOL-0001"]
    assert set(_facet(ferrum, "category")) == {"Fasteners", "Tools"}
    assert set(_facet(ferrum, "unit")) == {"Unit", "Kilogram"}  # no cable sold here
    electrical = Category.objects.get(name="Electrical").pk
    filtered = _body(client, f"/catalog/?category={electrical}&unit=Meter")
    assert _skus(filtered) == _skus(ferrum) and not _chosen(filtered)
    other = client.get("/catalog/?unit=Meter", HTTP_HOST="hydra.localhost").content.decode()
    assert _skus(other) == ["CAB-0001", "CAB-0002"]
    assert set(_facet(other, "category")) == {"Electrical"}


def _img(body: str, css_class: str) -> list[dict[str, str]]:
    return [
        dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        for tag in re.findall(rf'<img class="{css_class}[^"]*"[^>]*>', body)
    ]


def test_product_images_from_the_story_and_a_placeholder_otherwise(client, listed, ferrum):
    story_publish(listed, "FAS-0002", "Our bolt", image=ferrum.image.pk)
    grid = _body(client, "/catalog/?category=" + str(Category.objects.get(name="Fasteners").pk))
    images = {unescape(i["alt"]): i for i in _img(grid, "product-card__image")}
    assert set(images) == {"Washer", "Bolt", "Zinc rod"}
    bolt, washer = images["Bolt"], images["Washer"]
    assert "/images/ferrum" in bolt["src"] and "fill-480x360" in bolt["src"]
    # The rendition's own size (a small image is not blown up), in the card's 4:3.
    assert int(bolt["width"]) * 3 == int(bolt["height"]) * 4 and bolt["loading"] == "lazy"
    assert "data-placeholder" not in grid.split('alt="Bolt"')[1].split(">")[0]
    assert washer["src"].endswith("catalog/product-placeholder.svg")
    assert (washer["width"], washer["height"], washer["loading"]) == ("480", "360", "lazy")

    rows = {unescape(i["alt"]): i for i in _img(_body(client, "/catalog/?view=list"), "product")}
    assert "fill-96x96" in rows["Bolt"]["src"] and rows["Bolt"]["loading"] == "lazy"
    assert rows["Wrench"]["src"].endswith(".svg") and rows["Wrench"]["width"] == "96"

    page = _body(client, "/catalog/FAS-0002/")
    [main] = _img(page, "product-detail__image")
    assert "max-640x480" in main["src"] and main["alt"] == "Bolt" and main["loading"] == "lazy"
    assert int(main["width"]) <= 640 and int(main["height"]) <= 480
    [other] = _img(_body(client, "/catalog/FAS-0001/"), "product-detail__image")
    assert other["src"].endswith(".svg") and (other["width"], other["height"]) == ("640", "480")


@hostile
@given(
    params=st.lists(
        st.tuples(
            st.sampled_from(sorted(LISTING_PARAMETERS)),
            st.one_of(
                hostile_text(max_size=80), hostile_id(), st.sampled_from(["Meter", "-price"])
            ),
        ),
        max_size=8,
    )
)
def test_any_listing_parameters_get_a_list(client, listed, params):
    """Every parameter the list reads, repeated, with any value: a page, never an error."""
    response = client.get("/catalog/", params, HTTP_HOST=FERRUM)  # type: ignore[arg-type]
    check_response(response, allowed=(200,))
    shown = _skus(response.content.decode())
    # Words may find nothing; nothing else empties the list: what isn't known is ignored.
    assert len(shown) <= len(PRODUCTS)
    assert shown or any(name == "q" for name, _value in params)


def test_a_german_store_names_the_unit_filters_in_german(client, listed, ferrum):
    """The ERP's unit names are the filter's values; a German store shows them in German, as
    its prices do ("Stück"), and filters by the ERP's name all the same."""
    Store.objects.filter(pk=ferrum.store.pk).update(default_language="de")
    store_host_map_invalidate()
    units = _facet(_body(client, "/catalog/"), "unit")
    assert {"Stück", "Kilogramm"} <= set(units) and not {"Unit", "Kilogram"} & set(units)
    filtered = _body(client, "/catalog/?unit=Unit")
    assert _chosen(filtered).keys() == {"Einheit: Stück"}
    assert units["Stück"][1] is False and _facet(filtered, "unit")["Stück"][1] is True

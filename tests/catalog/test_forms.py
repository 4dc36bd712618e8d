"""The catalog page's admin form checks every SKU it is given against the mirrored catalog:
product stories (one per SKU) and the assortment's extra SKUs. A mistake is a message on the
field that says what to fix, and nothing is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from storefleet.catalog.models import CatalogPage, Category, ProductStory, Sells
from tests.catalog.factories import catalog_form_data, products_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, ferrum, catalog):
    products_make(2)
    products_make(1, start=80, category="Tools", prefix="TOL")
    client.force_login(ferrum.editor)
    return client


def _post(client, page: CatalogPage, data):  # type: ignore[no-untyped-def]
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    return client.post(url, data, HTTP_HOST="localhost")


def test_a_story_is_saved_under_the_sku_as_the_catalog_spells_it(editor, catalog):
    response = _post(editor, catalog, catalog_form_data(stories=[(" fas-0001 ", "Strong bolt")]))
    assert response.status_code == 302
    [story] = ProductStory.objects.filter(page=catalog)
    assert story.sku == "FAS-0001"
    assert [
        (block.block_type, block.value.source.endswith(">Strong bolt</p>")) for block in story.body
    ] == [("rich_text", True)]


def test_an_unknown_sku_is_a_form_error_and_nothing_is_saved(editor, catalog):
    revisions = catalog.revisions.count()
    response = _post(editor, catalog, catalog_form_data(stories=[("FAS-9999", "Ghost")]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is no product with the SKU “FAS-9999” in the catalog" in body
    assert not ProductStory.objects.exists()
    assert catalog.revisions.count() == revisions


def test_a_second_story_for_the_same_sku_is_a_form_error(editor, catalog):
    data = catalog_form_data(stories=[("FAS-0001", "One"), ("fas-0001", "Two")])
    response = _post(editor, catalog, data)
    assert response.status_code == 200
    assert "FAS-0001 has a story on this page already: one story per product" in (
        response.content.decode()
    )
    assert not ProductStory.objects.exists()


def test_a_draft_is_checked_too(editor, catalog):
    response = _post(editor, catalog, catalog_form_data(stories=[("X-1", "?")], publish=False))
    assert response.status_code == 200
    assert "no product with the SKU “X-1”" in response.content.decode()


def test_an_assortment_is_saved_with_its_skus_as_the_catalog_spells_them(editor, catalog):
    tools = Category.objects.get(name="Tools").pk
    data = catalog_form_data(
        sells="assortment", categories=[tools], extra_skus="fas-0002, FAS-0001"
    )
    assert _post(editor, catalog, data).status_code == 302
    page = CatalogPage.objects.get(pk=catalog.pk)
    assert page.sells == Sells.ASSORTMENT
    assert list(page.categories.values_list("name", flat=True)) == ["Tools"]
    assert page.extra_skus == "FAS-0002\nFAS-0001"


def test_unknown_extra_skus_are_named_in_the_error(editor, catalog):
    data = catalog_form_data(sells="assortment", extra_skus="FAS-0001\nNOPE-1\nNOPE-2")
    response = _post(editor, catalog, data)
    assert response.status_code == 200
    assert "Not in the catalog: NOPE-1, NOPE-2." in response.content.decode()
    assert CatalogPage.objects.get(pk=catalog.pk).sells == Sells.EVERYTHING


def test_an_assortment_of_nothing_is_refused(editor, catalog):
    response = _post(editor, catalog, catalog_form_data(sells="assortment"))
    assert response.status_code == 200
    assert "Choose the categories this store sells, or enter SKUs below" in (
        response.content.decode()
    )
    assert CatalogPage.objects.get(pk=catalog.pk).sells == Sells.EVERYTHING

"""The catalog page's admin form checks every SKU it is given against the mirrored catalog: the
assortment's extra SKUs. A mistake is a message on the field that says what to fix, and nothing
is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from storefleet.catalog.models import CatalogPage, Category, Sells
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

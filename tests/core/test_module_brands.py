"""The brands built once for a module (tests/conftest.py: ``module_ferrum``, ``module_hydra``;
tests/module_world.py): every test of this module takes ``ferrum``, so they share one store;
what a test changes or deletes is rolled back before the next, and each test reads its own
instances. The tests run in this order (one module stays on one pytest-xdist worker)."""

from __future__ import annotations

import pytest
from wagtail.models import Page

from storefleet.tenants.models import Store

pytestmark = pytest.mark.django_db

SEEN: dict[str, object] = {}


def test_the_first_test_changes_and_deletes_what_it_was_given(ferrum):
    SEEN["store"], SEEN["landing"] = ferrum.store.pk, ferrum.landing.pk
    # Ids rolled back may come again on SQLite: the moment the editor joined tells builds apart.
    SEEN["joined"] = ferrum.editor.date_joined
    Store.objects.filter(pk=ferrum.store.pk).update(name="Changed by the first test")
    ferrum.store.name = "changed in memory"
    ferrum.landing.delete()
    assert not Page.objects.filter(pk=SEEN["landing"]).exists()


def test_the_next_test_gets_the_same_brand_as_it_was_built(ferrum):
    assert ferrum.store.pk == SEEN["store"], "the module's brand was built again"
    assert ferrum.editor.date_joined == SEEN["joined"], "the module's brand was built again"
    assert ferrum.store.name == "Ferrum Industrial Components"
    assert Store.objects.get(pk=ferrum.store.pk).name == "Ferrum Industrial Components"
    assert ferrum.landing.pk == SEEN["landing"]
    assert Page.objects.filter(pk=SEEN["landing"]).exists()


def test_hydra_is_built_for_each_test_where_not_every_test_takes_it(hydra, ferrum):
    # Not every test of this module takes hydra: it is this test's own, built here.
    assert Store.objects.filter(slug="hydra").count() == 1
    assert ferrum.editor.date_joined == SEEN["joined"]

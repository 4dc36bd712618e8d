"""Stores in several languages, shared by the languages' and the language hosts' tests."""

from __future__ import annotations

from django.core.cache import cache
from wagtail.models import Locale

from storefleet.brand.models import ContentPage, HomePage
from storefleet.tenants.models import Store
from storefleet.tenants.services import store_languages_apply
from tests.catalog.factories import catalog_page_make, products_make
from tests.factories import make_store


def ferrum_german_first() -> Store:
    """Ferrum speaking German (its default), English and French; every page in German only
    (also the language hosts' tests' store, before its French host)."""
    store = make_store("ferrum", "Ferrum Industrial Components", languages=("de", "en", "fr"))
    home = HomePage.objects.get(pk=store.site.root_page_id)
    about = ContentPage(title="Über uns", slug="about")
    home.add_child(instance=about)
    about.save_revision().publish()
    catalog_page_make(home, title="Produkte")
    products_make(2)
    store_languages_apply(store=store, languages=("de", "en", "fr"))
    cache.clear()
    return store


def publish_translation(page, language: str, title: str, slug: str | None = None):
    translated = page.get_translation(Locale.objects.get(language_code=language)).specific
    translated.title = title
    if slug:
        translated.slug = slug
    translated.save_revision().publish()
    return translated

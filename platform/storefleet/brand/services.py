"""Writes to brand content: the page tree of a new store and its default settings."""

from __future__ import annotations

from wagtail.models import Locale, Page, Site

from .models import BrandSettings, HomePage, NavigationSettings


def home_page_create(*, title: str, slug: str, locale: Locale | None = None) -> HomePage:
    """A store's home page, published, directly under the tree root (one tree per store), in
    the store's default language's ``locale`` (the pages under it inherit it)."""
    root = Page.get_first_root_node()
    home = HomePage(title=title, slug=slug)
    if locale is not None:
        home.locale = locale
    root.add_child(instance=home)
    home.save_revision().publish()
    return home


def brand_settings_initialise(*, site: Site) -> tuple[BrandSettings, NavigationSettings]:
    brand_settings, _ = BrandSettings.objects.get_or_create(site=site)
    navigation, _ = NavigationSettings.objects.get_or_create(site=site)
    return brand_settings, navigation

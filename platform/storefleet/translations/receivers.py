"""Wagtail tells us when a page was copied for translation (by the Translate screen or by a
store's launch): the copy starts synced with its source, and a store's home page copied into
a language opens that language's tree to the store's editors and translators."""

from __future__ import annotations

from typing import Any

from wagtail.models import Page, Site

from storefleet.tenants.selectors import store_for_site

from .services import translation_access_grant, translation_sync_record


def translation_copied(sender: Any, source_obj: Any, target_obj: Any, **kwargs: Any) -> None:
    if not isinstance(source_obj, Page) or not isinstance(target_obj, Page):
        return
    translation_sync_record(source=source_obj, translation=target_obj)
    site_id = Site.objects.filter(root_page_id=source_obj.pk).values_list("pk", flat=True).first()
    store = store_for_site(site_id) if site_id else None
    if store is not None and target_obj.alias_of_id is None:
        translation_access_grant(store=store, language=target_obj.locale.language_code)

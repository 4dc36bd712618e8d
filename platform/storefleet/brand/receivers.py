"""Page-cache invalidation only: anything the anonymous storefront renders changed, so the
store's content version moves on. Scheduled publishing (``publish_scheduled``) and the admin
both send these signals, which is why this is not a hook on the admin views."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished

from storefleet.tenants.selectors import store_site_ids_for_collection
from storefleet.tenants.services import store_content_changed

from .models import BrandSettings, NavigationSettings


def _site_ids_for_page(page: Page) -> list[int]:
    return [site.pk for site in Site.objects.filter(root_page__path__in=_ancestor_paths(page.path))]


def _ancestor_paths(path: str, steplen: int = Page.steplen) -> list[str]:
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


@receiver(page_published)
@receiver(page_unpublished)
@receiver(page_slug_changed)
def _page_changed(sender: Any, instance: Page, **kwargs: Any) -> None:
    for site_id in _site_ids_for_page(instance):
        store_content_changed(site_id=site_id)


@receiver(post_save, sender=BrandSettings)
@receiver(post_save, sender=NavigationSettings)
def _settings_changed(
    sender: Any, instance: BrandSettings | NavigationSettings, **kwargs: Any
) -> None:
    store_content_changed(site_id=instance.site_id)


def _media_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Images and documents belong to a store through its collection.
    for site_id in store_site_ids_for_collection(instance.collection_id):
        store_content_changed(site_id=site_id)


for _model in (get_image_model(), get_document_model()):
    post_save.connect(_media_changed, sender=_model, dispatch_uid=f"media-changed-{_model}")
    post_delete.connect(_media_changed, sender=_model, dispatch_uid=f"media-deleted-{_model}")

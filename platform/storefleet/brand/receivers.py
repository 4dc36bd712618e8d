"""Page-cache invalidation: anything the anonymous storefront renders changed, so the
store's content version moves on, and the store's CloudFront paths are invalidated
(``cdn.cdn_paths_changed``, a no-op unless ``STOREFLEET_CDN_INVALIDATION``). Scheduled
publishing (``publish_scheduled``) and the admin both send these signals, which is why this is
not a hook on the admin views.

Only Wagtail's and this app's own models are listened to here: the signed-in buyers' pages
(``buyer_cache``) are retired by the services that change what they rest on (accounts'
memberships, stores and passwords, ordering's cart, and the admin's user screens through
``accounts.services.user_pages_retire``), which call ``buyer_cache`` themselves."""

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

from .cdn import cdn_paths_changed, media_paths, page_paths
from .models import BrandSettings, NavigationSettings


def _sites_for_page(page: Page) -> list[Site]:
    sites = list(
        Site.objects.filter(root_page__path__in=_ancestor_paths(page.path)).select_related(
            "root_page"
        )
    )
    if not sites and page.depth >= 2:
        # A page of a store's tree in another language: under a translation of the home page.
        top = Page.objects.filter(path=page.path[: 2 * Page.steplen]).first()
        if top is not None:
            sites = list(
                Site.objects.filter(root_page__translation_key=top.translation_key).select_related(
                    "root_page"
                )
            )
    return sites


def _ancestor_paths(path: str, steplen: int = Page.steplen) -> list[str]:
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


@receiver(page_published)
@receiver(page_unpublished)
@receiver(page_slug_changed)
def _page_changed(sender: Any, instance: Page, **kwargs: Any) -> None:
    for site in _sites_for_page(instance):
        store_content_changed(site_id=site.pk)
        if instance.path.startswith(site.root_page.path):
            paths = page_paths(url_path=instance.url_path, root_url_path=site.root_page.url_path)
        else:  # another language's tree: its URL prefix is the router's, so all of the store
            paths = ("/*",)
        cdn_paths_changed(site_id=site.pk, paths=paths)


@receiver(post_save, sender=BrandSettings)
@receiver(post_save, sender=NavigationSettings)
def _settings_changed(
    sender: Any, instance: BrandSettings | NavigationSettings, **kwargs: Any
) -> None:
    store_content_changed(site_id=instance.site_id)


def _media_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Images and documents belong to a store through its collection.
    site_ids = store_site_ids_for_collection(instance.collection_id)
    for site_id in site_ids:
        store_content_changed(site_id=site_id)
    if site_ids and instance.file:
        paths = media_paths(file_url=instance.file.url, is_image=hasattr(instance, "renditions"))
        if not hasattr(instance, "renditions"):  # a document, served by Wagtail's view
            paths = (*paths, f"/documents/{instance.pk}/*")
        for site_id in site_ids:
            cdn_paths_changed(site_id=site_id, paths=paths)


for _model in (get_image_model(), get_document_model()):
    post_save.connect(_media_changed, sender=_model, dispatch_uid=f"media-changed-{_model}")
    post_delete.connect(_media_changed, sender=_model, dispatch_uid=f"media-deleted-{_model}")

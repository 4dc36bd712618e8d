"""Writes of the translation workflow.

Re-sync never throws a translator's work away: marking a translation synced records only which
source revision it now follows, and the one write to a translation's content,
:func:`translation_block_copy`, copies a single source block the editor picked, and only while
the translation's block of the same id still holds exactly what the source held when the
translation was last synced (or adds a block the source gained since). A translated field is
never overwritten automatically; the copy is saved as a draft revision, published as any edit
is (through the store's workflow where it has one).
"""

from __future__ import annotations

import copy

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import (
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Revision,
    WorkflowPage,
)

from storefleet.errors import ApplicationError
from storefleet.tenants.models import Store
from storefleet.tenants.services import EDITOR_PAGE_PERMISSIONS

from .models import TranslationSync, TranslatorGroup
from .selectors import block_offers, store_homes, translation_with_source

SUBMIT_TRANSLATION = ("simple_translation", "submit_translation")
TRANSLATOR_COLLECTION_PERMISSIONS = {
    "wagtailimages": ("choose_image",),
    "wagtaildocs": ("choose_document",),
}


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _page_permissions_grant(group: Group, page: Page) -> None:
    for codename in EDITOR_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=_permission("wagtailcore", codename)
        )


def _source_revision(source: Page) -> Revision | None:
    return source.live_revision or source.latest_revision


def translation_sync_record(*, source: Page, translation: Page) -> TranslationSync | None:
    """A page was just copied for translation: it starts synced with the source revision it
    was copied from, and its own revision now is the one "never edited" is measured against.
    Aliases (which follow their source by themselves) and non-pages record nothing."""
    if not isinstance(source, Page) or not isinstance(translation, Page):
        return None
    if translation.alias_of_id is not None:
        return None
    sync, _created = TranslationSync.objects.update_or_create(
        page=translation,
        defaults={
            "source_revision": _source_revision(source),
            "copied_revision_id": Page.objects.filter(pk=translation.pk)
            .values_list("latest_revision_id", flat=True)
            .first(),
            "synced_at": timezone.now(),
            "synced_by": None,
        },
    )
    return sync


@transaction.atomic
def translation_access_grant(*, store: Store, language: str) -> TranslatorGroup:
    """Let the store's editors work on the store's tree in ``language`` (the same page
    permissions they hold on the store's own language), make the group of the store's
    translators into that language (page permissions on that tree only), and let the tree
    follow the store's workflow. Idempotent: a launch and a re-run grant the same."""
    homes = store_homes(store)
    home = homes.get(language)
    if home is None:
        raise ApplicationError(
            _("%(store)s has no pages in %(language)s yet: translate its home page first.")
            % {"store": store.name, "language": language},
            field="language",
        )
    editors = store.editors_group
    editors.permissions.add(_permission(*SUBMIT_TRANSLATION))
    _page_permissions_grant(editors, home)
    existing = TranslatorGroup.objects.filter(store=store, locale=home.locale).first()
    if existing is None:
        group, _created = Group.objects.get_or_create(name=f"{store.slug} translators ({language})")
        existing = TranslatorGroup.objects.create(store=store, locale=home.locale, group=group)
    group = existing.group
    group.permissions.add(
        _permission("wagtailadmin", "access_admin"), _permission(*SUBMIT_TRANSLATION)
    )
    _page_permissions_grant(group, home)
    for app_label, codenames in TRANSLATOR_COLLECTION_PERMISSIONS.items():
        for codename in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=store.collection,
                permission=_permission(app_label, codename),
            )
    # Wagtail's workflows are assigned to a page and its subtree: another language's tree is
    # a sibling of the Site's home, so it follows the store's workflow only when given it.
    workflow = store.site.root_page.get_workflow()
    if workflow is not None and home.pk != store.site.root_page_id:
        WorkflowPage.objects.get_or_create(page=home, defaults={"workflow": workflow})
    return existing


def translator_add(*, store: Store, language: str, user) -> TranslatorGroup:
    """Make ``user`` a translator of ``store`` into ``language`` only."""
    translators = translation_access_grant(store=store, language=language)
    user.groups.add(translators.group)
    return translators


def translator_remove(*, store: Store, language: str, user) -> None:
    locale = Locale.objects.filter(language_code=language).first()
    for translators in TranslatorGroup.objects.filter(store=store, locale=locale):
        user.groups.remove(translators.group)


def _refused() -> ApplicationError:
    return ApplicationError(
        _(
            "This page is not a translation you may edit. Open the Translations report and "
            "pick a page of your own store and language."
        ),
        code="not_found",
    )


def _source_revision_for(source: Page, revision_id: int | None) -> Revision:
    revision = source.revisions.filter(pk=revision_id).first() if revision_id else None
    if revision is None:
        raise ApplicationError(
            _("That source revision is not one of this page's: reload the page and try again."),
            field="revision",
        )
    if revision != _source_revision(source):
        raise ApplicationError(
            _(
                "The source was published again while you were reading: look at the changes "
                "once more, then mark it synced."
            ),
            field="revision",
            code="stale",
        )
    return revision


@transaction.atomic
def translation_mark_synced(
    *, user, translation_id: int, revision_id: int | None
) -> TranslationSync:
    """The translator has taken the source's changes up to ``revision_id`` (the source's live
    revision they were shown) into their translation. Changes nothing of the translation."""
    found = translation_with_source(user=user, translation_id=translation_id)
    if found is None:
        raise _refused()
    translation, source = found
    revision = _source_revision_for(source, revision_id)
    sync, _created = TranslationSync.objects.select_for_update().get_or_create(
        page=translation, defaults={"synced_at": timezone.now()}
    )
    sync.source_revision = revision
    sync.synced_at = timezone.now()
    sync.synced_by = user
    sync.save()
    return sync


@transaction.atomic
def translation_block_copy(
    *, user, translation_id: int, field: str, block_id: str, revision_id: int | None
) -> Revision:
    """Copy one source block into the translation (replacing its block of the same id, or
    adding a block the source gained), as a new draft revision; refused when the translator
    has changed that block since the last sync, so nothing they wrote is lost."""
    found = translation_with_source(user=user, translation_id=translation_id)
    if found is None:
        raise _refused()
    translation, source = found
    Page.objects.select_for_update().filter(pk=translation.pk).first()
    live_revision = _source_revision_for(source, revision_id)
    sync = (
        TranslationSync.objects.filter(page=translation).select_related("source_revision").first()
    )
    if sync is None or sync.source_revision is None:
        raise ApplicationError(
            _("This translation has no synced source revision to compare with: mark it synced."),
            field="block",
        )
    synced = sync.source_revision.as_object()
    live = live_revision.as_object()
    latest = translation.get_latest_revision_as_object()
    offer = next(
        (
            offer
            for offer in block_offers(synced=synced, live=live, translation=latest)
            if offer.field == field and offer.block_id == block_id
        ),
        None,
    )
    if offer is None:
        raise ApplicationError(
            _(
                "That block can't be copied: the translation's own version of it has been "
                "edited, or it is unchanged. Change it by hand in the editor."
            ),
            field="block",
        )
    source_blocks = getattr(live, field).get_prep_value()
    mine = getattr(latest, field).get_prep_value()
    new_block = copy.deepcopy(next(b for b in source_blocks if b.get("id") == block_id))
    if offer.new:
        # After the block that precedes it in the source, when the translation has that one.
        order = [b.get("id") for b in source_blocks]
        before = order[: order.index(block_id)]
        mine_ids = [b.get("id") for b in mine]
        position = len(mine)
        for previous in reversed(before):
            if previous in mine_ids:
                position = mine_ids.index(previous) + 1
                break
        mine.insert(position, new_block)
    else:
        mine = [new_block if b.get("id") == block_id else b for b in mine]
    setattr(latest, field, mine)
    return latest.save_revision(user=user, log_action=True)

"""Reads of the translation workflow: a store's languages, the languages an editor may work
in, what changed in a translation's source since it was last synced, and the report per store
and language.

A store's languages are the locales its home page exists in: the Site's home and its
translations (a store's launch makes one per language the store declares). An editor may work
in a language of a store when Wagtail lets them edit that language's home page: the store's
editors group holds page permissions on every language's tree, a translator group on one
(``services.translation_access_grant``). Wagtail's permissions are thus the one rule, for the
edit and publish views as for these screens."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from wagtail.blocks import StreamValue
from wagtail.fields import StreamField
from wagtail.models import Locale, Page, Revision

from storefleet.brand.walls import store_owning_page
from storefleet.tenants.models import Store
from storefleet.tenants.selectors import store_list, stores_editable_by

from .models import TranslationSync, TranslatorGroup


def store_homes(store: Store) -> dict[str, Page]:
    """The store's home page per language code, the Site's own language first."""
    root = store.site.root_page
    homes = (
        Page.objects.filter(translation_key=root.translation_key, alias_of__isnull=True)
        .select_related("locale")
        .order_by("depth", "path")
    )
    found = {root.locale.language_code: root} if root.locale_id else {}
    for home in homes:
        found.setdefault(home.locale.language_code, home)
    return found


def store_languages(store: Store) -> list[str]:
    """The language codes the store's pages exist in, the store's own language first."""
    return list(store_homes(store))


def user_languages(*, user, store: Store) -> list[str]:
    """The store's languages ``user`` may edit pages in (none for another brand's editor)."""
    if not user.is_authenticated or not user.is_active:
        return []
    return [
        code
        for code, home in store_homes(store).items()
        if home.permissions_for_user(user).can_edit()
    ]


def translation_stores(*, user) -> QuerySet[Store]:
    """The stores whose translations ``user`` works on: the ones whose content they edit and
    the ones they translate for."""
    if user.is_superuser:
        return store_list()
    if not user.is_authenticated or not user.is_active:
        return Store.objects.none()
    translated = TranslatorGroup.objects.filter(group__in=user.groups.all()).values("store")
    own = stores_editable_by(user).values("pk")
    return store_list().filter(pk__in=own) | store_list().filter(pk__in=translated)


def page_store(page: Page) -> Store | None:
    """The store whose tree, in any of its languages, holds ``page``."""
    return store_owning_page(page.path)


def translation_locales(*, user, page: Page) -> list[Locale]:
    """The locales ``user`` may translate ``page`` into: the languages of the page's store
    that they edit and the page is not yet in, whose tree already holds the page's parent."""
    store = page_store(page)
    if store is None or page.depth <= 1:
        return []
    allowed = set(user_languages(user=user, store=store))
    existing = set(page.get_translations(inclusive=True).values_list("locale_id", flat=True))
    parent = page.get_parent()
    parent_locales = set(
        parent.get_translations(inclusive=True).values_list("locale_id", flat=True)
    )
    return [
        locale
        for locale in Locale.objects.filter(language_code__in=allowed).order_by("language_code")
        if locale.pk not in existing and (parent.depth <= 1 or locale.pk in parent_locales)
    ]


class TranslationState(enum.StrEnum):
    UNTRANSLATED = "untranslated"
    OUT_OF_DATE = "out_of_date"
    UP_TO_DATE = "up_to_date"


@dataclass(frozen=True, slots=True)
class ReportRow:
    source: Page
    translation: Page | None
    state: TranslationState


@dataclass(frozen=True, slots=True)
class TranslationReport:
    """One store's pages in one of its languages, beside the source they are translated from."""

    store: Store
    language: str
    rows: tuple[ReportRow, ...]

    def count(self, state: TranslationState) -> int:
        return sum(1 for row in self.rows if row.state == state)

    @property
    def counts(self) -> dict[str, int]:
        return {state.value: self.count(state) for state in TranslationState}


def translation_state(
    *, source: Page, translation: Page | None, sync: TranslationSync | None
) -> TranslationState:
    """Untranslated: no translation, or a copy nobody has edited since it was made. Out of
    date: the source was published after the revision the translation was synced from."""
    if translation is None:
        return TranslationState.UNTRANSLATED
    copied = sync.copied_revision_id if sync is not None else None
    if copied is not None and translation.latest_revision_id == copied:
        return TranslationState.UNTRANSLATED
    published = source.live_revision_id
    synced = sync.source_revision_id if sync is not None else None
    if published is None:
        return TranslationState.UP_TO_DATE
    if sync is None:
        # Translated before syncs were recorded: out of date if published since it was made.
        made = translation.first_published_at or translation.latest_revision_created_at
        stale = bool(made and source.last_published_at and source.last_published_at > made)
        return TranslationState.OUT_OF_DATE if stale else TranslationState.UP_TO_DATE
    if synced is None:  # the revision it was synced from is gone
        return TranslationState.OUT_OF_DATE
    return TranslationState.OUT_OF_DATE if published > synced else TranslationState.UP_TO_DATE


def translation_report(*, user, store: Store, language: str) -> TranslationReport | None:
    """The report of ``store`` in ``language``; ``None`` when the user may not see it (another
    brand's store, a language they do not work in, or one the store does not have)."""
    if not translation_stores(user=user).filter(pk=store.pk).exists():
        return None
    homes = store_homes(store)
    if language not in homes or language not in user_languages(user=user, store=store):
        return None
    source_home = store.site.root_page
    if language == source_home.locale.language_code:
        return None
    sources = list(
        Page.objects.descendant_of(source_home, inclusive=True)
        .filter(alias_of__isnull=True)
        .order_by("path")
    )
    target = homes[language]
    translations = {
        page.translation_key: page
        for page in Page.objects.descendant_of(target, inclusive=True).filter(
            locale=target.locale, alias_of__isnull=True
        )
    }
    syncs = {
        sync.page_id: sync
        for sync in TranslationSync.objects.filter(
            page_id__in=[page.pk for page in translations.values()]
        )
    }
    rows = []
    for source in sources:
        translation = translations.get(source.translation_key)
        sync = syncs.get(translation.pk) if translation else None
        state = translation_state(source=source, translation=translation, sync=sync)
        rows.append(ReportRow(source=source, translation=translation, state=state))
    return TranslationReport(store=store, language=language, rows=tuple(rows))


def report_choices(*, user) -> list[tuple[Store, list[str]]]:
    """Each store the user works on with the languages (other than the store's own) they may
    see its report in."""
    choices = []
    for store in translation_stores(user=user).select_related("site__root_page__locale"):
        own = store.site.root_page.locale.language_code
        languages = [code for code in user_languages(user=user, store=store) if code != own]
        if languages:
            choices.append((store, languages))
    return choices


# --- What changed in the source ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BlockOffer:
    """A source block the translator may copy in: it changed (or is new) in the source, and
    the translation's block of the same id still holds what the source held when last synced
    (so nothing the translator wrote is replaced)."""

    field: str
    block_id: str
    label: str
    new: bool  # a block the source added since the sync (copied in, not replacing one)


@dataclass(frozen=True, slots=True)
class SourceChanges:
    """The source between the revision the translation was last synced from and its live one."""

    translation: Page
    source: Page
    synced_revision: Revision | None
    live_revision: Revision | None
    comparisons: tuple[Any, ...]  # Wagtail's field comparisons, each a readable diff
    offers: tuple[BlockOffer, ...]

    @property
    def up_to_date(self) -> bool:
        return self.live_revision is not None and self.synced_revision == self.live_revision


def _raw_blocks(value: object) -> dict[str, dict]:
    if not isinstance(value, StreamValue):
        return {}
    return {
        block["id"]: {"type": block["type"], "value": block["value"]}
        for block in value.get_prep_value()
        if block.get("id")
    }


def stream_fields(page: Page) -> list[str]:
    return [field.name for field in page._meta.get_fields() if isinstance(field, StreamField)]


def block_offers(*, synced: Page, live: Page, translation: Page) -> list[BlockOffer]:
    """The source blocks that can be copied into ``translation`` without losing an edit."""
    offers = []
    for name in stream_fields(live):
        before = _raw_blocks(getattr(synced, name, None))
        after = _raw_blocks(getattr(live, name, None))
        mine = _raw_blocks(getattr(translation, name, None))
        stream = getattr(live, name)
        labels = {child.id: str(child.block.label) for child in stream}
        for block_id, block in after.items():
            if block_id not in before:
                if block_id not in mine:
                    offers.append(BlockOffer(name, block_id, labels.get(block_id, ""), True))
            elif block != before[block_id] and mine.get(block_id) == before[block_id]:
                offers.append(BlockOffer(name, block_id, labels.get(block_id, ""), False))
    return offers


def translation_with_source(*, user, translation_id: int) -> tuple[Page, Page] | None:
    """A translation ``user`` may edit and its source page (in the store's own language);
    ``None`` for another brand's page, another language's, or a page that is no translation."""
    translation = Page.objects.filter(pk=translation_id).first()
    if translation is None:
        return None
    translation = translation.specific
    store = page_store(translation)
    if store is None or translation.locale_id == store.site.root_page.locale_id:
        return None
    if not translation.permissions_for_user(user).can_edit():
        return None
    source = Page.objects.filter(
        translation_key=translation.translation_key, locale=store.site.root_page.locale
    ).first()
    if source is None:
        return None
    return translation, source.specific


def source_changes(*, user, translation_id: int, request: HttpRequest) -> SourceChanges | None:
    """What changed in the source since the translation was last synced, field by field and
    block by block (Wagtail's own revision comparison); ``None`` when the user may not see it."""
    found = translation_with_source(user=user, translation_id=translation_id)
    if found is None:
        return None
    translation, source = found
    sync = (
        TranslationSync.objects.filter(page=translation).select_related("source_revision").first()
    )
    synced_revision = sync.source_revision if sync else None
    live_revision = source.live_revision or source.latest_revision
    comparisons: list[Any] = []
    offers: list[BlockOffer] = []
    if synced_revision is not None and live_revision is not None:
        synced_page = synced_revision.as_object()
        live_page = live_revision.as_object()
        panel = source.get_edit_handler().get_bound_panel(
            instance=source, request=request, form=None
        )
        for comparison_class in panel.get_comparison():
            comparison = comparison_class(synced_page, live_page)
            if comparison.has_changed():
                comparisons.append(comparison)
        latest = translation.get_latest_revision_as_object()
        offers = block_offers(synced=synced_page, live=live_page, translation=latest)
    return SourceChanges(
        translation=translation,
        source=source,
        synced_revision=synced_revision,
        live_revision=live_revision,
        comparisons=tuple(comparisons),
        offers=tuple(offers),
    )

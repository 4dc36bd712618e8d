"""The workflow's records and rules, without the admin: syncs recorded at copy, access granted
per language, the report's states, re-sync that keeps the translator's edits."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission, Page, Workflow, WorkflowPage

from storefleet.errors import ApplicationError
from storefleet.translations.models import TranslationSync
from storefleet.translations.selectors import (
    store_languages,
    translation_locales,
    translation_report,
    user_languages,
)
from storefleet.translations.services import (
    translation_block_copy,
    translation_mark_synced,
)

from .conftest import paragraph, translate

pytestmark = pytest.mark.django_db


def _edit(page: Page, **fields: object) -> Page:
    """The translator saves a draft of ``page`` with ``fields`` changed."""
    latest = page.get_latest_revision_as_object()
    for name, value in fields.items():
        setattr(latest, name, value)
    latest.save_revision()
    return Page.objects.get(pk=page.pk).specific


def _publish_source(page: Page, **fields: object) -> Page:
    latest = page.get_latest_revision_as_object()
    for name, value in fields.items():
        setattr(latest, name, value)
    latest.save_revision().publish()
    return Page.objects.get(pk=page.pk).specific


def _states(report) -> dict[str, str]:
    return {row.source.slug: row.state.value for row in report.rows}


def test_a_copy_starts_synced_with_the_source_revision_it_was_made_from(stores):
    ferrum = stores["ferrum"]
    landing, french = ferrum.pages["en"]["landing"], ferrum.pages["fr"]["landing"]
    sync = TranslationSync.objects.get(page=french)
    assert sync.source_revision_id == Page.objects.get(pk=landing.pk).live_revision_id
    assert sync.copied_revision_id == Page.objects.get(pk=french.pk).latest_revision_id
    assert french.live is False


def test_the_stores_languages_are_its_home_pages_locales(stores):
    assert store_languages(stores["ferrum"].world.store) == ["en", "fr", "de"]
    assert store_languages(stores["hydra"].world.store) == ["en", "fr"]


@pytest.mark.parametrize(
    ("store", "who", "languages"),
    [
        ("ferrum", "editor", {"ferrum": ["en", "fr", "de"], "hydra": []}),
        ("ferrum", "fr", {"ferrum": ["fr"], "hydra": []}),
        ("ferrum", "de", {"ferrum": ["de"], "hydra": []}),
        ("hydra", "editor", {"ferrum": [], "hydra": ["en", "fr"]}),
        ("hydra", "fr", {"ferrum": [], "hydra": ["fr"]}),
    ],
)
def test_who_works_in_which_language(stores, store, who, languages):
    world = stores[store]
    user = world.world.editor if who == "editor" else world.translators[who]
    found = {name: user_languages(user=user, store=stores[name].world.store) for name in stores}
    assert found == languages


def test_a_translator_group_holds_one_languages_tree_only(stores):
    ferrum = stores["ferrum"]
    group = Group.objects.get(name="ferrum translators (fr)")
    pages = set(GroupPagePermission.objects.filter(group=group).values_list("page_id", flat=True))
    assert pages == {ferrum.pages["fr"]["home"].pk}


def test_translate_offers_only_the_stores_languages_the_editor_works_in(stores):
    ferrum = stores["ferrum"]
    news = ferrum.pages["en"]["home"].add_child(
        instance=type(ferrum.pages["en"]["content"])(title="News", slug="news")
    )
    codes = lambda user: [loc.language_code for loc in translation_locales(user=user, page=news)]  # noqa: E731
    translate(Page.objects.get(pk=ferrum.pages["en"]["home"].pk), "es")  # a locale hydra lacks
    assert codes(ferrum.world.editor) == ["de", "es", "fr"]
    assert codes(ferrum.translators["fr"]) == ["fr"]
    assert codes(stores["hydra"].world.editor) == []
    assert codes(stores["hydra"].translators["fr"]) == []


def test_report_states_and_counts(stores):
    ferrum = stores["ferrum"]
    store, translator = ferrum.world.store, ferrum.translators["fr"]
    report = translation_report(user=translator, store=store, language="fr")
    assert report.counts == {"untranslated": 3, "out_of_date": 0, "up_to_date": 0}
    _edit(ferrum.pages["fr"]["landing"], title="Boulons")
    _edit(ferrum.pages["fr"]["content"], title="A propos")
    report = translation_report(user=translator, store=store, language="fr")
    assert _states(report) == {
        "ferrum": "untranslated",
        "campaign": "up_to_date",
        "about": "up_to_date",
    }
    _publish_source(ferrum.pages["en"]["landing"], intro="Now in stainless steel")
    report = translation_report(user=translator, store=store, language="fr")
    assert _states(report)["campaign"] == "out_of_date"
    assert report.counts == {"untranslated": 1, "out_of_date": 1, "up_to_date": 1}
    # A new source page nobody translated yet.
    ferrum.pages["en"]["home"].add_child(
        instance=type(ferrum.pages["en"]["content"])(title="News", slug="news")
    )
    report = translation_report(user=translator, store=store, language="fr")
    assert _states(report)["news"] == "untranslated"
    assert report.counts == {"untranslated": 2, "out_of_date": 1, "up_to_date": 1}


def test_a_report_of_another_store_or_language_is_none(stores):
    ferrum, hydra = stores["ferrum"], stores["hydra"]
    assert (
        translation_report(user=hydra.world.editor, store=ferrum.world.store, language="fr") is None
    )
    assert (
        translation_report(user=ferrum.translators["fr"], store=ferrum.world.store, language="de")
        is None
    )
    assert (
        translation_report(user=ferrum.world.editor, store=ferrum.world.store, language="es")
        is None
    )


def test_mark_synced_follows_the_sources_live_revision(stores):
    ferrum = stores["ferrum"]
    translator, french = ferrum.translators["fr"], ferrum.pages["fr"]["landing"]
    _edit(french, title="Boulons")
    source = _publish_source(ferrum.pages["en"]["landing"], intro="Now in stainless steel")
    translation_mark_synced(
        user=translator, translation_id=french.pk, revision_id=source.live_revision_id
    )
    report = translation_report(user=translator, store=ferrum.world.store, language="fr")
    assert _states(report)["campaign"] == "up_to_date"
    assert (
        Page.objects.get(pk=french.pk).specific.get_latest_revision_as_object().title == "Boulons"
    )


def test_mark_synced_refuses_a_stale_or_foreign_revision(stores):
    ferrum = stores["ferrum"]
    translator, french = ferrum.translators["fr"], ferrum.pages["fr"]["landing"]
    before = TranslationSync.objects.get(page=french).source_revision_id
    old = Page.objects.get(pk=ferrum.pages["en"]["landing"].pk).live_revision_id
    _publish_source(ferrum.pages["en"]["landing"], intro="Again")
    with pytest.raises(ApplicationError, match="published again"):
        translation_mark_synced(user=translator, translation_id=french.pk, revision_id=old)
    foreign = Page.objects.get(pk=stores["hydra"].pages["en"]["landing"].pk).live_revision_id
    with pytest.raises(ApplicationError, match="not one of this page's"):
        translation_mark_synced(user=translator, translation_id=french.pk, revision_id=foreign)
    assert TranslationSync.objects.get(page=french).source_revision_id == before


@pytest.mark.parametrize("target", ["hydra fr", "ferrum de", "ferrum en"])
def test_mark_synced_refuses_a_page_that_is_not_the_translators(stores, target):
    ferrum = stores["ferrum"]
    store, code = target.split()
    page = stores[store].pages[code]["landing"]
    with pytest.raises(ApplicationError, match="not a translation you may edit"):
        translation_mark_synced(
            user=ferrum.translators["fr"], translation_id=page.pk, revision_id=page.live_revision_id
        )


def test_resync_never_overwrites_the_translators_edits(stores):
    ferrum = stores["ferrum"]
    translator, french = ferrum.translators["fr"], ferrum.pages["fr"]["landing"]
    french = _edit(
        french, body=[paragraph("b1", "Boulons en acier"), paragraph("b2", "Shipped in 24 hours")]
    )
    source = _publish_source(
        ferrum.pages["en"]["landing"],
        body=[
            paragraph("b1", "Stainless steel bolts"),
            paragraph("b2", "Shipped in 12 hours"),
            paragraph("b3", "Free returns"),
        ],
    )
    revisions = french.revisions.count()
    # b1 was translated: never offered, refused when asked for.
    with pytest.raises(ApplicationError, match="has been edited"):
        translation_block_copy(
            user=translator,
            translation_id=french.pk,
            field="body",
            block_id="b1",
            revision_id=source.live_revision_id,
        )
    assert french.revisions.count() == revisions
    for block_id in ("b2", "b3"):
        translation_block_copy(
            user=translator,
            translation_id=french.pk,
            field="body",
            block_id=block_id,
            revision_id=source.live_revision_id,
        )
    latest = Page.objects.get(pk=french.pk).specific.get_latest_revision_as_object()
    assert [(b.id, b.value.source) for b in latest.body] == [
        ("b1", "<p>Boulons en acier</p>"),
        ("b2", "<p>Shipped in 12 hours</p>"),
        ("b3", "<p>Free returns</p>"),
    ]
    assert french.revisions.count() == revisions + 2
    assert Page.objects.get(pk=french.pk).live is False  # drafts: publishing is the editor's


def test_a_home_copied_into_a_language_follows_the_stores_workflow(ferrum):
    workflow = Workflow.objects.create(name="Ferrum review")
    WorkflowPage.objects.create(page=ferrum.home, workflow=workflow)
    french = translate(ferrum.home, "fr")
    assert french.get_workflow() == workflow
    landing = translate(ferrum.landing, "fr")
    assert landing.get_workflow() == workflow

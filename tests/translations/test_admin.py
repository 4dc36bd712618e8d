"""The translation screens and Wagtail's page views, as a matrix of two stores × editor kinds ×
languages: each sees and edits only their own; hostile posts (another store's page, another
language's, ids that are no page) are refused with what to do, never an error page, and
nothing is written."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.models import Locale, Page

from storefleet.translations.models import TranslationSync

from .conftest import paragraph

pytestmark = pytest.mark.django_db

# (store, who): who is "editor" (the store's marketing team) or a translator's language.
USERS = [
    ("ferrum", "editor"),
    ("ferrum", "fr"),
    ("ferrum", "de"),
    ("hydra", "editor"),
    ("hydra", "fr"),
]
PAGES = [("ferrum", "en"), ("ferrum", "fr"), ("ferrum", "de"), ("hydra", "en"), ("hydra", "fr")]


def _user(stores, store: str, who: str):  # type: ignore[no-untyped-def]
    return stores[store].world.editor if who == "editor" else stores[store].translators[who]


def _may(user_store: str, who: str, page_store: str, language: str) -> bool:
    return user_store == page_store and who in ("editor", language)


def _refused(response) -> bool:  # type: ignore[no-untyped-def]
    """403/404, or a redirect within the admin (Wagtail's dashboard, our report)."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response["Location"].startswith("/admin/")


def _messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(("user_store", "who"), USERS)
@pytest.mark.parametrize(("page_store", "language"), PAGES)
def test_edit_and_publish_only_own_store_and_language(
    client, stores, user_store, who, page_store, language
):
    page = stores[page_store].pages[language]["landing"]
    client.force_login(_user(stores, user_store, who))
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.get(url, HTTP_HOST="localhost")
    allowed = _may(user_store, who, page_store, language)
    if allowed:
        assert response.status_code == 200
        return
    assert _refused(response), response.status_code
    revisions = page.revisions.count()
    response = client.post(
        url,
        {"title": "hijacked", "slug": page.slug, "action-publish": "publish"},
        HTTP_HOST="localhost",
    )
    assert _refused(response), response.status_code
    page = Page.objects.get(pk=page.pk)
    assert page.title != "hijacked" and page.revisions.count() == revisions


def test_a_translator_lists_only_their_languages_pages(client, stores):
    client.force_login(stores["ferrum"].translators["fr"])
    body = client.get("/admin/pages/", HTTP_HOST="localhost", follow=True).content.decode()
    assert "FERRUM-MARKER landing FR" in body
    assert "FERRUM-MARKER landing DE" not in body and "HYDRA-MARKER" not in body
    search = client.get("/admin/pages/search/?q=MARKER", HTTP_HOST="localhost").content.decode()
    assert "HYDRA-MARKER" not in search and "landing DE" not in search


def test_the_translate_screen_offers_only_the_stores_languages_of_the_editor(client, stores):
    ferrum = stores["ferrum"]
    news = ferrum.pages["en"]["home"].add_child(
        instance=type(ferrum.pages["en"]["content"])(title="News", slug="news")
    )
    Locale.objects.get_or_create(language_code="es")  # a platform language ferrum lacks
    client.force_login(ferrum.translators["fr"])
    url = reverse("simple_translation:submit_page_translation", args=[news.pk])
    assert url == reverse("translations_submit_page", args=[news.pk])
    response = client.get(url, HTTP_HOST="localhost")
    assert response.status_code == 200
    offered = {
        locale.language_code for locale in response.context["form"].fields["locales"].queryset
    }
    assert offered == {"fr"}
    german = Locale.objects.get(language_code="de")
    response = client.post(url, {"locales": [german.pk]}, HTTP_HOST="localhost")
    assert response.status_code == 200
    assert "Pick one of the languages offered: French." in _messages(response)
    assert not news.has_translation(german)
    french = Locale.objects.get(language_code="fr")
    response = client.post(url, {"locales": [french.pk]}, HTTP_HOST="localhost")
    translation = news.get_translation(french)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[translation.pk])
    assert TranslationSync.objects.filter(page=translation).exists()


@pytest.mark.parametrize("page_id", ["hydra landing", "root", "999999999"])
def test_the_translate_screen_refuses_what_is_not_the_editors(client, stores, page_id):
    ferrum = stores["ferrum"]
    ids = {"hydra landing": stores["hydra"].pages["en"]["landing"].pk, "root": 1}
    pk = ids.get(page_id, 999999999)
    client.force_login(ferrum.world.editor)
    pages = Page.objects.count()
    french = Locale.objects.get(language_code="fr")
    url = f"/admin/translation/submit/page/{pk}/"
    response = client.post(url, {"locales": [french.pk]}, HTTP_HOST="localhost")
    assert response.status_code == 302 and response["Location"] == reverse("translations_report")
    assert any("only pages of your own store" in m for m in _messages(response))
    assert Page.objects.count() == pages


@pytest.mark.parametrize(("user_store", "who"), USERS)
def test_the_report_shows_only_own_stores_and_languages(client, stores, user_store, who):
    client.force_login(_user(stores, user_store, who))
    response = client.get(reverse("translations_report"), HTTP_HOST="localhost")
    assert response.status_code == 200
    choices = {(store.slug, code) for store, codes in response.context["choices"] for code in codes}
    languages = {"ferrum": ["fr", "de"], "hydra": ["fr"]}[user_store]
    expected = {(user_store, code) for code in languages if who in ("editor", code)}
    assert choices == expected
    body = response.content.decode()
    other = "HYDRA-MARKER" if user_store == "ferrum" else "FERRUM-MARKER"
    assert other not in body


def test_the_report_counts_and_refuses_another_stores(client, stores):
    ferrum, hydra = stores["ferrum"], stores["hydra"]
    client.force_login(ferrum.translators["fr"])
    url = reverse("translations_report")
    response = client.get(f"{url}?store={ferrum.world.store.pk}&language=fr", HTTP_HOST="localhost")
    assert response.context["report"].counts == {
        "untranslated": 3,
        "out_of_date": 0,
        "up_to_date": 0,
    }
    for query in (f"store={hydra.world.store.pk}&language=fr", "store=abc", "store=1" + "0" * 30):
        response = client.get(f"{url}?{query}", HTTP_HOST="localhost")
        assert response.status_code == 200 and response.context["report"] is None
        assert "HYDRA-MARKER" not in response.content.decode()
    response = client.get(f"{url}?store={ferrum.world.store.pk}&language=de", HTTP_HOST="localhost")
    assert response.context["report"] is None


def _publish(page: Page, **fields: object) -> Page:
    latest = page.get_latest_revision_as_object()
    for name, value in fields.items():
        setattr(latest, name, value)
    latest.save_revision().publish()
    return Page.objects.get(pk=page.pk)


def test_changes_show_readable_text_and_resync_keeps_edits(client, stores):
    ferrum = stores["ferrum"]
    french = ferrum.pages["fr"]["landing"]
    latest = french.get_latest_revision_as_object()
    latest.body = [paragraph("b1", "Boulons en acier"), paragraph("b2", "Shipped in 24 hours")]
    latest.save_revision()
    source = _publish(
        ferrum.pages["en"]["landing"],
        body=[paragraph("b1", "Stainless bolts"), paragraph("b2", "Shipped in 12 hours")],
    )
    client.force_login(ferrum.translators["fr"])
    url = reverse("translations_changes", args=[french.pk])
    response = client.get(url, HTTP_HOST="localhost")
    body = response.content.decode()
    assert response.status_code == 200
    diff = body[body.index("translation-diff") : body.index("Blocks you have not changed")]
    assert "Stainless" in diff and "12" in diff and '"type"' not in diff
    assert [offer.block_id for offer in response.context["changes"].offers] == ["b2"]
    response = client.post(
        url,
        {"action": "copy", "field": "body", "block": "b1", "revision": source.live_revision_id},
        HTTP_HOST="localhost",
    )
    assert any("has been edited" in m for m in _messages(response))
    response = client.post(
        url,
        {"action": "copy", "field": "body", "block": "b2", "revision": source.live_revision_id},
        HTTP_HOST="localhost",
    )
    latest = Page.objects.get(pk=french.pk).specific.get_latest_revision_as_object()
    assert [b.value.source for b in latest.body] == [
        "<p>Boulons en acier</p>",
        "<p>Shipped in 12 hours</p>",
    ]
    response = client.post(
        url, {"action": "synced", "revision": source.live_revision_id}, HTTP_HOST="localhost"
    )
    assert TranslationSync.objects.get(page=french).source_revision_id == source.live_revision_id
    assert "The source has not changed" in client.get(url, HTTP_HOST="localhost").content.decode()


@pytest.mark.parametrize("target", ["hydra fr", "ferrum de", "ferrum en", "nothing"])
@pytest.mark.parametrize("action", ["copy", "synced", "view"])
def test_changes_refuse_another_stores_or_languages_page(client, stores, target, action):
    ferrum = stores["ferrum"]
    client.force_login(ferrum.translators["fr"])
    if target == "nothing":
        pk, revision = 999999999, "1"
    else:
        store, code = target.split()
        page = Page.objects.get(pk=stores[store].pages[code]["landing"].pk)
        pk, revision = page.pk, str(page.latest_revision_id)
    syncs = list(TranslationSync.objects.values_list("page_id", "source_revision_id"))
    revisions = Page.objects.get(pk=pk).revisions.count() if target != "nothing" else 0
    url = reverse("translations_changes", args=[pk])
    data = {"action": action, "field": "body", "block": "b1", "revision": revision}
    if action == "view":
        response = client.get(url, HTTP_HOST="localhost")
    else:
        response = client.post(url, data, HTTP_HOST="localhost")
    assert response.status_code == 302 and response["Location"] == reverse("translations_report")
    assert any(
        "your own store" in m or "not a translation you may edit" in m for m in _messages(response)
    )
    assert list(TranslationSync.objects.values_list("page_id", "source_revision_id")) == syncs
    if target != "nothing":
        assert Page.objects.get(pk=pk).revisions.count() == revisions


@pytest.mark.parametrize("revision", ["", "abc", "-1", "9" * 40])
def test_changes_refuse_a_malformed_revision(client, stores, revision):
    ferrum = stores["ferrum"]
    french = ferrum.pages["fr"]["landing"]
    client.force_login(ferrum.translators["fr"])
    before = TranslationSync.objects.get(page=french).source_revision_id
    url = reverse("translations_changes", args=[french.pk])
    response = client.post(url, {"action": "synced", "revision": revision}, HTTP_HOST="localhost")
    assert response.status_code == 302
    assert any("not one of this page's" in m for m in _messages(response))
    assert TranslationSync.objects.get(page=french).source_revision_id == before

"""A store's languages at launch and reconcile: a Locale for each, the seed tree in the default
language's, draft copies of it for the others, made once."""

from __future__ import annotations

import pytest
from wagtail.models import GroupPagePermission, Locale, Page

from storefleet.provisioning.services import store_launch
from storefleet.tenants.models import Store

pytestmark = pytest.mark.django_db


def _tree(store: Store, language: str) -> list[Page]:
    home = Page.objects.get(pk=store.site.root_page_id)
    root = home.get_translation(Locale.objects.get(language_code=language))
    return list(root.get_descendants(inclusive=True).order_by("path"))


def test_launch_makes_a_locale_per_language_and_draft_copies(render_brand):
    folder = render_brand("nordlicht", languages="de, en")

    run = store_launch(path=folder, check_erp=False, inline=True)

    store = Store.objects.get(slug="nordlicht")
    assert store.languages == ["de", "en"]
    assert {"de", "en"} <= set(Locale.objects.values_list("language_code", flat=True))
    german, english = _tree(store, "de"), _tree(store, "en")
    assert german[0].pk == store.site.root_page_id
    assert {page.locale.language_code for page in german} == {"de"}
    assert all(page.live for page in german)
    assert len(english) == len(german) > 1
    # Drafts: nothing is shown in English until an editor translates and publishes it.
    assert [page.live for page in english] == [False] * len(german)
    assert [p.translation_key for p in english] == [p.translation_key for p in german]
    log = run.steps.get(name="languages").log
    assert f"en: {len(german)} draft pages copied for translation" in log
    # The store's editors may edit the English tree too.
    assert GroupPagePermission.objects.filter(
        group=store.editors_group, page=english[0], permission__codename="change_page"
    ).exists()


def test_reconcile_twice_copies_nothing_again(render_brand):
    folder = render_brand("nordlicht", languages="de, en")
    store_launch(path=folder, check_erp=False, inline=True)
    pages = Page.objects.count()
    permissions = GroupPagePermission.objects.count()

    again = store_launch(path=folder, check_erp=False, inline=True)
    third = store_launch(path=folder, check_erp=False, inline=True)

    assert again.steps.get(name="languages").status == "unchanged"
    assert third.steps.get(name="languages").status == "unchanged"
    assert (Page.objects.count(), GroupPagePermission.objects.count()) == (pages, permissions)


def test_a_language_added_to_store_toml_is_copied_on_reconcile(render_brand):
    folder = render_brand("nordlicht", languages="de, en")
    store_launch(path=folder, check_erp=False, inline=True)
    toml = folder / "store.toml"
    text = toml.read_text()
    assert 'languages = ["de", "en"]' in text
    toml.write_text(text.replace('languages = ["de", "en"]', 'languages = ["de", "en", "fr"]'))

    from storefleet.provisioning.plan import plan_launch

    plan = plan_launch(path=folder, check_erp=False)
    assert ("change", "languages", "fr (pages copied as drafts)") in [
        (c.kind, c.target, c.detail) for c in plan.changes
    ]
    run = store_launch(path=folder, check_erp=False, inline=True)

    store = Store.objects.get(slug="nordlicht")
    assert store.languages == ["de", "en", "fr"]
    assert run.steps.get(name="languages").status == "succeeded"
    assert len(_tree(store, "fr")) == len(_tree(store, "de"))

"""The wall between brands by id (``brand.walls``, ``brand.forms``): an editor's form that refers
to another store's image, document, page or collection is refused with an error on the field,
and nothing of it is saved; the same form with the store's own objects is saved."""

from __future__ import annotations

import pytest
from django.apps import apps
from wagtail.admin.panels import get_edit_handler
from wagtail.contrib.settings.registry import registry as settings_registry
from wagtail.models import Page, get_page_models

from storefleet.brand.forms import StoreWalledFormMixin
from storefleet.brand.models import BrandSettings, NavigationSettings
from storefleet.catalog.models import CatalogPage, ProductStory
from tests.brand import admin_forms as af
from tests.catalog.factories import catalog_page_make, products_make

pytestmark = pytest.mark.django_db

IMAGE = "Pick an image of Ferrum's own collection."
DOCUMENT = "Pick a document of Ferrum's own collection."
PAGE = "Pick a page of Ferrum's own site."


def test_every_page_and_setting_editors_edit_holds_the_wall():
    """A new page type or setting gets the wall by inheriting it, or this test says so."""
    models = [m for m in get_page_models() if m is not Page]
    models += [m for m in settings_registry if m._meta.app_label in {"brand", "catalog"}]
    # The loop checks something: the pages and settings editors work in are among them.
    assert {CatalogPage, BrandSettings, NavigationSettings} <= set(models)
    for model in models:
        form_class = get_edit_handler(model).get_form_class()
        assert issubclass(form_class, StoreWalledFormMixin), model


def test_the_logo_of_another_brand_is_refused_and_nothing_is_saved(client, ferrum, hydra):
    client.force_login(ferrum.editor)
    response = af.post_brand_settings(
        client, ferrum, logo=str(hydra.image.pk), favicon=str(hydra.image.pk), tagline="new"
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["logo"] == [IMAGE]
    assert form.errors["favicon"] == [IMAGE]
    settings = BrandSettings.objects.get(site=ferrum.store.site)
    assert (settings.logo_id, settings.favicon_id, settings.tagline) == (None, None, "")


def test_a_refused_form_shows_nothing_of_the_other_brand(client, ferrum, hydra):
    """Shown again with what was posted, the form's choosers hold nothing of Hydra's: no title,
    no thumbnail (no rendition made of Hydra's image), no link."""
    client.force_login(ferrum.editor)
    response = af.post_brand_settings(client, ferrum, logo=str(hydra.image.pk))
    assert response.context["form"].errors["logo"] == [IMAGE]
    response = af.post_page(
        client,
        ferrum.landing,
        [af.hero(hydra.image.pk), af.rich_text_page_link(hydra.landing.pk)],
    )
    assert PAGE in af.form_errors(response)
    for body in (response.content.decode(),):
        assert hydra.marker not in body
        assert hydra.landing.url not in body
    assert not apps.get_model("brand", "StoreRendition").objects.filter(image=hydra.image).exists()


def test_the_brands_own_logo_is_saved(client, ferrum, hydra):
    client.force_login(ferrum.editor)
    response = af.post_brand_settings(client, ferrum, logo=str(ferrum.image.pk))
    assert response.status_code == 302
    assert BrandSettings.objects.get(site=ferrum.store.site).logo_id == ferrum.image.pk


@pytest.mark.parametrize("junk", ["abc", "1 OR 1=1", str(2**70), "-1", "1.5", "\x00"])
def test_a_logo_id_that_is_no_id_is_a_form_error(client, ferrum, junk):
    client.force_login(ferrum.editor)
    response = af.post_brand_settings(client, ferrum, logo=junk)
    assert response.status_code == 200
    assert response.context["form"].errors["logo"]
    assert BrandSettings.objects.get(site=ferrum.store.site).logo_id is None


def test_platform_it_may_use_any_brands_image(client, ferrum, hydra, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("it", "it@example.com", "x"))
    response = af.post_brand_settings(client, ferrum, logo=str(hydra.image.pk))
    assert response.status_code == 302
    assert BrandSettings.objects.get(site=ferrum.store.site).logo_id == hydra.image.pk


@pytest.mark.parametrize("where", ["primary", "footer"])
def test_a_navigation_link_to_another_brands_page_is_refused(client, ferrum, hydra, where):
    client.force_login(ferrum.editor)
    response = af.post_navigation(client, ferrum, **{where: [af.link(hydra.landing.pk)]})
    assert response.status_code == 200
    field = "primary_links" if where == "primary" else "footer_columns"
    errors = af.form_errors(response)
    assert PAGE in errors and field in response.context["form"].errors
    assert "block 1, " in errors
    navigation = NavigationSettings.for_site(ferrum.store.site)
    assert (len(navigation.primary_links), len(navigation.footer_columns)) == (0, 0)


def test_a_navigation_link_to_the_brands_own_page_is_saved(client, ferrum):
    client.force_login(ferrum.editor)
    response = af.post_navigation(
        client, ferrum, primary=[af.link(ferrum.landing.pk)], footer=[af.link(ferrum.content.pk)]
    )
    assert response.status_code == 302
    navigation = NavigationSettings.for_site(ferrum.store.site)
    assert navigation.primary_links[0].value["page"].pk == ferrum.landing.pk


BLOCKS = [
    ("hero image", af.hero, "image", IMAGE),
    ("image with text", af.image_with_text, "image", IMAGE),
    ("downloads", af.downloads, "document", DOCUMENT),
    ("product teaser image", af.teaser, "image", IMAGE),
    ("call to action page", af.call_to_action, "landing", PAGE),
    ("rich text page link", af.rich_text_page_link, "landing", PAGE),
    ("rich text document link", af.rich_text_document_link, "document", DOCUMENT),
]


@pytest.mark.parametrize(("what", "block", "kind", "message"), BLOCKS, ids=[b[0] for b in BLOCKS])
def test_a_page_block_referring_to_another_brand_is_refused(
    client, ferrum, hydra, what, block, kind, message
):
    client.force_login(ferrum.editor)
    page = ferrum.landing
    revisions = page.revisions.count()
    response = af.post_page(client, page, [block(getattr(hydra, kind).pk)], publish=True)
    assert response.status_code == 200, what
    assert message in af.form_errors(response), what
    assert "own " in response.content.decode(), "the editor sees why"
    assert page.revisions.count() == revisions
    assert not list(Page.objects.get(pk=page.pk).specific.body)


@pytest.mark.parametrize(("what", "block", "kind", "message"), BLOCKS, ids=[b[0] for b in BLOCKS])
def test_a_page_block_referring_to_the_brands_own_object_is_saved(
    client, ferrum, what, block, kind, message
):
    client.force_login(ferrum.editor)
    page = ferrum.landing
    revisions = page.revisions.count()
    response = af.post_page(client, page, [block(getattr(ferrum, kind).pk)])
    assert response.status_code == 302, af.form_errors(response)
    assert page.revisions.count() == revisions + 1


def test_a_new_page_with_another_brands_image_is_not_created(client, ferrum, hydra):
    client.force_login(ferrum.editor)
    pages = Page.objects.count()
    response = af.post_new_page(client, ferrum.home, [af.hero(hydra.image.pk)])
    assert response.status_code == 200
    assert IMAGE in af.form_errors(response)
    assert Page.objects.count() == pages


@pytest.mark.parametrize(
    ("block", "kind", "message"),
    [(af.figure, "image", IMAGE), (af.downloads, "document", DOCUMENT)],
)
def test_a_product_story_with_another_brands_media_is_refused(
    client, ferrum, hydra, block, kind, message
):
    products_make(1)
    catalog = catalog_page_make(ferrum.home)
    client.force_login(ferrum.editor)
    revisions = catalog.revisions.count()
    response = af.post_story(client, catalog, [block(getattr(hydra, kind).pk)])
    assert response.status_code == 200
    assert message in af.form_errors(response)
    assert catalog.revisions.count() == revisions
    assert not ProductStory.objects.filter(page=catalog).exists()
    story = CatalogPage.objects.get(pk=catalog.pk).get_latest_revision_as_object().stories.all()
    assert not list(story)


def test_a_product_story_with_the_brands_own_media_is_saved(client, ferrum):
    products_make(1)
    catalog = catalog_page_make(ferrum.home)
    client.force_login(ferrum.editor)
    response = af.post_story(
        client, catalog, [af.figure(ferrum.image.pk), af.downloads(ferrum.document.pk)]
    )
    assert response.status_code == 302, af.form_errors(response)
    draft = CatalogPage.objects.get(pk=catalog.pk).get_latest_revision_as_object()
    assert [story.sku for story in draft.stories.all()] == ["FAS-0001"]


def test_an_upload_names_no_other_brands_collection(client, ferrum, hydra):
    """Wagtail's own wall: an editor with one collection gets no collection field, and the
    upload lands in that collection whatever collection id is posted."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import png_bytes

    client.force_login(ferrum.editor)
    images = apps.get_model("brand", "StoreImage").objects.count()
    response = client.post(
        "/admin/images/add/",
        {
            "title": "sneaky",
            "collection": str(hydra.store.collection_id),
            "file": SimpleUploadedFile("x.png", png_bytes(), content_type="image/png"),
        },
        HTTP_HOST=af.ADMIN,
    )
    assert response.status_code == 302
    image_model = apps.get_model("brand", "StoreImage")
    assert image_model.objects.count() == images + 1
    assert image_model.objects.get(title="sneaky").collection_id == ferrum.store.collection_id


def test_a_preview_with_another_brands_image_is_not_shown(client, ferrum, hydra):
    """The preview keeps the posted form only when it is valid: Hydra's image never renders on
    Ferrum's page, not even in a preview."""
    client.force_login(ferrum.editor)
    url = f"/admin/pages/{ferrum.landing.pk}/edit/preview/"
    data = af.page_form_data(ferrum.landing.title, "campaign", [af.hero(hydra.image.pk)])
    assert client.post(url, data, HTTP_HOST=af.ADMIN).json()["is_valid"] is False
    own = af.page_form_data(ferrum.landing.title, "campaign", [af.hero(ferrum.image.pk)])
    assert client.post(url, own, HTTP_HOST=af.ADMIN).json()["is_valid"] is True


def test_an_editor_of_both_brands_keeps_each_brands_media_in_its_own_pages(client, ferrum, hydra):
    """The wall is the edited page's store, not the editor's: an editor of Ferrum and Hydra
    still may not put Hydra's image on Ferrum's page, and may put it on Hydra's."""
    from storefleet.tenants.services import store_editor_add

    store_editor_add(store=hydra.store, user=ferrum.editor)
    client.force_login(ferrum.editor)
    refused = af.post_page(client, ferrum.landing, [af.hero(hydra.image.pk)])
    assert refused.status_code == 200
    assert IMAGE in af.form_errors(refused)
    saved = af.post_page(client, hydra.landing, [af.hero(hydra.image.pk)])
    assert saved.status_code == 302, af.form_errors(saved)

"""Where uploaded images, renditions and documents are stored: under the prefix of the store
owning their collection (``stores/<slug>/``, routed to the store's bucket in production), or
under Wagtail's shared folders when no store owns it."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from storefleet.brand.models import StoreDocument, StoreImage, StoreRendition
from storefleet.tenants.selectors import store_owning_collection
from tests.factories import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_storage(settings):
    """A new in-memory storage per test, so names never collide with an earlier test's."""
    settings.STORAGES = {**settings.STORAGES}


def _image(collection: Collection, name: str = "bolt.png") -> StoreImage:
    return StoreImage.objects.create(
        title=name, collection=collection, file=ImageFile(io.BytesIO(png_bytes()), name=name)
    )


def _document(collection: Collection, name: str = "sheet.pdf") -> StoreDocument:
    document = StoreDocument(title=name, collection=collection)
    document.file.save(name, ContentFile(b"%PDF-1.4 sheet"), save=False)
    document.save()
    return document


def test_wagtail_uses_the_store_media_models():
    assert (get_image_model(), get_document_model()) == (StoreImage, StoreDocument)
    assert StoreImage.get_rendition_model() is StoreRendition


def test_a_stores_image_its_rendition_and_document_go_under_the_stores_prefix(ferrum):
    image = _image(ferrum.store.collection)
    rendition = image.get_rendition("fill-20x20")
    document = _document(ferrum.store.collection)

    assert image.file.name == "stores/ferrum/original_images/bolt.png"
    assert rendition.file.name == "stores/ferrum/images/bolt.2e16d0ba.fill-20x20.png"
    assert document.file.name == "stores/ferrum/documents/sheet.pdf"
    assert default_storage.exists(image.file.name) and default_storage.exists(rendition.file.name)


def test_a_nested_collection_belongs_to_the_store_above_it(ferrum, hydra):
    campaign = ferrum.store.collection.add_child(name="Campaign 2026")
    banners = campaign.add_child(name="Banners")

    assert store_owning_collection(banners.pk) == ferrum.store
    assert _image(banners).file.name == "stores/ferrum/original_images/bolt.png"
    assert _document(banners).file.name == "stores/ferrum/documents/sheet.pdf"


def test_a_collection_no_store_owns_keeps_the_shared_folders(ferrum):
    root = Collection.get_first_root_node()
    platform = root.add_child(name="Platform")

    assert store_owning_collection(root.pk) is None
    assert store_owning_collection(platform.pk) is None
    image = _image(platform)
    assert image.file.name == "original_images/bolt.png"
    assert image.get_rendition("width-10").file.name == "images/bolt.width-10.png"
    assert _document(root).file.name == "documents/sheet.pdf"


def test_renditions_go_where_their_original_went(ferrum, hydra):
    """Moving an image to another store's collection does not move its file; its renditions
    stay next to it (same bucket, same CDN). An image stored before per-store paths keeps its
    renditions in the shared folders too."""
    moved = _image(ferrum.store.collection)
    moved.collection = hydra.store.collection
    moved.save()
    legacy = StoreImage.objects.create(
        title="legacy",
        collection=ferrum.store.collection,
        file="original_images/legacy.png",
        width=40,
        height=30,
    )
    default_storage.save("original_images/legacy.png", ContentFile(png_bytes()))

    assert moved.get_rendition("width-10").file.name == "stores/ferrum/images/bolt.width-10.png"
    assert legacy.get_rendition("width-10").file.name == "images/legacy.width-10.png"


def test_a_long_name_is_shortened_to_fit_the_field_with_its_prefix(ferrum):
    long_name = "a" * 120 + ".png"
    image = _image(ferrum.store.collection, long_name)
    document = _document(ferrum.store.collection, "d" * 120 + ".pdf")

    assert image.file.name.startswith("stores/ferrum/original_images/aaa")
    assert image.file.name.endswith(".png") and len(image.file.name) <= 100
    assert document.file.name.startswith("stores/ferrum/documents/ddd")
    assert document.file.name.endswith(".pdf") and len(document.file.name) <= 100


def test_an_editor_cannot_upload_into_another_stores_collection(client, ferrum, hydra):
    """Wagtail's per-collection permissions still hold for the store models: an editor with
    one collection gets no choice, and an upload naming Hydra's lands in Ferrum's own."""
    client.force_login(ferrum.editor)

    response = client.post(
        "/admin/images/multiple/add/",
        {
            "files[]": ContentFile(png_bytes(), name="intruder.png"),
            "collection": hydra.store.collection_id,
        },
        HTTP_HOST="localhost",
    )

    assert response.status_code == 200 and response.json()["success"] is True
    image = StoreImage.objects.get(pk=response.json()["image_id"])
    assert (image.collection_id, image.file.name) == (
        ferrum.store.collection_id,
        "stores/ferrum/original_images/intruder.png",
    )
    assert not StoreImage.objects.filter(collection=hydra.store.collection).exclude(
        pk=hydra.image.pk
    )
    assert not default_storage.exists("stores/hydra/original_images/intruder.png")

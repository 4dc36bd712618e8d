"""The move to the store media models (brand 0004 to 0007) on an installation that already has
images and documents: rows keep their ids, file names, dates and tags, the brand's logo and
Wagtail's usage index still point at them, new rows get new ids, and a rollback keeps what
was uploaded since.

Transactional: migrations change the schema, which SQLite cannot do inside the transaction a
normal test runs in. Each test ends with the latest migrations applied again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps
from wagtail.models import ReferenceIndex, Site

from storefleet.brand.models import BrandSettings, StoreDocument, StoreImage

BRAND_BEFORE = ("brand", "0003_alter_brandsettings_accent_colour_and_more")
UPLOADED = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def executor():
    executor = MigrationExecutor(connection)
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _latest(executor: MigrationExecutor) -> None:
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _before(executor: MigrationExecutor) -> StateApps:
    """Migrate to the state before 0004 (every other app at its latest) and return its
    models."""
    executor.loader.build_graph()
    targets = [n for n in executor.loader.graph.leaf_nodes() if n[0] != "brand"]
    targets.append(BRAND_BEFORE)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _legacy_install(executor: MigrationExecutor) -> dict[str, int]:
    """What a demo install made before 0004: Wagtail's own image (with a rendition and a tag)
    and document, a store site whose brand settings use the image as logo, and the usage
    row Wagtail's reference index keeps for it."""
    apps = _before(executor)
    content_type = apps.get_model("contenttypes", "ContentType").objects.get_or_create
    image_type, _ = content_type(app_label="wagtailimages", model="image")
    settings_type, _ = content_type(app_label="brand", model="brandsettings")
    root_collection = apps.get_model("wagtailcore", "Collection").objects.get(depth=1)
    root_page = apps.get_model("wagtailcore", "Page").objects.get(depth=1)

    image = apps.get_model("wagtailimages", "Image").objects.create(
        pk=41,
        title="Legacy valve",
        file="original_images/valve.png",
        width=40,
        height=30,
        collection_id=root_collection.pk,
    )
    apps.get_model("wagtailimages", "Image").objects.filter(pk=41).update(created_at=UPLOADED)
    apps.get_model("wagtailimages", "Rendition").objects.create(
        image=image, filter_spec="width-10", file="images/valve.width-10.png", width=10, height=8
    )
    tag = apps.get_model("taggit", "Tag").objects.create(name="valves", slug="valves")
    apps.get_model("taggit", "TaggedItem").objects.create(
        content_type=image_type, object_id=41, tag=tag
    )
    document = apps.get_model("wagtaildocs", "Document").objects.create(
        pk=7, title="Legacy sheet", file="documents/sheet.pdf", collection_id=root_collection.pk
    )
    site = apps.get_model("wagtailcore", "Site").objects.create(
        hostname="legacy.localhost", root_page_id=root_page.pk
    )
    brand = apps.get_model("brand", "BrandSettings").objects.create(site=site, logo_id=41)
    apps.get_model("wagtailcore", "ReferenceIndex").objects.create(
        content_type=settings_type,
        base_content_type=settings_type,
        object_id=str(brand.pk),
        to_content_type=image_type,
        to_object_id="41",
        model_path="logo",
        content_path="logo",
        content_path_hash=uuid.uuid5(uuid.NAMESPACE_URL, "logo"),
    )
    return {"image": image.pk, "document": document.pk, "site": site.pk}


def test_existing_images_and_documents_move_with_their_ids(executor):
    made = _legacy_install(executor)

    _latest(executor)

    image = StoreImage.objects.get(pk=made["image"])
    assert (image.title, image.file.name, image.created_at) == (
        "Legacy valve",
        "original_images/valve.png",
        UPLOADED,
    )
    assert [(r.filter_spec, r.file.name) for r in image.renditions.all()] == [
        ("width-10", "images/valve.width-10.png")
    ]
    assert list(image.tags.names()) == ["valves"]
    document = StoreDocument.objects.get(pk=made["document"])
    assert (document.title, document.file.name) == ("Legacy sheet", "documents/sheet.pdf")
    assert BrandSettings.objects.get(site_id=made["site"]).logo == image
    assert ReferenceIndex.get_references_to(image).count() == 1
    # The next ids come after the copied ones (PostgreSQL's sequences were reset).
    assert StoreImage.objects.create(
        title="new", file="original_images/new.png", width=1, height=1
    ).pk == (made["image"] + 1)
    assert StoreDocument.objects.create(title="new", file="documents/new.pdf").pk == (
        made["document"] + 1
    )


def test_a_rollback_keeps_what_was_uploaded_since(executor):
    made = _legacy_install(executor)
    _latest(executor)
    new = StoreImage.objects.create(
        title="New logo", file="original_images/new.png", width=1, height=1
    )
    BrandSettings.objects.filter(site_id=made["site"]).update(logo=new)

    apps = _before(executor)

    Image = apps.get_model("wagtailimages", "Image")
    assert sorted(Image.objects.values_list("pk", "file")) == [
        (made["image"], "original_images/valve.png"),
        (new.pk, "original_images/new.png"),
    ]
    assert (
        apps.get_model("brand", "BrandSettings").objects.get(site_id=made["site"]).logo_id == new.pk
    )
    assert Site.objects.filter(pk=made["site"]).exists()

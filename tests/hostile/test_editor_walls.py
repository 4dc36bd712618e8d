"""Walls between brands by id, as a matrix: each editor (Ferrum's, Hydra's) × each reference an
editor's form can carry (setting images, navigation links, page blocks, product stories, the
collection of an upload) × the editor's own object, the other brand's, and hostile ids.

A cell is breached when what got saved refers to another brand's object. The other brand's id
must also be refused with a message that says what to pick, and leave nothing written; a
hostile id must never answer 500; the brand's own id must be saved."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from hypothesis import given
from hypothesis import strategies as st
from wagtail.models import Page

from storefleet.brand.models import BrandSettings, NavigationSettings
from storefleet.catalog.models import CatalogPage
from tests.brand import admin_forms as af
from tests.catalog.factories import catalog_page_make, products_make
from tests.factories import BrandWorld, png_bytes
from tests.hostile.harness import (
    check_refusal,
    check_response,
    check_wall,
    hostile,
    nothing_written,
)
from tests.hostile.strategies import hostile_id

pytestmark = pytest.mark.django_db

WALL_MESSAGE = re.compile(r"Pick an? (image|document|page) of \w+(&#x27;|'|\\u0027)s own")

Ref = tuple[str, int]  # (kind, id) of an object something saved refers to


def _catalog(world: BrandWorld) -> CatalogPage:
    return CatalogPage.objects.descendant_of(world.home).get()


def _block_refs(stream) -> Iterator[Ref]:  # type: ignore[no-untyped-def]
    for child in stream:
        for model, pk, _path, _content in child.block.extract_references(child.value):
            yield _kind(model), int(pk)


def _kind(model: type[Model]) -> str:
    if issubclass(model, Page):
        return "page"
    return model._meta.model_name.removeprefix("store")  # image, document


def _page_refs(page: Page) -> Iterator[Ref]:
    latest = Page.objects.get(pk=page.pk).specific.get_latest_revision_as_object()
    yield from _block_refs(latest.body)


def _story_refs(world: BrandWorld) -> Iterator[Ref]:
    for story in _catalog(world).get_latest_revision_as_object().stories.all():
        yield from _block_refs(story.body)


def _setting_refs(world: BrandWorld) -> Iterator[Ref]:
    settings = BrandSettings.objects.get(site=world.store.site)
    yield from (("image", pk) for pk in (settings.logo_id, settings.favicon_id) if pk)


def _navigation_refs(world: BrandWorld) -> Iterator[Ref]:
    navigation = NavigationSettings.for_site(world.store.site)
    yield from _block_refs(navigation.primary_links)
    yield from _block_refs(navigation.footer_columns)


def _upload_refs(world: BrandWorld) -> Iterator[Ref]:
    uploads = apps.get_model("brand", "StoreImage").objects.filter(uploaded_by_user=world.editor)
    for collection_id in uploads.values_list("collection_id", flat=True):
        yield "collection", collection_id


def _document_upload_refs(world: BrandWorld) -> Iterator[Ref]:
    uploads = apps.get_model("brand", "StoreDocument").objects.filter(uploaded_by_user=world.editor)
    for collection_id in uploads.values_list("collection_id", flat=True):
        yield "collection", collection_id


def _image_refs(world: BrandWorld) -> Iterator[Ref]:
    image = apps.get_model("brand", "StoreImage").objects.get(pk=world.image.pk)
    yield "collection", image.collection_id


def _document_upload(client, me: BrandWorld, ref: str):  # type: ignore[no-untyped-def]
    document = SimpleUploadedFile("x.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    data = {"title": "upload", "collection": ref, "file": document}
    return client.post("/admin/documents/add/", data, HTTP_HOST=af.ADMIN)


def _image_move(client, me: BrandWorld, ref: str):  # type: ignore[no-untyped-def]
    """Edit the brand's own image, naming another collection for it."""
    data = {"title": "moved", "collection": ref, "tags": "", "focal_point_x": ""}
    return client.post(f"/admin/images/{me.image.pk}/", data, HTTP_HOST=af.ADMIN)


def _upload(client, me: BrandWorld, ref: str):  # type: ignore[no-untyped-def]
    image = SimpleUploadedFile("x.png", png_bytes(), content_type="image/png")
    data = {"title": "upload", "collection": ref, "file": image}
    return client.post("/admin/images/add/", data, HTTP_HOST=af.ADMIN)


@dataclass(frozen=True)
class Cell:
    """One reference an editor's form can carry."""

    name: str
    kind: str  # what the reference names: image, document, page, collection
    post: Callable  # (client, me, ref) -> response
    saved: Callable[[BrandWorld], Iterator[Ref]]  # what the editor's store now refers to
    edits: Callable[[BrandWorld], str]  # the form's URL (opened once before posting)
    refused: bool = True  # the other brand's id is refused (else: ignored by Wagtail)


def _page_cell(name: str, kind: str, block: Callable) -> Cell:
    return Cell(
        name,
        kind,
        lambda client, me, ref: af.post_page(client, me.landing, [block(ref)], publish=True),
        lambda me: _page_refs(me.landing),
        lambda me: f"/admin/pages/{me.landing.pk}/edit/",
    )


def _story_cell(name: str, kind: str, block: Callable) -> Cell:
    return Cell(
        name,
        kind,
        lambda client, me, ref: af.post_story(client, _catalog(me), [block(ref)]),
        _story_refs,
        lambda me: f"/admin/pages/{_catalog(me).pk}/edit/",
    )


def _brand_settings(field: str) -> Callable:
    return lambda client, me, ref: af.post_brand_settings(client, me, **{field: ref})


def _navigation(where: str) -> Callable:
    return lambda client, me, ref: af.post_navigation(client, me, **{where: [af.link(ref)]})


CELLS = [
    Cell(
        "brand settings: logo",
        "image",
        _brand_settings("logo"),
        _setting_refs,
        lambda me: af.settings_url(me, "brandsettings"),
    ),
    Cell(
        "brand settings: favicon",
        "image",
        _brand_settings("favicon"),
        _setting_refs,
        lambda me: af.settings_url(me, "brandsettings"),
    ),
    Cell(
        "navigation: primary link",
        "page",
        _navigation("primary"),
        _navigation_refs,
        lambda me: af.settings_url(me, "navigationsettings"),
    ),
    Cell(
        "navigation: footer link",
        "page",
        _navigation("footer"),
        _navigation_refs,
        lambda me: af.settings_url(me, "navigationsettings"),
    ),
    _page_cell("page block: hero image", "image", af.hero),
    _page_cell("page block: image with text", "image", af.image_with_text),
    _page_cell("page block: download", "document", af.downloads),
    _page_cell("page block: product teaser image", "image", af.teaser),
    _page_cell("page block: call-to-action page", "page", af.call_to_action),
    _page_cell("page block: rich text page link", "page", af.rich_text_page_link),
    _page_cell("page block: rich text document link", "document", af.rich_text_document_link),
    _story_cell("product story: image", "image", af.figure),
    _story_cell("product story: image with text", "image", af.image_with_text),
    _story_cell("product story: download", "document", af.downloads),
    _story_cell("product story: rich text page link", "page", af.rich_text_page_link),
    Cell(
        "upload: collection",
        "collection",
        _upload,
        _upload_refs,
        lambda me: "/admin/images/add/",
        refused=False,
    ),
    Cell(
        "document upload: collection",
        "collection",
        _document_upload,
        _document_upload_refs,
        lambda me: "/admin/documents/add/",
        refused=False,
    ),
    Cell(
        "image edit: collection",
        "collection",
        _image_move,
        _image_refs,
        lambda me: f"/admin/images/{me.image.pk}/",
        refused=False,
    ),
]
EDITORS = [("ferrum", "hydra"), ("hydra", "ferrum")]


def _object_of(world: BrandWorld, kind: str) -> int:
    return {
        "image": world.image.pk,
        "document": world.document.pk,
        "page": world.landing.pk,
        "collection": world.store.collection_id,
    }[kind]


def _is_own(me: BrandWorld, ref: Ref) -> bool:
    kind, pk = ref
    if kind == "page":
        return Page.objects.filter(pk=pk, path__startswith=me.home.path).exists()
    if kind == "collection":
        return pk == me.store.collection_id
    model = apps.get_model("brand", f"Store{kind}")
    return model.objects.filter(pk=pk, collection_id=me.store.collection_id).exists()


def _breached(cell: Cell, me: BrandWorld) -> list[Ref]:
    return [ref for ref in cell.saved(me) if not _is_own(me, ref)]


@pytest.fixture
def worlds(ferrum, hydra) -> dict[str, BrandWorld]:
    """Both brands with a catalog page (for product stories) and the product FAS-0001."""
    products_make(1)
    for world in (ferrum, hydra):
        catalog_page_make(world.home)
    return {"ferrum": ferrum, "hydra": hydra}


def _open(client, cell: Cell, me: BrandWorld) -> None:  # type: ignore[no-untyped-def]
    """Sign in and open the form once, as an editor would: opening a page's form subscribes
    its editor to its comments (a row), which is no part of what a post writes."""
    client.force_login(me.editor)
    check_response(client.get(cell.edits(me), HTTP_HOST=af.ADMIN))


@pytest.mark.parametrize("cell", CELLS, ids=[c.name for c in CELLS])
@pytest.mark.parametrize(("own", "other"), EDITORS)
def test_the_other_brands_id_is_refused_and_nothing_is_written(client, worlds, cell, own, other):
    me = worlds[own]
    _open(client, cell, me)
    what = f"{own}.editor, {cell.name}, {other}'s {cell.kind}"
    ref = str(_object_of(worlds[other], cell.kind))
    if cell.refused:
        with nothing_written():
            response = cell.post(client, me, ref)
            check_refusal(response, says=WALL_MESSAGE)
        assert response.status_code == 200, what
    else:
        check_response(cell.post(client, me, ref))
    check_wall(bool(_breached(cell, me)), what)


@pytest.mark.parametrize("cell", CELLS, ids=[c.name for c in CELLS])
@pytest.mark.parametrize(("own", "other"), EDITORS)
def test_the_brands_own_id_is_saved(client, worlds, cell, own, other):
    me = worlds[own]
    _open(client, cell, me)
    response = cell.post(client, me, str(_object_of(me, cell.kind)))
    check_response(response)
    assert response.status_code == 302, af.form_errors(response)
    saved = list(cell.saved(me))
    assert (cell.kind, _object_of(me, cell.kind)) in saved, f"{own}: {cell.name} not saved"
    check_wall(bool(_breached(cell, me)), f"{own}.editor, {cell.name}, own {cell.kind}")


@hostile
@given(data=st.data())
def test_hostile_ids_never_breach_a_wall_nor_break_a_form(client, worlds, data):
    cell = data.draw(st.sampled_from(CELLS), label="cell")
    own, _other = data.draw(st.sampled_from(EDITORS), label="editor")
    me = worlds[own]
    known = [str(_object_of(world, cell.kind)) for world in worlds.values()]
    ref = data.draw(st.one_of(hostile_id(), st.sampled_from(known)), label="id")
    client.force_login(me.editor)
    response = cell.post(client, me, ref)
    check_response(response)
    check_wall(bool(_breached(cell, me)), f"{own}.editor, {cell.name}, id {ref!r}")


@pytest.mark.parametrize(("own", "other"), EDITORS)
def test_snippets_offer_editors_nothing_of_another_brand(client, worlds, own, other):
    """No snippet model is registered: the snippets area lists nothing to refer to."""
    from wagtail.snippets.models import get_snippet_models

    client.force_login(worlds[own].editor)
    response = client.get("/admin/snippets/", HTTP_HOST=af.ADMIN, follow=True)
    check_response(response)
    body = response.content.decode()
    check_wall(
        bool(get_snippet_models()) or worlds[other].marker in body,
        f"{own}.editor, snippets, {other}'s objects",
    )

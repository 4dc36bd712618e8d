"""Builders for test data. Stores are always opened by the real ``store_open`` service, so the
tests exercise the permissions and page trees that production stores get."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from storefleet.brand.models import ContentPage, HomePage, LandingPage
from storefleet.provisioning.stores import store_open
from storefleet.tenants.models import Store, StoreStatus
from storefleet.tenants.services import StoreSpec, store_editor_add

PASSWORD = "test-password-123"


@dataclass
class BrandWorld:
    """A store and one object of every kind its editors own, each titled with a marker that
    must never appear in another brand's admin responses."""

    store: Store
    marker: str
    home: HomePage
    landing: LandingPage
    content: ContentPage
    image: object
    document: object
    editor: AbstractBaseUser


@dataclass(frozen=True)
class BrandKeys:
    """A ``BrandWorld`` by primary key, for a world built once per module
    (``tests.module_world``): each test reads its own instances with ``read()`` (a test that
    changes one in memory changes nothing the next test gets)."""

    marker: str
    store: int
    home: int
    landing: int
    content: int
    image: int
    document: int
    editor: int

    @classmethod
    def of(cls, world: BrandWorld) -> BrandKeys:
        return cls(
            marker=world.marker,
            store=world.store.pk,
            home=world.home.pk,
            landing=world.landing.pk,
            content=world.content.pk,
            image=world.image.pk,  # type: ignore[attr-defined]
            document=world.document.pk,  # type: ignore[attr-defined]
            editor=world.editor.pk,
        )

    def read(self) -> BrandWorld:
        return BrandWorld(
            store=Store.objects.get(pk=self.store),
            marker=self.marker,
            home=HomePage.objects.get(pk=self.home),
            landing=LandingPage.objects.get(pk=self.landing),
            content=ContentPage.objects.get(pk=self.content),
            image=get_image_model().objects.get(pk=self.image),
            document=get_document_model().objects.get(pk=self.document),
            editor=get_user_model().objects.get(pk=self.editor),
        )


def png_bytes(colour: str = "#336699", size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def make_store(
    slug: str,
    name: str,
    *,
    currency: str = "EUR",
    country: str = "DE",
    hostname: str | None = None,
    status: StoreStatus = StoreStatus.LIVE,
    languages: tuple[str, ...] = (),
) -> Store:
    return store_open(
        spec=StoreSpec(
            default_language=languages[0] if languages else "en",
            languages=languages,
            slug=slug,
            name=name,
            brand=name.split()[0],
            region="Europe",
            hostname=hostname or f"{slug}.localhost",
            currency=currency,
            country=country,
            status=status,
        )
    )


# The two brands most tests are about: build_brand(*BRANDS["ferrum"]).
BRANDS = {
    "ferrum": ("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91"),
    "hydra": ("hydra", "Hydra Flow Systems", "USD", "US", "#00695C"),
}


def build_brand(slug: str, name: str, currency: str, country: str, colour: str) -> BrandWorld:
    marker = f"{slug.upper()}-MARKER"
    store = make_store(slug, name, currency=currency, country=country)
    home = HomePage.objects.get(pk=store.site.root_page_id)
    home.body = json.dumps(
        [
            {
                "type": "hero",
                "value": {
                    "heading": f"{marker} hero",
                    "eyebrow": "",
                    "text": "",
                    "image": None,
                    "primary_action": {},
                    "secondary_action": {},
                },
            }
        ]
    )
    home.save_revision().publish()
    landing = LandingPage(title=f"{marker} landing", slug="campaign")
    home.add_child(instance=landing)
    landing.save_revision().publish()
    content = ContentPage(title=f"{marker} content", slug="about")
    home.add_child(instance=content)
    content.save_revision().publish()
    image = get_image_model().objects.create(
        title=f"{marker} image",
        collection=store.collection,
        file=ImageFile(io.BytesIO(png_bytes(colour)), name=f"{slug}.png"),
    )
    document = get_document_model()(title=f"{marker} document", collection=store.collection)
    document.file.save(f"{slug}.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    document.save()
    editor = get_user_model().objects.create_user(f"{slug}.editor", f"{slug}@example.com", PASSWORD)
    store_editor_add(store=store, user=editor)
    return BrandWorld(
        store=store,
        marker=marker,
        home=home,
        landing=landing,
        content=content,
        image=image,
        document=document,
        editor=editor,
    )


def wagtail_roots_ensure() -> None:
    """Put back the locale, page tree root and root collection Wagtail's migrations made, if a
    transactional test's flush removed them."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Collection, Locale, Page

    Locale.objects.get_or_create(language_code="en")
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(
            instance=Page(
                title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page)
            )
        )
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")

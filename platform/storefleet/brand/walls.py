"""The wall between brands for what an editor submits, by id.

The chooser screens show an editor only their own store's images, documents and pages, but a
form field takes whatever id is posted. So every reference a form carries — a foreign key
(the logo), a chooser block, a page or document link inside rich text, at any depth of a
StreamField, in the form or in its inline forms (product stories) — is checked here against
the store the edited object belongs to. The references are the ones Wagtail's reference index
records (``Block.extract_references``), so a new block type is covered without a change here.

Platform IT (superusers) may refer to anything.

A refused form is shown again with what the editor posted, and a chooser shows the title and a
thumbnail of what it holds: while an editor's form renders, the choosers show nothing of what
the form may not refer to (``choosers_show_only``), so that typing ids reveals nothing either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from wagtail.blocks import StreamValue
from wagtail.documents import get_document_model
from wagtail.documents.models import AbstractDocument
from wagtail.images import get_image_model
from wagtail.images.models import AbstractImage
from wagtail.models import Collection, Page

from storefleet.tenants.models import Store
from storefleet.tenants.selectors import store_owning_page_path, stores_editable_by


def store_tree_paths(root_page_ids: Iterable[int]) -> list[str]:
    """The tree paths of these stores in every language: the home page each Site points at and
    its translations (with Wagtail's locales each language's home is a sibling of it under the
    tree root, so its pages are not below the Site's root page)."""
    roots = Page.objects.filter(pk__in=list(root_page_ids)).values("translation_key")
    return sorted(Page.objects.filter(translation_key__in=roots).values_list("path", flat=True))


def store_owning_page(path: str | None) -> Store | None:
    """The store whose page tree, in any of its languages, holds the page at ``path``."""
    store = store_owning_page_path(path)
    if store is not None or not path or len(path) < 2 * Page.steplen:
        return store
    home = Page.objects.filter(path=path[: 2 * Page.steplen]).values("translation_key")
    site_root = (
        Page.objects.filter(translation_key__in=home, sites_rooted_here__isnull=False)
        .values_list("path", flat=True)
        .first()
    )
    return store_owning_page_path(site_root)


# An id as a database holds it: digits, and few enough not to overflow a bigint.
_ID = re.compile(r"\A[0-9]{1,18}\Z")


@dataclass(frozen=True, slots=True)
class Reference:
    """One object a form refers to: which field, where in it, what kind, which id."""

    field: str
    where: str
    model: type[Model]
    pk: str


@dataclass(frozen=True, slots=True)
class ReferenceScope:
    """What a form may refer to: the media of these stores' collections (and the collections
    below them) and the pages of their trees, in every language."""

    brands: tuple[str, ...]
    collection_paths: tuple[str, ...]
    page_paths: tuple[str, ...]

    @classmethod
    def of_stores(cls, stores: Iterable[Store]) -> ReferenceScope:
        stores = list(stores)
        return cls(
            brands=tuple(store.brand for store in stores),
            collection_paths=tuple(store.collection.path for store in stores),
            page_paths=tuple(store_tree_paths(store.site.root_page_id for store in stores)),
        )

    def _under(self, field: str, paths: tuple[str, ...]) -> Q:
        inside = Q(pk__in=[])
        for path in paths:
            inside |= Q(**{f"{field}__startswith": path})
        return inside

    def refusal(self, reference: Reference) -> str | None:
        """Why the form may not refer to this object; ``None`` when it may (or when the object
        is of a kind no store owns, such as a product category)."""
        model = reference.model
        if issubclass(model, Page):
            found: QuerySet = Page.objects.filter(self._under("path", self.page_paths))
            message = _("Pick a page of %(brand)s's own site.")
        elif issubclass(model, AbstractImage):
            found = get_image_model().objects.filter(
                self._under("collection__path", self.collection_paths)
            )
            message = _("Pick an image of %(brand)s's own collection.")
        elif issubclass(model, AbstractDocument):
            found = get_document_model().objects.filter(
                self._under("collection__path", self.collection_paths)
            )
            message = _("Pick a document of %(brand)s's own collection.")
        elif issubclass(model, Collection):
            found = Collection.objects.filter(self._under("path", self.collection_paths))
            message = _("Choose %(brand)s's own collection.")
        else:
            return None
        if _ID.match(reference.pk) and found.filter(pk=int(reference.pk)).exists():
            return None
        brand = _(" or ").join(self.brands) if self.brands else _("your store")
        return message % {"brand": brand}


def reference_scope(*, user, stores: Iterable[Store] | None) -> ReferenceScope | None:
    """What ``user`` may refer to when editing an object of ``stores`` (``None``: an object of
    no particular store, so any store the user edits). ``None`` for platform IT: no wall."""
    if user is None or not user.is_authenticated:
        return ReferenceScope(brands=(), collection_paths=(), page_paths=())
    if user.is_superuser:
        return None
    if stores is None:
        stores = stores_editable_by(user).select_related("site__root_page", "collection")
    return ReferenceScope.of_stores(stores)


def references_in(field: str, value: object) -> Iterator[Reference]:
    """The objects a cleaned form value refers to: a model instance, several of them, or the
    references anywhere in a StreamField's blocks (choosers, rich text links)."""
    if isinstance(value, Model):
        yield Reference(field, "", type(value), str(value.pk))
    elif isinstance(value, QuerySet | list | tuple):
        for item in value:
            if isinstance(item, Model):
                yield Reference(field, "", type(item), str(item.pk))
    elif isinstance(value, StreamValue):
        for position, child in enumerate(value, start=1):
            where = _("block %(position)s, %(label)s") % {
                "position": position,
                "label": child.block.label,
            }
            for model, pk, _path, _content_path in child.block.extract_references(child.value):
                yield Reference(field, where, model, str(pk))


# What choosers may show while the current request renders an editor's form: set by the form,
# which knows the user and the store; ``None`` (show everything) outside such a request.
_shown: ContextVar[ReferenceScope | None] = ContextVar("storefleet_choosers_show", default=None)


def choosers_show_only(scope: ReferenceScope | None) -> None:
    """Until the request ends, choosers show only objects ``scope`` allows (all if ``None``)."""
    _shown.set(scope)


def choosers_show_all(**_signal: object) -> None:
    """At the start and end of each request: no form's scope outlives its request."""
    _shown.set(None)


def may_show(model: type[Model], pk: object) -> bool:
    """Whether a chooser may show this object to the editor whose form is rendering."""
    scope = _shown.get()
    if scope is None:
        return True
    return scope.refusal(Reference("", "", model, str(pk))) is None

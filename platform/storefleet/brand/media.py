"""Where a store's images, renditions and documents are stored: under ``stores/<slug>/``, the
prefix :class:`storefleet.brand.storage.StoreMediaStorage` routes to that store's own bucket.

The store is the one owning the file's collection (or an ancestor of it) when the file is
uploaded; files in a collection no store owns (the root, platform staff's) keep Wagtail's own
folders, which go to the shared bucket. A file keeps the name it was stored under: moving an
image to another collection later does not move its file."""

from __future__ import annotations

from storefleet.tenants.selectors import store_owning_collection

from .storage import STORE_NAME

SHARED_PREFIX = ""


def store_media_prefix(*, collection_id: int | None) -> str:
    """``stores/<slug>/`` for a collection a store owns, else the shared prefix."""
    store = store_owning_collection(collection_id)
    return f"stores/{store.slug}/" if store else SHARED_PREFIX


def stored_media_prefix(name: str) -> str:
    """The store prefix an already stored file's name starts with (shared if none): renditions
    go where their original went, whatever collection the image is in now."""
    match = STORE_NAME.match(name.replace("\\", "/"))
    return f"stores/{match['slug']}/" if match else SHARED_PREFIX

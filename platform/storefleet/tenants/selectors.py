"""Reads about stores. The host → store map is what every storefront request needs first, so
it is held in the shared cache as one entry and rebuilt with one query when a store changes."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import QuerySet
from wagtail.models import Site

from .models import Store, StoreStatus

HOST_MAP_CACHE_KEY = "tenants:hostmap:v1"
HOST_MAP_TTL_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class StoreRecord:
    """What a request needs to know about its store, without a database query."""

    id: int
    slug: str
    name: str
    brand: str
    region: str
    hostname: str
    currency: str
    default_language: str
    country: str
    status: StoreStatus
    content_version: int
    site: Site
    root_page_id: int

    @property
    def is_live(self) -> bool:
        return self.status == StoreStatus.LIVE


def _record(store: Store) -> StoreRecord:
    return StoreRecord(
        id=store.pk,
        slug=store.slug,
        name=store.name,
        brand=store.brand,
        region=store.region,
        hostname=store.site.hostname.lower(),
        currency=store.currency,
        default_language=store.default_language,
        country=store.country,
        status=StoreStatus(store.status),
        content_version=store.content_version,
        site=store.site,
        root_page_id=store.site.root_page_id,
    )


def store_host_map() -> dict[str, StoreRecord]:
    """Every store by lower-case hostname: one cache read, or one query on a miss."""
    host_map: dict[str, StoreRecord] | None = cache.get(HOST_MAP_CACHE_KEY)
    if host_map is None:
        host_map = {
            record.hostname: record for record in map(_record, Store.objects.select_related("site"))
        }
        cache.set(HOST_MAP_CACHE_KEY, host_map, HOST_MAP_TTL_SECONDS)
    return host_map


def store_for_hostname(hostname: str) -> StoreRecord | None:
    return store_host_map().get(hostname.lower())


def store_list(*, statuses: tuple[StoreStatus, ...] | None = None) -> QuerySet[Store]:
    stores = Store.objects.select_related("site")
    if statuses:
        stores = stores.filter(status__in=statuses)
    return stores.order_by("name")


def store_for_site(site_id: int) -> Store | None:
    return Store.objects.filter(site_id=site_id).first()


def stores_editable_by(user) -> QuerySet[Store]:
    """The stores whose content this user may edit: all for superusers, else by group."""
    if not user.is_authenticated or not user.is_active:
        return Store.objects.none()
    if user.is_superuser:
        return store_list()
    return store_list().filter(editors_group__in=user.groups.all())


def store_site_ids_for_collection(collection_id: int) -> list[int]:
    """Sites of the stores whose media live in this collection."""
    return list(Store.objects.filter(collection_id=collection_id).values_list("site_id", flat=True))

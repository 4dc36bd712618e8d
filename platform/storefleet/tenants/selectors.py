"""Reads about stores.

The host → store map is what every storefront request needs first. Each process keeps it in
memory, tagged with a version held in the shared cache; a request reads only that small
version (one cache round trip, no query) and the map is rebuilt with one query when a store
changes anywhere and the version moves on. Unpickling a map of every store on each request
would make every request slower as the platform grows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import QuerySet
from wagtail.models import Collection, Page, Site

from storefleet.origins import public_base_url

from .models import Store, StoreStatus

HOST_MAP_VERSION_KEY = "tenants:hostmap:version"


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
    erp_warehouse: str
    content_version: int
    site: Site
    root_page_id: int
    time_zone: str = ""  # the store's own; blank: its country's (``locale.zone_for``)
    sandbox: bool = False  # a partner's sandbox store (``api.sandbox``)
    # Every language the storefront speaks, the default first; empty: the default only.
    languages: tuple[str, ...] = ()
    # (language, host) of each language served on a host of its own, unprefixed there.
    language_hosts: tuple[tuple[str, str], ...] = ()

    @property
    def all_languages(self) -> tuple[str, ...]:
        """The default language first, then the others (each a URL prefix on the store's host,
        or unprefixed on its own host: ``language_hosts``)."""
        return self.languages or (self.default_language,)

    @property
    def hosts(self) -> tuple[str, ...]:
        """Every host the store answers on: its own first, then its languages' own."""
        return (self.hostname, *(host for _language, host in self.language_hosts))

    @property
    def is_live(self) -> bool:
        return self.status == StoreStatus.LIVE

    @property
    def base_url(self) -> str:
        return public_base_url(self.hostname)


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
        erp_warehouse=store.erp_warehouse,
        content_version=store.content_version,
        site=store.site,
        root_page_id=store.site.root_page_id,
        time_zone=store.time_zone,
        sandbox=store.sandbox,
        languages=store.all_languages,
        language_hosts=tuple(
            (language, str(host).lower())
            for language, host in sorted(dict(store.language_hosts or {}).items())
        ),
    )


@dataclass
class _LocalHostMap:
    version: str | None = None
    stores: dict[str, StoreRecord] | None = None


_local = _LocalHostMap()


def store_record(store: Store) -> StoreRecord:
    """The request-time record of a store (for tasks, which have no request)."""
    return _record(store)


def store_record_by_id(store_id: int) -> StoreRecord | None:
    store = Store.objects.select_related("site").filter(id=store_id).first()
    return _record(store) if store else None


def store_host_map() -> dict[str, StoreRecord]:
    """Every store by each lower-case host it answers on (its own and its languages' own): one
    cache read, plus one query when it changed."""
    version = cache.get(HOST_MAP_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        # add(): when several processes start at once, they agree on the first version.
        if not cache.add(HOST_MAP_VERSION_KEY, version, timeout=None):
            version = cache.get(HOST_MAP_VERSION_KEY, version)
    stores = _local.stores
    if stores is None or _local.version != version:
        records = list(map(_record, Store.objects.select_related("site")))
        # Language hosts first: a store's own host wins over any language's (the launch
        # refuses a clash; this keeps one that slipped in from taking a store's host over).
        stores = {host: r for r in records for _language, host in r.language_hosts}
        stores.update((record.hostname, record) for record in records)
        _local.version, _local.stores = version, stores
    return stores


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


def store_owning_collection(collection_id: int | None) -> Store | None:
    """The store whose media live in this collection: the one whose own collection it is or,
    for a sub-collection its editors made, the nearest ancestor's. ``None`` for collections no
    store owns (the root, platform staff's)."""
    path = Collection.objects.filter(pk=collection_id).values_list("path", flat=True).first()
    if path is None:
        return None
    ancestors = [path[:end] for end in range(Collection.steplen, len(path) + 1, Collection.steplen)]
    return (
        Store.objects.filter(collection__path__in=ancestors)
        .order_by("-collection__depth")
        .select_related("site")
        .first()
    )


def store_site_ids_for_collection(collection_id: int) -> list[int]:
    """Sites of the stores whose media live in this collection (or in an ancestor of it)."""
    store = store_owning_collection(collection_id)
    return [store.site_id] if store else []


def store_owning_page_path(path: str | None) -> Store | None:
    """The store whose page tree holds the page at ``path`` (its home page or a page below
    it); ``None`` for the tree root and for pages of no store."""
    if not path:
        return None
    ancestors = [path[:end] for end in range(Page.steplen, len(path) + 1, Page.steplen)]
    store = (
        Store.objects.filter(site__root_page__path__in=ancestors)
        .order_by("-site__root_page__depth")
        .select_related("site__root_page", "collection")
        .first()
    )
    if store is None and len(path) >= 2 * Page.steplen:
        # A page of the store's tree in another language, under a translation of its home.
        top = Page.objects.filter(path=path[: 2 * Page.steplen]).first()
        if top is not None and top.locale_id:
            store = (
                Store.objects.filter(site__root_page__translation_key=top.translation_key)
                .select_related("site__root_page", "collection")
                .first()
            )
    return store

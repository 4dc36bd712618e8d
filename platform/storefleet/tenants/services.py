"""Writes about stores: registering a store (its Site, page tree, editors group, permissions,
collection) in one transaction, and the invalidations that keep the storefront cache honest."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    GroupSitePermission,
    Page,
    Site,
)

from storefleet.brand import services as brand_services
from storefleet.brand import translations as brand_translations
from storefleet.errors import ApplicationError
from storefleet.origins import public_port

from .locale import storefront_language
from .models import Store, StoreStatus, declared_languages
from .selectors import HOST_MAP_VERSION_KEY

# What a store's marketing team may do, and only within its own store. Images and documents
# are brand.StoreImage and brand.StoreDocument, but Wagtail's permission policy checks any image
# (document) model against wagtailimages.Image's (wagtaildocs.Document's) permissions.
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
EDITOR_COLLECTION_PERMISSIONS = {
    "wagtailimages": ("add_image", "change_image", "choose_image"),
    "wagtaildocs": ("add_document", "change_document", "choose_document"),
}
EDITOR_SITE_SETTING_PERMISSIONS = ("change_brandsettings", "change_navigationsettings")


@dataclass(frozen=True)
class StoreSpec:
    """Everything needed to register a store; validated by :func:`store_create`."""

    slug: str
    name: str
    brand: str
    region: str
    hostname: str
    currency: str
    country: str
    default_language: str = "en"
    status: StoreStatus = StoreStatus.DRAFT
    erp_warehouse: str = ""
    erp_price_list: str = ""
    # The site template and its version the store is launched from ("" when not known).
    template: str = ""
    template_version: str = ""
    # Every language the store speaks, the default first (empty: the default only).
    languages: tuple[str, ...] = ()


def _new_host_map_version() -> None:
    cache.set(HOST_MAP_VERSION_KEY, uuid.uuid4().hex, timeout=None)


def store_host_map_invalidate() -> None:
    """Every process rebuilds its host map on its next request.

    Now, for this process, and again once the transaction commits: a process that rebuilt its
    map from not-yet-committed data in between would otherwise keep it."""
    _new_host_map_version()
    transaction.on_commit(_new_host_map_version)


def store_content_changed(*, site_id: int) -> None:
    """Invalidate every cached page of the store on ``site_id`` (and of no other store)."""
    Store.objects.filter(site_id=site_id).update(content_version=F("content_version") + 1)
    store_host_map_invalidate()


def stores_catalog_changed() -> None:
    """Products changed in the ERP (names, rules, list prices, salable): every store's cached
    pages may show them, so every store's content version moves on."""
    Store.objects.update(content_version=F("content_version") + 1)
    store_host_map_invalidate()


def _validate(spec: StoreSpec) -> None:
    hostname = spec.hostname.lower()
    if Store.objects.filter(slug=spec.slug).exists():
        raise ApplicationError(
            f"A store with the slug '{spec.slug}' exists already; choose another slug.",
            field="slug",
            code="duplicate",
        )
    if Site.objects.filter(hostname=hostname).exists():
        raise ApplicationError(
            f"The hostname '{hostname}' is used by another site; choose another hostname.",
            field="hostname",
            code="duplicate",
        )
    store = Store(
        slug=spec.slug,
        name=spec.name,
        brand=spec.brand,
        region=spec.region,
        currency=spec.currency,
        country=spec.country,
        default_language=spec.default_language,
        status=spec.status,
    )
    try:
        store.clean_fields(exclude=["site", "editors_group", "collection"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ApplicationError(f"{field}: {' '.join(messages)}", field=field) from error


def _grant_page_permissions(group: Group, *, page: Page) -> None:
    """The editors' page permissions on the tree under ``page`` (once)."""
    for codename in EDITOR_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=page,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )


def _grant_editor_permissions(group: Group, *, site: Site, collection: Collection) -> None:
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    _grant_page_permissions(group, page=site.root_page)
    for app_label, codenames in EDITOR_COLLECTION_PERMISSIONS.items():
        for codename in codenames:
            GroupCollectionPermission.objects.create(
                group=group,
                collection=collection,
                permission=Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                ),
            )
    for codename in EDITOR_SITE_SETTING_PERMISSIONS:
        GroupSitePermission.objects.create(
            group=group,
            site=site,
            permission=Permission.objects.get(content_type__app_label="brand", codename=codename),
        )


@transaction.atomic
def store_create(*, spec: StoreSpec) -> Store:
    """Register a store: its home page, Site, collection, editors group with permissions that
    cover only this store, and default brand settings. All or nothing. A launch opens a store
    with ``provisioning.stores.store_open``, which adds its service team."""
    _validate(spec)
    languages = declared_languages(storefront_language(spec.default_language), spec.languages)
    for language in languages:
        brand_translations.locale_for(language=language)
    home = brand_services.home_page_create(
        title=spec.name,
        slug=spec.slug,
        locale=brand_translations.locale_for(language=languages[0]),
    )
    site = Site.objects.create(
        hostname=spec.hostname.lower(),
        port=public_port(),
        root_page=home,
        site_name=spec.name,
        is_default_site=False,
    )
    collection = Collection.get_first_root_node().add_child(name=spec.name)
    group = Group.objects.create(name=f"{spec.name} editors")
    _grant_editor_permissions(group, site=site, collection=collection)
    brand_services.brand_settings_initialise(site=site)
    store = Store.objects.create(
        slug=spec.slug,
        name=spec.name,
        brand=spec.brand,
        region=spec.region,
        site=site,
        currency=spec.currency,
        country=spec.country,
        default_language=spec.default_language,
        languages=list(languages),
        status=spec.status,
        erp_warehouse=spec.erp_warehouse,
        erp_price_list=spec.erp_price_list,
        template=spec.template,
        template_version=spec.template_version,
        editors_group=group,
        collection=collection,
    )
    store_host_map_invalidate()
    return store


@dataclass(frozen=True)
class LanguagesApplied:
    """What :func:`store_languages_apply` did: the store's languages, the languages it added,
    and how many draft pages it copied per language."""

    languages: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    copied: dict[str, int]


@transaction.atomic
def store_languages_apply(*, store: Store, languages: tuple[str, ...]) -> LanguagesApplied:
    """Make the store speak ``languages`` (its default first, as declared): a Wagtail Locale
    for each, and the store's page tree copied into each other language as drafts where a page
    has no translation yet, with the store's editors allowed to edit them. Idempotent: run
    twice, the second finds everything made. A language no longer declared stops being served
    (its pages are kept for the editors)."""
    wanted = declared_languages(storefront_language(store.default_language), languages)
    unknown = [code for code in wanted if code != storefront_language(code)]
    if unknown:
        raise ApplicationError(
            f"The platform has no translations for {', '.join(unknown)}; declare languages of "
            "settings.LANGUAGES only.",
            field="languages",
            code="unknown_language",
        )
    before = store.all_languages
    copied: dict[str, int] = {}
    home = Page.objects.get(pk=store.site.root_page_id).specific
    for language in wanted:
        brand_translations.locale_for(language=language)
    if home.locale.language_code != wanted[0]:
        raise ApplicationError(
            f"The store's pages are in '{home.locale.language_code}', not its default language "
            f"'{wanted[0]}'; run the migrations (tenants) first.",
            code="locale_mismatch",
        )
    for language in wanted[1:]:
        copied[language] = brand_translations.page_tree_translate(home=home, language=language)
    for root in brand_translations.translation_roots(home=home):
        _grant_page_permissions(store.editors_group, page=root)
    if list(wanted) != list(store.languages):
        store.languages = list(wanted)
        store.save(update_fields=["languages", "updated_at"])
    if any(copied.values()) or before != wanted:
        store_content_changed(site_id=store.site_id)
    return LanguagesApplied(
        languages=wanted,
        added=tuple(code for code in wanted if code not in before),
        removed=tuple(code for code in before if code not in wanted),
        copied=copied,
    )


def language_hosts_problems(
    *, store_id: int | None, hostname: str, languages: tuple[str, ...], hosts: dict[str, str]
) -> list[str]:
    """What is wrong with giving a store (``store_id``; None: not registered yet) on
    ``hostname`` speaking ``languages`` (its default first) the language hosts ``hosts``, in
    the words of someone editing store.toml; empty when nothing is."""
    problems = []
    default = languages[0] if languages else ""
    seen: dict[str, str] = {}
    for language, host in hosts.items():
        host = host.lower()
        if language == default:
            problems.append(
                f"'{language}' is the store's default language: it is served unprefixed on the "
                f"store's own host ({hostname}); remove it from [store.hosts], or change the "
                "store's hostname"
            )
        elif language not in languages:
            problems.append(
                f"'{language}' has a host ({host}) but is not one of the store's languages "
                f"({', '.join(languages)}); add it to languages, or remove it from [store.hosts]"
            )
        if host == hostname.lower():
            problems.append(
                f"'{language}' is given the store's own host {host}; give it a host of its own"
            )
        elif host in seen:
            problems.append(
                f"'{language}' and '{seen[host]}' are given the same host {host}; give each "
                "language its own"
            )
        seen.setdefault(host, language)
    taken = _hosts_taken(exclude_store_id=store_id)
    for host, language in seen.items():
        owner = taken.get(host)
        if owner is not None:
            problems.append(f"the host {host} of '{language}' is {owner}; choose another host")
    return problems


def _hosts_taken(*, exclude_store_id: int | None) -> dict[str, str]:
    """Every host some other site or store answers on, with whose it is."""
    sites = Site.objects.all()
    stores = Store.objects.select_related("site")
    if exclude_store_id is not None:
        sites = sites.exclude(store__id=exclude_store_id)
        stores = stores.exclude(id=exclude_store_id)
    taken = {
        site.hostname.lower(): f"the host of the site '{site.site_name or site.hostname}'"
        for site in sites
    }
    for store in stores:
        taken[store.site.hostname.lower()] = f"the host of the store '{store.slug}'"
        for language, host in dict(store.language_hosts or {}).items():
            taken[str(host).lower()] = f"the {language} host of the store '{store.slug}'"
    return taken


@transaction.atomic
def store_language_hosts_apply(*, store: Store, hosts: dict[str, str]) -> bool:
    """Serve each language of ``hosts`` on its own host (unprefixed there), the others under
    their prefix on the store's host. Refuses (changing nothing) a host that is the store's
    own or another store's or site's, the default language, or a language the store does not
    speak. Returns whether anything changed; every cached page of the store is retired then
    (their links name the languages' hosts)."""
    wanted = {language: host.lower() for language, host in sorted(hosts.items())}
    problems = language_hosts_problems(
        store_id=store.pk,
        hostname=store.site.hostname,
        languages=store.all_languages,
        hosts=wanted,
    )
    if problems:
        raise ApplicationError(
            "store.toml [store.hosts]: " + "; ".join(problems) + ".",
            field="hosts",
            code="invalid_language_host",
        )
    if wanted == dict(store.language_hosts or {}):
        return False
    store.language_hosts = wanted
    store.save(update_fields=["language_hosts", "updated_at"])
    store_content_changed(site_id=store.site_id)
    return True


@transaction.atomic
def store_sites_port_sync() -> int:
    """Give every store's Site the port the public reaches the platform on (``make demo``'s
    PORT, 443 behind TLS), so that the page URLs Wagtail writes from it work. Stores are found
    by hostname alone, whatever the port. Returns how many Sites changed."""
    port = public_port()
    sites = list(Site.objects.filter(store__isnull=False).exclude(port=port))
    for site in sites:
        site.port = port
        site.save(update_fields=["port"])  # Wagtail forgets its cached site root paths
    if sites:
        store_host_map_invalidate()
    return len(sites)


def store_set_status(*, store: Store, status: StoreStatus) -> Store:
    store.status = status
    store.save(update_fields=["status", "updated_at"])
    store_host_map_invalidate()
    return store


def store_editor_add(*, store: Store, user) -> None:
    """Make ``user`` a member of the store's marketing team (and of no other store's)."""
    user.groups.add(store.editors_group)


def store_editor_remove(*, store: Store, user) -> None:
    """Take ``user`` out of the store's marketing team; their account and their place in any
    other store's team are kept."""
    user.groups.remove(store.editors_group)


@transaction.atomic
def store_destroy(*, store: Store) -> None:
    """Remove a store and everything that was only its: the Store, its Site and brand
    settings, its page tree, its editors group (and with it every permission granted to the
    group), its collection with the images and documents in it and their files. Nothing of
    another store is touched."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    site, group, collection = store.site, store.editors_group, store.collection
    root = Page.objects.get(pk=site.root_page_id)
    files = []
    for model in (get_image_model(), get_document_model()):
        for item in model.objects.filter(collection=collection):
            files.append(item.file)
            if hasattr(item, "renditions"):
                files.extend(rendition.file for rendition in item.renditions.all())
            item.delete()
    store.delete()
    site.delete()  # brand and navigation settings go with it (CASCADE)
    root.delete()  # and the pages under it
    group.delete()
    collection.delete()
    store_host_map_invalidate()

    def _delete_files() -> None:
        for file in files:
            if file.name and file.storage.exists(file.name):
                file.storage.delete(file.name)

    transaction.on_commit(_delete_files)

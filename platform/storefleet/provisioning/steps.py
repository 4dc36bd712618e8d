"""The steps of each pipeline. Each is idempotent: it finds what is already there and says
``UNCHANGED`` rather than doing it twice, so a run can resume or be repeated safely. A step
raises ``ApplicationError`` with a message that says what to do when it cannot finish."""

from __future__ import annotations

import http.client
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.test import Client

from storefleet.brand.seeding import SeedContent, store_content_seed
from storefleet.catalog.services import catalog_assortment_apply
from storefleet.erp.sync import erp_sync
from storefleet.errors import ApplicationError
from storefleet.tenants.models import Store, StoreStatus
from storefleet.tenants.selectors import store_for_hostname
from storefleet.tenants.services import (
    store_language_hosts_apply,
    store_languages_apply,
    store_set_status,
)

from .customers import store_customers_open
from .drivers import driver_for, driver_name, smoke_endpoint
from .erp_check import erp_mapping_check
from .featured import featured_fill, featured_products, featured_skus
from .hosts import platform_hosts
from .models import ProvisioningRun, RunAction, StepStatus
from .people import store_people_apply
from .storefile import SLUG, BrandFolder, brand_folder_load, brands_dir
from .stores import store_close, store_open

SMOKE_TIMEOUT = 15  # seconds: a store that takes longer to answer its home page is not well
MAX_SMOKE_BYTES = 5_000_000


@dataclass(frozen=True)
class StepOutcome:
    status: StepStatus
    log: tuple[str, ...]


def _folder(run: ProvisioningRun) -> BrandFolder:
    return brand_folder_load(Path(run.folder))


def _store(run: ProvisioningRun) -> Store:
    store = Store.objects.select_related("site").filter(slug=run.slug).first()
    if store is None:
        raise ApplicationError(f"The store '{run.slug}' does not exist (yet).", code="missing")
    return store


def register(run: ProvisioningRun) -> StepOutcome:
    folder = _folder(run)
    store = Store.objects.filter(slug=folder.store.slug).first()
    if store is not None:
        return StepOutcome(StepStatus.UNCHANGED, (f"store {store.slug} exists (id {store.pk})",))
    store = store_open(spec=folder.store)
    return StepOutcome(
        StepStatus.SUCCEEDED,
        (
            f"store {store.slug} (id {store.pk}) on {store.site.hostname}",
            f"collection '{store.collection.name}', group '{store.editors_group.name}'",
        ),
    )


def _featured(run: ProvisioningRun, folder: BrandFolder) -> tuple[SeedContent, tuple[str, ...]]:
    """The seed content with its featured cards named and pictured from the catalog mirror;
    with the ERP check on, a mirror that lacks a featured product is synced first (the plan
    has confirmed the ERP has it)."""
    skus = featured_skus(folder.content)
    products = featured_products(skus)
    if run.check_erp and set(skus) - set(products):
        erp_sync(name="products")
        products = featured_products(skus)
    return featured_fill(folder.content, products)


def content(run: ProvisioningRun) -> StepOutcome:
    folder, store = _folder(run), _store(run)
    seed, featured_log = _featured(run, folder)
    seeded = store_content_seed(
        site=store.site,
        collection=store.collection,
        slug=store.slug,
        theme=folder.theme,
        contact=folder.contact,
        content=seed,
    )
    log = (
        [
            f"{len(seed.media)} media, {len(seed.pages)} top-level pages",
            f"theme {folder.theme.primary}/{folder.theme.accent}, navigation and footer",
            *featured_log,
        ]
        if seeded
        else ["home page has content; seed not applied"]
    )
    # The assortment is the store file's, on every run (seed content is applied once): a
    # changed store.toml reconciled changes what the store sells.
    applied = catalog_assortment_apply(home=store.site.root_page, categories=folder.erp.assortment)
    sold = ", ".join(applied.categories) or "every product"
    log.append(f"assortment {'set' if applied.changed else 'unchanged'}: {sold}")
    if applied.page_created:
        log.append("catalog page created")
    status = StepStatus.SUCCEEDED if seeded or applied.changed else StepStatus.UNCHANGED
    return StepOutcome(status, tuple(log))


def languages(run: ProvisioningRun) -> StepOutcome:
    """The store's languages as store.toml declares them: a Wagtail Locale for each, and the
    seed tree copied into each other language as drafts (editors translate and publish them;
    until then the storefront shows the default language's page and says so)."""
    folder, store = _folder(run), _store(run)
    applied = store_languages_apply(store=store, languages=folder.languages)
    log = [f"languages: {', '.join(applied.languages)} (default {applied.languages[0]})"]
    log += [
        f"{language}: {count} draft pages copied for translation"
        for language, count in applied.copied.items()
        if count
    ]
    if applied.removed:
        log.append("no longer served: " + ", ".join(applied.removed) + " (their pages are kept)")
    # After the languages: a host is given to a language the store speaks.
    hosts_changed = store_language_hosts_apply(store=store, hosts=dict(folder.hosts))
    hosts = ", ".join(f"{language} on {host}" for language, host in folder.hosts)
    log.append(
        f"language hosts {'set' if hosts_changed else 'unchanged'}: "
        + (hosts or f"none (every language on {store.site.hostname})")
    )
    changed = bool(
        applied.added or applied.removed or any(applied.copied.values()) or hosts_changed
    )
    return StepOutcome(StepStatus.SUCCEEDED if changed else StepStatus.UNCHANGED, tuple(log))


def _first_launch(run: ProvisioningRun) -> bool:
    """The run's plan created the store: its seed content (and featured products) apply."""
    return any(
        change.get("kind") == "create" and change.get("target") == "store"
        for change in run.plan.get("changes", ())
    )


def erp(run: ProvisioningRun) -> StepOutcome:
    if not run.check_erp:
        return StepOutcome(StepStatus.SKIPPED, ("ERP mapping check skipped on request",))
    folder = _folder(run)
    result = erp_mapping_check(
        mapping=folder.erp,
        currency=folder.store.currency,
        featured=featured_skus(folder.content) if _first_launch(run) else (),
    )
    if not result.ok:
        raise ApplicationError(" ".join(result.problems), field="erp", code="erp_mapping")
    return StepOutcome(StepStatus.SUCCEEDED, result.log)


def infrastructure(run: ProvisioningRun) -> StepOutcome:
    folder = _folder(run)
    state = driver_for(folder.driver).ensure(
        slug=folder.store.slug,
        hostname=folder.store.hostname,
        language_hosts=tuple(host for _language, host in folder.hosts),
    )
    return StepOutcome(
        StepStatus.SUCCEEDED if state.changed else StepStatus.UNCHANGED, state.details
    )


@dataclass(frozen=True)
class HomeResponse:
    url: str
    status: int
    body: str
    via: str  # how it was reached, for the run's log


def _get_home(hostname: str, driver: str = "local") -> HomeResponse:
    """GET the store's home page over HTTP where its driver serves it (see ``Endpoint``); when
    nothing listens there and the driver allows it, in this process with Django's test client,
    saying so."""
    endpoint = smoke_endpoint(driver=driver, hostname=hostname)
    parts = urlsplit(endpoint.url)
    host, port = endpoint.address
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(host, port, timeout=SMOKE_TIMEOUT)
    try:
        connection.request("GET", "/", headers={"Host": parts.netloc, "Accept": "text/html"})
        response = connection.getresponse()
        body = response.read(MAX_SMOKE_BYTES).decode("utf-8", "replace")
        return HomeResponse(endpoint.url, response.status, body, f"over HTTP via {host}:{port}")
    except OSError as error:
        if not endpoint.in_process_fallback:
            raise ApplicationError(
                f"{endpoint.url} could not be reached ({host}:{port}: {error}); check the "
                "store's DNS, load balancer and CDN, then resume the run.",
                code="smoke_test",
            ) from None
        reason = f"no web server answers on {host}:{port} ({error.strerror or error})"
    finally:
        connection.close()
    client_response = Client(raise_request_exception=False).get("/", HTTP_HOST=hostname)
    return HomeResponse(
        endpoint.url,
        client_response.status_code,
        client_response.content.decode("utf-8", "replace"),
        f"in this process with Django's test client: {reason}",
    )


def smoke_test(run: ProvisioningRun) -> StepOutcome:
    """The store's home page answers with its theme, on its host and on each language's own
    (store.toml's ``[store.hosts]``)."""
    folder, store = _folder(run), _store(run)
    log: list[str] = []
    for host in (store.site.hostname, *(host for _language, host in folder.hosts)):
        response = _get_home(host, driver_name(folder.driver))
        if response.status != 200:
            raise ApplicationError(
                f"{response.url} answered {response.status}, not 200 ({response.via}).",
                code="smoke_test",
            )
        theme_marker = f"--brand-primary: {folder.theme.primary}"
        if theme_marker.lower() not in response.body.lower():
            raise ApplicationError(
                f"{response.url} answered without the store's theme ({theme_marker}).",
                code="smoke_test",
            )
        log += [
            f"GET {response.url} → 200, {len(response.body)} bytes, theme {folder.theme.primary}",
            f"requested {response.via}",
        ]
    return StepOutcome(StepStatus.SUCCEEDED, tuple(log))


def customers(run: ProvisioningRun) -> StepOutcome:
    folder, store = _folder(run), _store(run)
    declared = folder.customers
    if not declared.declared:
        return StepOutcome(
            StepStatus.UNCHANGED,
            ("store.toml declares no [customers]; the store's companies are left as they are",),
        )
    opened = store_customers_open(store=store, declared=declared, from_erp=run.check_erp)
    source = "the ERP" if run.check_erp else "the platform's mirror of the ERP's customers"
    log = [f"served ({source}): {opened.match.describe()}"]
    if opened.added:
        log.append("opened to " + ", ".join(opened.added))
    if opened.removed:
        log.append("closed to " + ", ".join(opened.removed) + " (no longer declared)")
    if opened.match.unknown_codes:
        # Only reachable with the ERP check off (the plan refuses them otherwise): the mirror
        # may not have been synced yet; a reconcile after the sync opens them.
        log.append(
            "not mirrored yet: "
            + ", ".join(opened.match.unknown_codes)
            + "; sync the ERP's customers and reconcile"
        )
    changed = bool(opened.added or opened.removed)
    return StepOutcome(StepStatus.SUCCEEDED if changed else StepStatus.UNCHANGED, tuple(log))


def people(run: ProvisioningRun) -> StepOutcome:
    folder, store = _folder(run), _store(run)
    applied = store_people_apply(store=store, people=folder.people)
    named = len(folder.people.editors) + len(folder.people.agents)
    log = [
        f"invited {i.email} as {i.role}" + (" (new account)" if i.new_account else "")
        for i in applied.invited
    ] + [
        f"revoked {r.email}'s access as {r.role} to {store.name} (no longer in store.toml; "
        "the account and other stores' access are kept)"
        for r in applied.revoked
    ]
    if not log:
        return StepOutcome(
            StepStatus.UNCHANGED,
            (f"{named} people named; everyone is in the store's groups already",)
            if named
            else ("store.toml names no editors or agents",),
        )
    return StepOutcome(StepStatus.SUCCEEDED, tuple(log))


def go_live(run: ProvisioningRun) -> StepOutcome:
    store = _store(run)
    if store.status == StoreStatus.LIVE:
        return StepOutcome(StepStatus.UNCHANGED, ("store is live",))
    store_set_status(store=store, status=StoreStatus.LIVE)
    return StepOutcome(StepStatus.SUCCEEDED, ("store is live",))


def suspend(run: ProvisioningRun) -> StepOutcome:
    store = _store(run)
    if store.status == StoreStatus.SUSPENDED:
        return StepOutcome(StepStatus.UNCHANGED, ("store is suspended",))
    store_set_status(store=store, status=StoreStatus.SUSPENDED)
    return StepOutcome(StepStatus.SUCCEEDED, ("store is suspended",))


def _run_driver(run: ProvisioningRun) -> str:
    """The driver the run's plan named (suspend and destroy: the store file's, read by the plan
    before the folder could go away)."""
    return str(run.plan.get("driver") or "local")


def check_unavailable(run: ProvisioningRun) -> StepOutcome:
    store = _store(run)
    response = _get_home(store.site.hostname, _run_driver(run))
    if response.status != 503:
        raise ApplicationError(
            f"{response.url} answered {response.status}, not 503 ({response.via}).",
            code="smoke_test",
        )
    return StepOutcome(StepStatus.SUCCEEDED, (f"GET {response.url} → 503 ({response.via})",))


def infrastructure_teardown(run: ProvisioningRun) -> StepOutcome:
    hostname = run.plan.get("hostname", "")
    state = driver_for(_run_driver(run)).destroy(slug=run.slug, hostname=hostname)
    return StepOutcome(
        StepStatus.SUCCEEDED if state.changed else StepStatus.UNCHANGED, state.details
    )


def remove_store(run: ProvisioningRun) -> StepOutcome:
    store = Store.objects.filter(slug=run.slug).first()
    if store is None:
        return StepOutcome(StepStatus.UNCHANGED, (f"no store {run.slug}",))
    store_close(store=store)
    return StepOutcome(
        StepStatus.SUCCEEDED, (f"store {run.slug} and everything only it owned removed",)
    )


def forget_folder(run: ProvisioningRun) -> StepOutcome:
    """Remove ``brands/<slug>/``: a destroyed store's declared state would otherwise be launched
    again by the next ``reconcile``, and a new store of the same slug refused."""
    root = brands_dir().resolve()
    folder = (root / run.slug).resolve()
    if not SLUG.fullmatch(run.slug) or folder.parent != root:
        raise ApplicationError(f"'{run.slug}' is not a store slug; no brand folder removed.")
    if not folder.exists():
        return StepOutcome(StepStatus.UNCHANGED, (f"{folder} was not there",))
    shutil.rmtree(folder)
    return StepOutcome(StepStatus.SUCCEEDED, (f"removed {folder}",))


def check_gone(run: ProvisioningRun) -> StepOutcome:
    hostname = run.plan.get("hostname", "")
    if hostname.lower() in platform_hosts():
        # A store that was launched on a platform host (before those were reserved): the host
        # is the platform's again once no store resolves for it.
        if store_for_hostname(hostname) is not None:
            raise ApplicationError(f"http://{hostname}/ still resolves to a store.")
        return StepOutcome(StepStatus.SUCCEEDED, (f"{hostname} is the platform's again",))
    response = _get_home(hostname, _run_driver(run))
    if response.status != 404:
        raise ApplicationError(
            f"{response.url} answered {response.status}, not 404 ({response.via})."
        )
    return StepOutcome(StepStatus.SUCCEEDED, (f"GET {response.url} → 404 ({response.via})",))


STEPS: dict[str, tuple[tuple[str, str, Callable[[ProvisioningRun], StepOutcome]], ...]] = {
    # Infrastructure before content: seed media are uploaded to the store's own bucket (the
    # pulumi driver makes it; the local driver the media folder). The ERP check first of all
    # but registering, so a store whose mapping is wrong costs no cloud resources.
    RunAction.LAUNCH: (
        ("register", "Register the store", register),
        ("erp", "Check the ERP mapping", erp),
        ("infrastructure", "Infrastructure", infrastructure),
        ("content", "Seed pages, theme and media", content),
        ("languages", "Languages and pages to translate", languages),
        ("customers", "Open the store to its customers", customers),
        ("people", "Invite editors and service agents", people),
        ("smoke_test", "Smoke-test the storefront", smoke_test),
        ("live", "Go live", go_live),
    ),
    RunAction.SUSPEND: (
        ("suspend", "Suspend the store", suspend),
        ("smoke_test", "Check the storefront is unavailable", check_unavailable),
    ),
    RunAction.DESTROY: (
        ("infrastructure", "Tear down infrastructure", infrastructure_teardown),
        ("remove", "Remove the store and its content", remove_store),
        # Before the check: a failed check must not leave the folder to be reconciled again.
        ("folder", "Remove the brand folder", forget_folder),
        ("smoke_test", "Check the host answers 404", check_gone),
    ),
}

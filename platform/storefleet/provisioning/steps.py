"""The steps of each pipeline. Each is idempotent: it finds what is already there and says
``UNCHANGED`` rather than doing it twice, so a run can resume or be repeated safely. A step
raises ``ApplicationError`` with a message that says what to do when it cannot finish."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.test import Client

from storefleet.brand.seeding import store_content_seed
from storefleet.catalog.services import catalog_assortment_apply
from storefleet.errors import ApplicationError
from storefleet.tenants.models import Store, StoreStatus
from storefleet.tenants.selectors import store_for_hostname
from storefleet.tenants.services import store_create, store_destroy, store_set_status

from .drivers import driver_for
from .erp_check import erp_mapping_check
from .hosts import platform_hosts
from .models import ProvisioningRun, RunAction, StepStatus
from .storefile import SLUG, BrandFolder, brand_folder_load, brands_dir


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
    store = store_create(spec=folder.store)
    return StepOutcome(
        StepStatus.SUCCEEDED,
        (
            f"store {store.slug} (id {store.pk}) on {store.site.hostname}",
            f"collection '{store.collection.name}', group '{store.editors_group.name}'",
        ),
    )


def content(run: ProvisioningRun) -> StepOutcome:
    folder, store = _folder(run), _store(run)
    seeded = store_content_seed(
        site=store.site,
        collection=store.collection,
        slug=store.slug,
        theme=folder.theme,
        contact=folder.contact,
        content=folder.content,
    )
    log = (
        [
            f"{len(folder.content.media)} media, {len(folder.content.pages)} top-level pages",
            f"theme {folder.theme.primary}/{folder.theme.accent}, navigation and footer",
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


def erp(run: ProvisioningRun) -> StepOutcome:
    if not run.check_erp:
        return StepOutcome(StepStatus.SKIPPED, ("ERP mapping check skipped on request",))
    folder = _folder(run)
    result = erp_mapping_check(mapping=folder.erp, currency=folder.store.currency)
    if not result.ok:
        raise ApplicationError(" ".join(result.problems), field="erp", code="erp_mapping")
    return StepOutcome(StepStatus.SUCCEEDED, result.log)


def infrastructure(run: ProvisioningRun) -> StepOutcome:
    folder = _folder(run)
    state = driver_for(folder.driver).ensure(slug=folder.store.slug, hostname=folder.store.hostname)
    return StepOutcome(
        StepStatus.SUCCEEDED if state.changed else StepStatus.UNCHANGED, state.details
    )


def _get_home(hostname: str):
    return Client(raise_request_exception=False).get("/", HTTP_HOST=hostname)


def smoke_test(run: ProvisioningRun) -> StepOutcome:
    folder, store = _folder(run), _store(run)
    response = _get_home(store.site.hostname)
    body = response.content.decode("utf-8", "replace")
    if response.status_code != 200:
        raise ApplicationError(
            f"http://{store.site.hostname}/ answered {response.status_code}, not 200.",
            code="smoke_test",
        )
    theme_marker = f"--brand-primary: {folder.theme.primary}"
    if theme_marker.lower() not in body.lower():
        raise ApplicationError(
            f"http://{store.site.hostname}/ answered without the store's theme ({theme_marker}).",
            code="smoke_test",
        )
    return StepOutcome(
        StepStatus.SUCCEEDED,
        (
            f"GET http://{store.site.hostname}/ → 200, {len(body)} bytes, "
            f"theme {folder.theme.primary}",
        ),
    )


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


def check_unavailable(run: ProvisioningRun) -> StepOutcome:
    store = _store(run)
    response = _get_home(store.site.hostname)
    if response.status_code != 503:
        raise ApplicationError(
            f"http://{store.site.hostname}/ answered {response.status_code}, not 503.",
            code="smoke_test",
        )
    return StepOutcome(StepStatus.SUCCEEDED, (f"GET http://{store.site.hostname}/ → 503",))


def infrastructure_teardown(run: ProvisioningRun) -> StepOutcome:
    hostname = run.plan.get("hostname", "")
    state = driver_for("local").destroy(slug=run.slug, hostname=hostname)
    return StepOutcome(
        StepStatus.SUCCEEDED if state.changed else StepStatus.UNCHANGED, state.details
    )


def remove_store(run: ProvisioningRun) -> StepOutcome:
    store = Store.objects.filter(slug=run.slug).first()
    if store is None:
        return StepOutcome(StepStatus.UNCHANGED, (f"no store {run.slug}",))
    store_destroy(store=store)
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
    response = _get_home(hostname)
    if response.status_code != 404:
        raise ApplicationError(f"http://{hostname}/ answered {response.status_code}, not 404.")
    return StepOutcome(StepStatus.SUCCEEDED, (f"GET http://{hostname}/ → 404",))


STEPS: dict[str, tuple[tuple[str, str, Callable[[ProvisioningRun], StepOutcome]], ...]] = {
    # Infrastructure before content: seed media are uploaded to the store's own bucket (the
    # pulumi driver makes it; the local driver the media folder). The ERP check first of all
    # but registering, so a store whose mapping is wrong costs no cloud resources.
    RunAction.LAUNCH: (
        ("register", "Register the store", register),
        ("erp", "Check the ERP mapping", erp),
        ("infrastructure", "Infrastructure", infrastructure),
        ("content", "Seed pages, theme and media", content),
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

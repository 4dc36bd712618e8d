"""Reads for provisioning: runs and their steps, the stores the Stores page lists, and what
the ERP offers the launch wizard."""

from __future__ import annotations

import datetime
import tomllib
from dataclasses import dataclass

from django.db.models import Max, QuerySet

from storefleet.accounts.selectors import company_counts_by_store
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import LaunchOptions
from storefleet.errors import ApplicationError
from storefleet.tenants.selectors import store_list

from .models import ProvisioningRun
from .steps import STEPS
from .storefile import brands_dir


@dataclass(frozen=True)
class StepProgress:
    name: str
    label: str
    status: str
    seconds: float | None
    log: str
    error: str
    attempts: int = 0
    started_at: datetime.datetime | None = None
    finished_at: datetime.datetime | None = None


@dataclass(frozen=True)
class RunProgress:
    id: int
    slug: str
    action: str
    status: str
    error: str
    hostname: str
    steps: tuple[StepProgress, ...]
    requested_by: str = ""
    check_erp: bool = True
    created_at: datetime.datetime | None = None
    started_at: datetime.datetime | None = None
    finished_at: datetime.datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("failed", "succeeded")


def run_progress(*, run_id: int) -> RunProgress:
    run = ProvisioningRun.objects.select_related("requested_by").get(pk=run_id)
    labels = {name: label for name, label, _f in STEPS[run.action]}
    return RunProgress(
        id=run.pk,
        slug=run.slug,
        action=run.action,
        status=run.status,
        error=run.error,
        hostname=run.plan.get("hostname", ""),
        steps=tuple(
            StepProgress(
                s.name,
                labels[s.name],
                s.status,
                s.seconds,
                s.log,
                s.error,
                s.attempts,
                s.started_at,
                s.finished_at,
            )
            for s in run.steps.all()
        ),
        requested_by=run.requested_by.get_username() if run.requested_by else "",
        check_erp=run.check_erp,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


def run_list(*, slug: str | None = None) -> QuerySet[ProvisioningRun]:
    runs = ProvisioningRun.objects.all()
    return runs.filter(slug=slug) if slug else runs


def run_latest_failed(*, slug: str) -> ProvisioningRun | None:
    latest = ProvisioningRun.objects.filter(slug=slug).first()
    return latest if latest is not None and latest.status == "failed" else None


# ---------------------------------------------------------------- the wizard's ERP pickers


@dataclass(frozen=True)
class WizardOptions:
    """What the wizard can offer from the ERP: its lists, or why it has none (then the
    manager types codes and the plan checks them)."""

    options: LaunchOptions | None
    unavailable: str = ""


def wizard_options() -> WizardOptions:
    try:
        return WizardOptions(get_gateway().launch_options())
    except ApplicationError as error:
        return WizardOptions(None, error.message)


# ---------------------------------------------------------------- the Stores page


@dataclass(frozen=True)
class RunSummary:
    id: int
    action: str
    status: str
    when: datetime.datetime
    requested_by: str


@dataclass(frozen=True)
class StoreRow:
    """One store as the Stores page lists it. ``registered`` is False for a slug that has
    runs but no store yet (a first launch that failed before registering it)."""

    slug: str
    name: str
    region: str
    hostname: str
    status: str
    registered: bool
    # The site template and version the store was launched from, as it recorded them ("" for a
    # store launched before they were recorded); for a store not registered yet, its folder's.
    template: str
    schema: str
    content_version: int | None
    currency: str
    customers: int
    last_run: RunSummary | None
    template_version: str = ""

    @property
    def template_label(self) -> str:
        """ "b2b-store 2.0"; "unknown" when the store did not record its template."""
        if not self.template:
            return "unknown"
        return f"{self.template} {self.template_version or '(version unknown)'}"


def _summary(run: ProvisioningRun) -> RunSummary:
    who = run.requested_by.get_username() if run.requested_by else ""
    return RunSummary(run.pk, run.action, run.status, run.created_at, who)


def _declared_template(slug: str) -> tuple[str, str, str]:
    """The template, its version and the store-file schema ``brands/<slug>/store.toml``
    declares (read as data, not checked: the Stores page shows what is there, the plan judges
    it)."""
    try:
        with (brands_dir() / slug / "store.toml").open("rb") as file:
            data = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError, ValueError):
        return "", "", ""
    return (
        str(data.get("template", ""))[:60],
        str(data.get("template_version", ""))[:40],
        str(data.get("schema", ""))[:10],
    )


def store_rows() -> list[StoreRow]:
    """Every store, and every slug with runs but no store, with its last run: a fixed number
    of queries however many stores (stores, customer counts, latest run ids, those runs)."""
    stores = list(store_list())
    customers = company_counts_by_store()
    latest_ids = (
        ProvisioningRun.objects.values("slug").annotate(latest=Max("pk")).values_list("latest")
    )
    latest = {
        run.slug: run
        for run in ProvisioningRun.objects.filter(pk__in=latest_ids).select_related("requested_by")
    }
    rows = []
    for store in stores:
        _template, _version, schema = _declared_template(store.slug)
        run = latest.get(store.slug)
        rows.append(
            StoreRow(
                slug=store.slug,
                name=store.name,
                region=store.region,
                hostname=store.hostname,
                status=store.status,
                registered=True,
                template=store.template,
                template_version=store.template_version,
                schema=schema,
                content_version=store.content_version,
                currency=store.currency,
                customers=customers.get(store.pk, 0),
                last_run=_summary(run) if run else None,
            )
        )
    known = {store.slug for store in stores}
    for slug, run in sorted(latest.items()):
        if slug in known:
            continue
        template, version, schema = _declared_template(slug)
        plan = run.plan if isinstance(run.plan, dict) else {}
        rows.append(
            StoreRow(
                slug=slug,
                name=slug,
                region="",
                hostname=str(plan.get("hostname", "")),
                status="not launched",
                registered=False,
                template=template,
                template_version=version,
                schema=schema,
                content_version=None,
                currency="",
                customers=0,
                last_run=_summary(run),
            )
        )
    return rows


def store_row(*, slug: str) -> StoreRow | None:
    return next((row for row in store_rows() if row.slug == slug), None)


def store_runs(*, slug: str) -> list[ProvisioningRun]:
    return list(run_list(slug=slug).select_related("requested_by"))

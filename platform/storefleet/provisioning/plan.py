"""Plans: what a launch, suspend or destroy would create, change or remove, computed without
writing anything. A plan with problems is never applied."""

from __future__ import annotations

import enum
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from wagtail.models import Site

from storefleet.errors import ApplicationError
from storefleet.tenants.models import Store, StoreStatus

from .drivers import driver_for
from .erp_check import erp_mapping_check
from .hosts import host_reserved_reason
from .models import RunAction
from .rendering import brand_render
from .storefile import BrandFolder, StoreFileError, brand_folder_load, brands_dir


class ChangeKind(enum.StrEnum):
    CREATE = "create"
    CHANGE = "change"
    REMOVE = "remove"
    CHECK = "check"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class PlannedChange:
    kind: ChangeKind
    target: str
    detail: str = ""


@dataclass(frozen=True)
class Plan:
    action: RunAction
    slug: str
    folder: str
    hostname: str
    changes: tuple[PlannedChange, ...]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changes_anything(self) -> bool:
        return any(
            c.kind in (ChangeKind.CREATE, ChangeKind.CHANGE, ChangeKind.REMOVE)
            for c in self.changes
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _count_pages(folder: BrandFolder) -> int:
    def count(pages) -> int:
        return sum(1 + count(page.children) for page in pages)

    return count(folder.content.pages)


def _existing_differences(store: Store, folder: BrandFolder) -> list[str]:
    declared = folder.store
    found = []
    for field in ("name", "brand", "region", "currency", "country", "default_language"):
        if getattr(store, field) != getattr(declared, field):
            have, want = getattr(store, field), getattr(declared, field)
            found.append(f"{field} is '{have}', store.toml says '{want}'")
    if store.site.hostname != declared.hostname:
        found.append(f"hostname is '{store.site.hostname}', store.toml says '{declared.hostname}'")
    return found


def plan_launch(*, path: Path, check_erp: bool = True) -> Plan:
    """What launching (or re-applying) ``brands/<slug>/`` would do. ``path`` is made absolute
    here: the run records it, and its steps may run in a worker with another working folder."""
    path = Path(path).resolve()
    try:
        folder = brand_folder_load(path)
    except StoreFileError as error:
        return Plan(RunAction.LAUNCH, path.name, str(path), "", (), error.problems)
    spec = folder.store
    changes: list[PlannedChange] = []
    problems: list[str] = []
    store = Store.objects.select_related("site").filter(slug=spec.slug).first()
    # Checked for a launched store too: re-applying must not keep a platform host taken over.
    reserved = host_reserved_reason(spec.hostname)
    if reserved:
        problems.append(f"The hostname {reserved}")
    if store is None:
        if not reserved and Site.objects.filter(hostname=spec.hostname).exists():
            problems.append(
                f"The hostname '{spec.hostname}' is used by another site; choose another."
            )
        changes += [
            PlannedChange(
                ChangeKind.CREATE, "store", f"{spec.name} ({spec.region}, {spec.currency})"
            ),
            PlannedChange(ChangeKind.CREATE, "site", spec.hostname),
            PlannedChange(ChangeKind.CREATE, "pages", f"home and {_count_pages(folder)} pages"),
            PlannedChange(
                ChangeKind.CREATE, "media", f"{len(folder.content.media)} images and documents"
            ),
            PlannedChange(
                ChangeKind.CREATE, "editors group", f"{spec.name} editors, with permissions"
            ),
            PlannedChange(ChangeKind.CREATE, "collection", spec.name),
            PlannedChange(ChangeKind.CREATE, "brand settings", f"theme {folder.theme.primary}"),
            PlannedChange(
                ChangeKind.CREATE, "navigation", f"{len(folder.content.primary_links)} links"
            ),
        ]
    else:
        for difference in _existing_differences(store, folder):
            problems.append(
                f"The store '{spec.slug}' exists and its {difference}: changing a launched store's "
                "identity is not something the pipeline does; revert store.toml or destroy first."
            )
        changes.append(PlannedChange(ChangeKind.UNCHANGED, "store", f"{store.name} exists"))
        if store.status == StoreStatus.SUSPENDED:
            problems.append(
                f"The store '{spec.slug}' is suspended; it is not relaunched by a plan."
            )
    try:
        infra = driver_for(folder.driver).plan(slug=spec.slug, hostname=spec.hostname)
    except ApplicationError as error:
        problems.append(error.message)
    else:
        changes += [
            PlannedChange(ChangeKind.CREATE, f"{folder.driver} infrastructure", x) for x in infra
        ]
    if check_erp:
        try:
            result = erp_mapping_check(mapping=folder.erp, currency=spec.currency)
        except ApplicationError as error:
            problems.append(f"ERP mapping cannot be checked: {error.message}")
        else:
            problems += result.problems
            changes.append(PlannedChange(ChangeKind.CHECK, "ERP mapping", "; ".join(result.log)))
    else:
        changes.append(PlannedChange(ChangeKind.CHECK, "ERP mapping", "skipped on request"))
    changes.append(PlannedChange(ChangeKind.CHECK, "smoke test", f"http://{spec.hostname}/"))
    if store is None or store.status != StoreStatus.LIVE:
        changes.append(PlannedChange(ChangeKind.CHANGE, "status", "live"))
    return Plan(
        RunAction.LAUNCH, spec.slug, str(path), spec.hostname, tuple(changes), tuple(problems)
    )


def plan_launch_from_template(
    *, template: str, answers: Mapping[str, str], check_erp: bool = True
) -> Plan:
    """What launching a store from ``template`` with ``answers`` would do: the answers are
    rendered into a scratch folder (the template's hook checks them) and planned from there.
    Nothing is written to the brands directory. Raises ``AnswersInvalid`` when the hook refuses
    an answer, ``ApplicationError`` when the template cannot be rendered."""
    scratch = Path(tempfile.mkdtemp(prefix="storefleet-plan-"))
    try:
        folder = brand_render(template=template, answers=answers, output_dir=scratch)
        plan = plan_launch(path=folder, check_erp=check_erp)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    target = brands_dir() / folder.name
    problems = list(plan.problems)
    if target.exists():
        problems.insert(
            0,
            f"The folder {target} already exists: a store '{folder.name}' is declared already; "
            "choose another short name (slug).",
        )
    return replace(plan, folder=str(target), problems=tuple(problems))


def plan_suspend(*, slug: str) -> Plan:
    store = Store.objects.select_related("site").filter(slug=slug).first()
    if store is None:
        return Plan(RunAction.SUSPEND, slug, "", "", (), (f"There is no store '{slug}'.",))
    kind = ChangeKind.UNCHANGED if store.status == StoreStatus.SUSPENDED else ChangeKind.CHANGE
    changes = (
        PlannedChange(kind, "status", "suspended"),
        PlannedChange(ChangeKind.CHECK, "smoke test", f"http://{store.hostname}/ answers 503"),
    )
    return Plan(RunAction.SUSPEND, slug, "", store.hostname, changes, ())


def plan_destroy(*, slug: str) -> Plan:
    store = Store.objects.select_related("site").filter(slug=slug).first()
    if store is None:
        return Plan(RunAction.DESTROY, slug, "", "", (), (f"There is no store '{slug}'.",))
    changes = tuple(
        PlannedChange(ChangeKind.REMOVE, target, detail)
        for target, detail in (
            ("store", store.name),
            ("site", store.hostname),
            ("pages", "the store's whole page tree"),
            ("editors group", f"{store.editors_group.name} and its permissions"),
            ("collection", f"{store.collection.name} with its images and documents"),
            ("brand settings", "theme and navigation"),
            ("local infrastructure", "media folder"),
            ("brand folder", str(brands_dir() / slug)),
        )
    )
    return Plan(RunAction.DESTROY, slug, "", store.hostname, changes, ())

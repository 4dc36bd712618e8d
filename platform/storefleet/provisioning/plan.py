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

from storefleet.accounts.selectors import store_company_codes
from storefleet.catalog.selectors import product_count
from storefleet.errors import ApplicationError
from storefleet.origins import public_base_url
from storefleet.tenants.models import Store, StoreStatus
from storefleet.tenants.services import language_hosts_problems

from .customers import (
    customers_match,
    customers_problem,
    erp_customer_records,
    facts_from_mirror,
    facts_from_records,
)
from .drivers import driver_for, driver_name, smoke_endpoint
from .erp_check import erp_mapping_check
from .featured import featured_products, featured_skus
from .hosts import host_reserved_reason
from .models import ProvisioningRun, RunAction
from .people import people_pending, people_revoked
from .rendering import brand_render
from .storefile import BrandFolder, StoreFileError, brand_folder_load, brands_dir

# What each driver's teardown removes, in a plan's words.
TEARDOWN = {
    "local": "media folder",
    "pulumi": "the store's Pulumi stack (bucket, CDN, certificate)",
}


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
    # The infrastructure driver that will run (the store file's, unless the setting overrides
    # it); suspend's and destroy's steps use it after the folder may be gone.
    driver: str = "local"
    # What looks wrong but may be meant (a phone number of another country): shown, never
    # blocking.
    warnings: tuple[str, ...] = ()

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


ERP_UNREACHABLE = (
    "ERP mapping cannot be checked: the ERP is not answering, so its warehouse, price list, "
    "currency, assortment and customers cannot be confirmed. Plan again once it answers."
)


# Country calling codes (ITU-T E.164) of the countries stores are launched in most; a country
# not listed here is not checked.
CALLING_CODES = {
    "AT": "43", "AU": "61", "BE": "32", "BR": "55", "CA": "1", "CH": "41", "CN": "86",
    "CZ": "420", "DE": "49", "DK": "45", "ES": "34", "FI": "358", "FR": "33", "GB": "44",
    "IE": "353", "IN": "91", "IT": "39", "JP": "81", "KR": "82", "MX": "52", "NL": "31",
    "NO": "47", "NZ": "64", "PL": "48", "PT": "351", "SE": "46", "SG": "65", "US": "1",
    "ZA": "27",
}  # fmt: skip


def phone_warning(*, phone: str, country: str) -> str:
    """A warning when ``phone`` is written with a country code (``+…``) that is not the one of
    ``country``: buyers would call abroad. Numbers without ``+`` are not judged."""
    expected = CALLING_CODES.get(country)
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not expected or not phone.strip().startswith("+") or digits.startswith(expected):
        return ""
    given = next(
        (
            code
            for code in sorted(set(CALLING_CODES.values()), key=len, reverse=True)
            if digits.startswith(code)
        ),
        "",
    )
    said = f"has the country code +{given}" if given else "does not start with its country code"
    return (
        f"The phone number '{phone}' {said}, but the store's country is {country} "
        f"(+{expected}); check the phone number."
    )


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


def _hosts_shown(hosts: dict[str, str]) -> str:
    return ", ".join(f"{language} on {host}" for language, host in sorted(hosts.items())) or "none"


def _language_hosts_changes(
    store: Store | None, folder: BrandFolder, problems: list[str]
) -> list[PlannedChange]:
    """The languages served on hosts of their own: checked against every other store's and
    site's hosts (a host answers for one store only), and the drift from what the store has."""
    wanted = dict(folder.hosts)
    problems += [
        f"store.toml [store.hosts]: {problem}."
        for problem in language_hosts_problems(
            store_id=store.pk if store is not None else None,
            hostname=folder.store.hostname,
            languages=folder.languages,
            hosts=wanted,
        )
    ]
    have = dict(store.language_hosts or {}) if store is not None else {}
    if wanted == have:
        if not wanted:
            return []
        return [PlannedChange(ChangeKind.UNCHANGED, "language hosts", _hosts_shown(wanted))]
    if store is None:
        return [PlannedChange(ChangeKind.CREATE, "language hosts", _hosts_shown(wanted))]
    return [
        PlannedChange(
            ChangeKind.CHANGE,
            "language hosts",
            f"{_hosts_shown(have)} → {_hosts_shown(wanted)} (store.toml's [store.hosts])",
        )
    ]


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
        contact = folder.contact
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
            PlannedChange(
                ChangeKind.CREATE,
                "site template",
                f"{folder.template} {spec.template_version or '(version unknown)'}",
            ),
            PlannedChange(
                ChangeKind.CREATE,
                "legal details",
                "; ".join(
                    (contact.legal_name, ", ".join(contact.address), contact.phone or "no phone")
                ),
            ),
        ]
    else:
        for difference in _existing_differences(store, folder):
            problems.append(
                f"The store '{spec.slug}' exists and its {difference}: changing a launched store's "
                "identity is not something the pipeline does; revert store.toml or destroy first."
            )
        changes.append(PlannedChange(ChangeKind.UNCHANGED, "store", f"{store.name} exists"))
        have = store.all_languages
        added = [code for code in folder.languages if code not in have]
        if added:
            changes.append(
                PlannedChange(
                    ChangeKind.CHANGE, "languages", ", ".join(added) + " (pages copied as drafts)"
                )
            )
        if store.status == StoreStatus.SUSPENDED:
            problems.append(
                f"The store '{spec.slug}' is suspended; it is not relaunched by a plan."
            )
    changes += _language_hosts_changes(store, folder, problems)
    driver = driver_name(folder.driver)
    try:
        infra = driver_for(folder.driver).plan(
            slug=spec.slug,
            hostname=spec.hostname,
            language_hosts=tuple(host for _language, host in folder.hosts),
        )
    except ApplicationError as error:
        problems.append(error.message)
    else:
        changes += [PlannedChange(ChangeKind.CREATE, f"{driver} infrastructure", x) for x in infra]
    erp_reached = check_erp
    if check_erp:
        try:
            result = erp_mapping_check(
                mapping=folder.erp,
                currency=spec.currency,
                featured=featured_skus(folder.content) if store is None else (),
            )
        except ApplicationError:
            # The gateway's message is the buyers' ("your cart is kept"): the manager's is this.
            erp_reached = False
            problems.append(ERP_UNREACHABLE)
        else:
            problems += result.problems
            changes.append(PlannedChange(ChangeKind.CHECK, "ERP mapping", "; ".join(result.log)))
    else:
        changes.append(PlannedChange(ChangeKind.CHECK, "ERP mapping", "skipped on request"))
    if store is None:  # seed content, featured products with it, is applied once
        changes.append(_featured_change(folder, check_erp=check_erp, problems=problems))
    if check_erp and not erp_reached:
        changes.append(
            PlannedChange(
                ChangeKind.CHECK, "customers served", "not checked: the ERP is not answering"
            )
        )
    else:
        changes += _customers_changes(folder, store, check_erp=check_erp, problems=problems)
    changes += [
        PlannedChange(ChangeKind.CREATE, "invitation", f"{p.email} as {p.role}")
        for p in people_pending(store=store, people=folder.people)
    ]
    changes += [
        PlannedChange(
            ChangeKind.REMOVE, "access", f"{r.email} as {r.role} (no longer in store.toml)"
        )
        for r in people_revoked(store=store, people=folder.people)
    ]
    try:
        url = smoke_endpoint(driver=driver, hostname=spec.hostname).url
    except ApplicationError as error:  # the web server's address is misconfigured
        problems.append(error.message)
    else:
        changes.append(PlannedChange(ChangeKind.CHECK, "smoke test", url))
    if store is None or store.status != StoreStatus.LIVE:
        changes.append(PlannedChange(ChangeKind.CHANGE, "status", "live"))
    warning = phone_warning(phone=folder.contact.phone, country=spec.country)
    return Plan(
        RunAction.LAUNCH,
        spec.slug,
        str(path),
        spec.hostname,
        tuple(changes),
        tuple(problems),
        driver,
        warnings=(warning,) if warning else (),
    )


def _featured_change(folder: BrandFolder, *, check_erp: bool, problems: list[str]) -> PlannedChange:
    """The featured products as the store's cards will name them (from the platform's mirror
    of the ERP's catalog). With the ERP check on, the ERP has judged each SKU already; with it
    off, the mirror does: a SKU it does not know, or outside the assortment, is a problem."""
    skus = featured_skus(folder.content)
    if not skus:
        return PlannedChange(ChangeKind.UNCHANGED, "featured products", "none")
    if not check_erp and not product_count():
        return PlannedChange(
            ChangeKind.CHECK,
            "featured products",
            "not checked: the ERP check is off and no products are mirrored yet",
        )
    products = featured_products(skus)
    if not check_erp:
        for sku in skus:
            product = products.get(sku)
            if product is None:
                problems.append(
                    f"SKU {sku} is unknown to the platform's mirror of the ERP's products; "
                    "check the SKU, or sync the ERP's products and plan again."
                )
            # A category mirrored without its code (an older sync) cannot be judged here.
            elif product.category_code and not product.in_assortment(folder.erp.assortment):
                problems.append(
                    f"SKU {sku} is in {product.category_name or 'no category'}, outside the "
                    f"store's assortment ({', '.join(folder.erp.assortment)}); feature a "
                    "product the store sells, or add its category to the assortment."
                )
    shown = "; ".join(
        f"{sku} {products[sku].name}" if sku in products else f"{sku} (not mirrored yet)"
        for sku in skus
    )
    return PlannedChange(ChangeKind.CHECK, "featured products", shown)


def _customers_changes(
    folder: BrandFolder, store: Store | None, *, check_erp: bool, problems: list[str]
) -> list[PlannedChange]:
    """Who will be served: matched against the ERP's customers (read, not mirrored) with the
    ERP check on, else against the platform's mirror of them; unknown codes are problems."""
    declared = folder.customers
    if not declared.declared:
        return [
            PlannedChange(
                ChangeKind.UNCHANGED, "customers served", "not declared; left as they are"
            )
        ]
    if check_erp:
        try:
            facts = facts_from_records(erp_customer_records())
        except ApplicationError as error:
            problems.append(f"The ERP's customers cannot be read: {error.message}")
            return []
        source = "the ERP"
    else:
        facts = facts_from_mirror()
        source = "the platform's mirror of the ERP's customers"
        if not facts:
            return [
                PlannedChange(
                    ChangeKind.CHECK,
                    "customers served",
                    "not checked: the ERP check is off and no customers are mirrored yet",
                )
            ]
    match = customers_match(declared=declared, customers=facts)
    problem = customers_problem(match, source)
    if problem:
        problems.append(problem)
    served = {c.code for c in match.served}
    current = store_company_codes(store_id=store.pk) if store is not None else set()
    kind = ChangeKind.UNCHANGED if served == current else ChangeKind.CHANGE
    return [PlannedChange(kind, "customers served", match.describe())]


def _declared_driver(slug: str) -> tuple[str, str | None]:
    """The driver ``brands/<slug>/store.toml`` names; when the folder is gone or unreadable,
    the one the store's last launch recorded; otherwise a problem saying it is not known."""
    try:
        return driver_name(brand_folder_load(brands_dir() / slug).driver), None
    except StoreFileError as error:
        unreadable = "; ".join(error.problems)[:300]
    recorded = (
        ProvisioningRun.objects.filter(slug=slug, action=RunAction.LAUNCH, plan__has_key="driver")
        .order_by("-pk")
        .values_list("plan", flat=True)
        .first()
    )
    if recorded and recorded.get("driver"):
        return driver_name(str(recorded["driver"])), None
    return "", (
        f"The store file {brands_dir() / slug} cannot be read ({unreadable}) and no launch "
        "recorded the store's infrastructure driver, so it is not known what to tear down; "
        "restore the folder from git first."
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
    driver, problem = _declared_driver(slug)
    url = public_base_url(store.hostname) + "/"
    changes = (
        PlannedChange(kind, "status", "suspended"),
        PlannedChange(ChangeKind.CHECK, "smoke test", f"{url} answers 503"),
    )
    problems = (problem,) if problem else ()
    return Plan(RunAction.SUSPEND, slug, "", store.hostname, changes, problems, driver)


def plan_destroy(*, slug: str) -> Plan:
    store = Store.objects.select_related("site").filter(slug=slug).first()
    if store is None:
        return Plan(RunAction.DESTROY, slug, "", "", (), (f"There is no store '{slug}'.",))
    driver, problem = _declared_driver(slug)
    changes = tuple(
        PlannedChange(ChangeKind.REMOVE, target, detail)
        for target, detail in (
            ("store", store.name),
            ("site", store.hostname),
            ("pages", "the store's whole page tree"),
            ("editors group", f"{store.editors_group.name} and its permissions"),
            ("collection", f"{store.collection.name} with its images and documents"),
            ("brand settings", "theme and navigation"),
            (f"{driver or 'unknown'} infrastructure", TEARDOWN.get(driver, "what it made")),
            ("brand folder", str(brands_dir() / slug)),
        )
    )
    problems = (problem,) if problem else ()
    return Plan(RunAction.DESTROY, slug, "", store.hostname, changes, problems, driver)

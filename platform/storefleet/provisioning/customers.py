"""The customers a store serves: the store file's ``[customers]`` (ERP customer codes, and rules
the ERP knows: an address's country, the customer's price list) matched against the ERP's
customers, and the match opened to the store.

The plan asks the ERP itself when the ERP check is on (read only: nothing is mirrored by a
plan); the launch step mirrors what it read (``accounts.services.companies_upsert``, the same
write as the ERP sync) and then opens exactly the matching companies to the store. With the
check off, both use the platform's mirror of the ERP's customers as it stands."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from storefleet.accounts.selectors import company_list
from storefleet.accounts.services import companies_upsert, store_companies_set
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import CustomerRecord, SyncCursor
from storefleet.tenants.models import Store

from .storefile import CustomersServed

MAX_PAGES = 1000  # a runaway cursor must end; 1000 pages of the sync's batch is a big ERP


@dataclass(frozen=True)
class CustomerFacts:
    """What the rules look at, whether read from the ERP or from the platform's mirror."""

    code: str
    name: str
    price_list: str
    countries: frozenset[str]


@dataclass(frozen=True)
class CustomerMatch:
    served: tuple[CustomerFacts, ...]
    unknown_codes: tuple[str, ...]

    def describe(self, limit: int = 8) -> str:
        if not self.served:
            return "no ERP customer matches; nobody can buy here yet"
        names = ", ".join(f"{c.code} {c.name}" for c in self.served[:limit])
        more = f" and {len(self.served) - limit} more" if len(self.served) > limit else ""
        return f"{len(self.served)} companies: {names}{more}"


def customers_problem(match: CustomerMatch, source: str) -> str | None:
    """The plan's words for codes nobody knows, or ``None``."""
    if not match.unknown_codes:
        return None
    codes = ", ".join(match.unknown_codes)
    return (
        f"store.toml [customers] codes: {codes} {'is' if len(match.unknown_codes) == 1 else 'are'}"
        f" not a customer in {source}; correct the code or remove it."
    )


def customers_match(
    *, declared: CustomersServed, customers: Iterable[CustomerFacts]
) -> CustomerMatch:
    """The customers the declaration serves (in code order) and the declared codes not found."""
    codes, countries, price_lists = (
        set(declared.codes),
        set(declared.countries),
        set(declared.price_lists),
    )
    known: dict[str, CustomerFacts] = {c.code: c for c in customers}
    served = [
        c
        for c in known.values()
        if c.code in codes
        or c.countries & countries
        or (c.price_list and c.price_list in price_lists)
    ]
    return CustomerMatch(
        served=tuple(sorted(served, key=lambda c: c.code)),
        unknown_codes=tuple(code for code in declared.codes if code not in known),
    )


def erp_customer_records() -> tuple[CustomerRecord, ...]:
    """Every customer the ERP has, read through the gateway in its sync batches."""
    gateway = get_gateway()
    cursor, records = SyncCursor(), list[CustomerRecord]()
    for _page in range(MAX_PAGES):
        batch = gateway.customers_changed_since(cursor=cursor)
        records += batch.records
        if batch.complete:
            break
        cursor = batch.next_cursor
    return tuple(records)


def facts_from_records(records: Sequence[CustomerRecord]) -> tuple[CustomerFacts, ...]:
    return tuple(
        CustomerFacts(
            code=r.code,
            name=r.name,
            price_list=r.price_list or "",
            countries=frozenset(a.country for a in r.addresses if a.active and a.country),
        )
        for r in records
    )


def facts_from_mirror() -> tuple[CustomerFacts, ...]:
    """The active companies mirrored from the ERP."""
    companies = company_list().filter(active=True)
    return tuple(
        CustomerFacts(
            code=c.code,
            name=c.name,
            price_list=c.price_list,
            countries=frozenset(a.country for a in c.addresses.all() if a.active and a.country),
        )
        for c in companies
    )


@dataclass(frozen=True)
class CustomersOpened:
    match: CustomerMatch
    added: tuple[str, ...]
    removed: tuple[str, ...]


def store_customers_open(
    *, store: Store, declared: CustomersServed, from_erp: bool
) -> CustomersOpened:
    """Make the companies that may buy in ``store`` exactly those ``declared`` serves.

    ``from_erp``: read the ERP's customers and mirror them first (a store launched before the
    first sync still opens to its customers); otherwise match the mirror as it is."""
    if from_erp:
        records = erp_customer_records()
        companies_upsert(records=records)
    match = customers_match(declared=declared, customers=facts_from_mirror())
    companies = company_list().filter(code__in=[c.code for c in match.served])
    added, removed = store_companies_set(store=store, companies=companies)
    return CustomersOpened(match=match, added=added, removed=removed)

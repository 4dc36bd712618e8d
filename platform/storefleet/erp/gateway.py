"""The ERP gateway: what the rest of the platform calls (``get_gateway()``).

It adds, in front of whichever backend ``settings.ERP_BACKEND`` names:
- price reads cached per store and customer, availability per store and warehouse (stock is
  the warehouse's, the same for every customer: 200 companies' pages ask the ERP for it once),
  each (SKU, quantity) on its own key so a page asking for 50 SKUs only asks the ERP for the
  ones not cached; fresh for ``ERP_PRICE_TTL_SECONDS`` / ``ERP_AVAILABILITY_TTL_SECONDS``, kept
  ``ERP_STALE_TTL_SECONDS`` to answer (``stale=True``) while the ERP is unreachable; explicit
  invalidation by bumping a generation number — prices per store and per customer, stock per
  store (works on any cache backend). A batch asked
  again as a whole (the same page, the same cart) is also kept as one entry, read together
  with the generations in a single cache round trip: a warm batch costs one cache read and
  one unpickling, not one per line, of compact records (``cache_records``: tuples of strings,
  not pickled dataclasses), and none when this process decoded the same batch before;
- the circuit breaker, retries for idempotent calls, and per-call timings (``resilience``).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

from . import cache_records, resilience, watch
from .errors import ErpUnavailable
from .protocol import ErpBackend
from .types import (
    Availability,
    CancelResult,
    ConnectionReport,
    CreditStatus,
    CustomerBatch,
    Invoice,
    InvoiceDocument,
    LaunchOptions,
    LeadRequest,
    LeadResult,
    LineQuery,
    MappingQuery,
    MappingReport,
    OrderRequest,
    OrderReturnables,
    OrderStatus,
    OrderTotals,
    OrderValidation,
    PaymentRequest,
    PaymentResult,
    PriceQuote,
    ProductBatch,
    Quotation,
    QuotationAnswer,
    QuotationRequest,
    ReturnRequest,
    ReturnResult,
    ReturnStatus,
    SaleBatch,
    SaleDetail,
    SubmittedOrder,
    SyncCursor,
)

R = TypeVar("R", PriceQuote, Availability)
GRACE_PERIOD_TTL = 300  # seconds: the ERP's "Process Sale after" is a setting, not a read

# The launch wizard's pickers ask on every page view: the ERP's master data changes rarely,
# and a new warehouse or price list should show up within a minute.
LAUNCH_OPTIONS_TTL_SECONDS = 60


def _generation(key: str, known: dict[str, Any]) -> int:
    value = known.get(key)
    if value is None:
        cache.add(key, 1, timeout=None)
        value = cache.get(key) or 1
    return int(value)


def _batch_key(kind: str, store: str, scope: str, lines: Sequence[LineQuery]) -> str:
    digest = hashlib.blake2b(
        "|".join(f"{ln.sku}:{_qty(ln.quantity)}" for ln in lines).encode(), digest_size=16
    ).hexdigest()
    # v2: compact records (cache_records); a batch kept by an older release is not read.
    return f"erp:{kind}-batch:v2:{store}:{scope}:{digest}"


def _verdict_key(order: OrderRequest) -> str:
    what = [
        order.customer,
        order.warehouse,
        str(order.ship_to_address_id),
        str(order.accept_backorder),
        *(f"{ln.sku}:{_qty(ln.quantity)}:{ln.expected_unit_price}" for ln in order.lines),
    ]
    digest = hashlib.blake2b("|".join(what).encode(), digest_size=16).hexdigest()
    return f"erp:verdict:{digest}"


def _totals_key(store: str, order: OrderRequest) -> str:
    what = [
        order.customer,
        order.currency,
        *(f"{ln.sku}:{_qty(ln.quantity)}:{ln.expected_unit_price}" for ln in order.lines),
    ]
    digest = hashlib.blake2b("|".join(what).encode(), digest_size=16).hexdigest()
    return f"erp:totals:{store}:{digest}"


def _stock_generation(store: str) -> str:
    return f"erp:stock-gen:{store}"


def page_dependencies(*, store: str, customer: str) -> list[str]:
    """The cache keys whose values say whether a page made of ``customer``'s prices and stock
    in ``store`` is still current: the price/stock generations and the breaker's state. The
    generations are made where missing, as the reads would make them: a page rendered first
    depends on the values its reads see, not on "missing" (which would never hold again)."""
    generations = [f"erp:gen:{store}", f"erp:gen:{store}:{customer}", _stock_generation(store)]
    for key in generations:
        cache.add(key, 1, timeout=None)
    return [*generations, *watch.generations(), resilience.BREAKER_OPENED_AT]


def _bump(key: str) -> None:
    cache.add(key, 1, timeout=None)
    cache.incr(key)


def _sale_key(customer: str, number: str) -> str:
    digest = hashlib.blake2b(f"{customer}|{number}".encode(), digest_size=12).hexdigest()
    return f"erp:sale:{digest}"


def _sale_generation_key(customer: str) -> str:
    digest = hashlib.blake2b(customer.encode(), digest_size=12).hexdigest()
    return f"erp:sale-gen:{digest}"


# Every key of a batch spells each line's quantity: a few distinct values, met again and again
# (equal Decimals, such as 2 and 2.0000, have one spelling: the normalized one).
@functools.lru_cache(maxsize=1024)
def _qty(quantity: Decimal) -> str:
    return format(quantity.normalize(), "f")


@dataclasses.dataclass(frozen=True, slots=True)
class _Lookup:
    """What the cache holds of one batch of lines (``_cache_lookup``)."""

    batch_key: str
    generation: str
    now: float
    batch: Any  # the whole batch, packed, when it is held fresh; else None
    keys: list[str]  # the lines' own keys, in order
    cached: dict[str, tuple[float, Any]]  # every line held, fresh or not
    fresh: dict[str, Any]  # the lines held fresh


def _cache_lookup(
    *,
    kind: str,
    store: str,
    scope: str,
    generations: tuple[str, ...],
    lines: Sequence[LineQuery],
    ttl: int,
) -> _Lookup:
    """The batch and its lines as the cache holds them under the current generations: fresh
    within ``ttl``, or past it while the change watch vouches for them (erp/watch.py, which
    every look asks again once it is due). One cache round trip when the batch is held."""
    batch_key = _batch_key(kind, store, scope, lines)
    known = cache.get_many([*generations, batch_key, watch.CHECKED_AT])
    generation = ".".join(str(_generation(key, known)) for key in generations)
    now = time.time()
    watched = known.get(watch.CHECKED_AT)
    if watch.due(watched):
        watch.check_soon()
    batch = known.get(batch_key)
    if (
        batch is not None
        and batch[0] == generation
        and now - batch[1] < watch.life(ttl, watched, batch[1])
    ):
        return _Lookup(batch_key, generation, now, batch[2], [], {}, {})
    keys = [f"erp:{kind}:{store}:{scope}:{generation}:{ln.sku}:{_qty(ln.quantity)}" for ln in lines]
    cached: dict[str, tuple[float, Any]] = cache.get_many(keys)
    fresh = {k: v for k, (at, v) in cached.items() if now - at < watch.life(ttl, watched, at)}
    return _Lookup(batch_key, generation, now, None, keys, cached, fresh)


class ErpGateway:
    def __init__(self, backend: ErpBackend) -> None:
        self.backend = backend

    # -------------------------------------------------------------- cached reads
    def prices(
        self,
        *,
        store: str,
        customer: str,
        lines: Sequence[LineQuery],
        currency: str | None = None,
    ) -> list[PriceQuote]:
        """The customer's price for each (SKU, quantity), in input order, in the store's
        ``currency`` (the customer's own when ``None``); one backend call for all the lines
        that are not cached."""
        return self._cached_batch(
            kind="price",
            store=store,
            scope=f"{customer}:{currency}" if currency else customer,
            generations=(f"erp:gen:{store}", f"erp:gen:{store}:{customer}", watch.PRICE_GENERATION),
            lines=lines,
            ttl=settings.ERP_PRICE_TTL_SECONDS,
            fetch=lambda missing: self.backend.prices(
                customer=customer, lines=missing, currency=currency
            ),
            operation="prices",
            pack=functools.partial(cache_records.packed, rows=cache_records.price_rows),
            unpack=functools.partial(cache_records.unpacked, decode=cache_records.price_quotes),
        )

    def prices_held(
        self,
        *,
        store: str,
        customer: str,
        lines: Sequence[LineQuery],
        currency: str | None = None,
    ) -> list[PriceQuote] | None:
        """The customer's prices as ``prices`` would answer them from the cache alone, or
        ``None`` unless every line is held there fresh; never asks the ERP (a writer that checks
        the ERP's price beside its write uses it as its first guess)."""
        found = _cache_lookup(
            kind="price",
            store=store,
            scope=f"{customer}:{currency}" if currency else customer,
            generations=(f"erp:gen:{store}", f"erp:gen:{store}:{customer}", watch.PRICE_GENERATION),
            lines=lines,
            ttl=settings.ERP_PRICE_TTL_SECONDS,
        )
        if found.batch is not None:
            return cache_records.unpacked(found.batch, decode=cache_records.price_quotes)
        if len(found.fresh) < len(found.keys):
            return None
        return [found.fresh[key] for key in found.keys]

    def availability(
        self, *, store: str, customer: str, warehouse: str, lines: Sequence[LineQuery]
    ) -> list[Availability]:
        """Stock per SKU in ``warehouse`` now and the date the requested quantity arrives. The
        same for every customer: kept per store and warehouse (``customer`` is not asked for)."""
        return self._cached_batch(
            kind="stock",
            store=store,
            scope=warehouse,
            generations=(f"erp:gen:{store}", _stock_generation(store), watch.STOCK_GENERATION),
            lines=lines,
            ttl=settings.ERP_AVAILABILITY_TTL_SECONDS,
            fetch=lambda missing: self.backend.availability(warehouse=warehouse, lines=missing),
            operation="availability",
            pack=functools.partial(cache_records.packed, rows=cache_records.stock_rows),
            unpack=functools.partial(cache_records.unpacked, decode=cache_records.availabilities),
        )

    def _cached_batch(
        self,
        *,
        kind: str,
        store: str,
        scope: str,
        generations: tuple[str, ...],
        lines: Sequence[LineQuery],
        ttl: int,
        fetch: Callable[[list[LineQuery]], list[R]],
        operation: str,
        pack: Callable[[list[R]], cache_records.Packed],
        unpack: Callable[[cache_records.Packed], list[R]],
    ) -> list[R]:
        found = _cache_lookup(
            kind=kind, store=store, scope=scope, generations=generations, lines=lines, ttl=ttl
        )
        if found.batch is not None:
            return unpack(found.batch)
        keys, cached, fresh, now = found.keys, found.cached, found.fresh, found.now
        missing = [ln for ln, key in zip(lines, keys, strict=True) if key not in fresh]
        if missing:
            unique = list(dict.fromkeys(missing))
            try:
                fetched = resilience.call(operation, lambda: fetch(unique), idempotent=True)
            except ErpUnavailable:
                if all(key in cached for key in keys):
                    return [dataclasses.replace(cached[key][1], stale=True) for key in keys]
                raise
            by_line = dict(zip(unique, fetched, strict=True))
            stored = {
                key: (now, by_line[ln])
                for ln, key in zip(lines, keys, strict=True)
                if ln in by_line
            }
            cache.set_many(stored, timeout=settings.ERP_STALE_TTL_SECONDS)
            fresh.update({k: v for k, (_, v) in stored.items()})
            cached.update(stored)
        answer = [fresh[key] for key in keys]
        # The batch is as fresh as its oldest line.
        oldest = min(cached[key][0] for key in keys)
        cache.set(
            found.batch_key,
            (found.generation, oldest, pack(answer)),
            timeout=int(watch.longest(ttl)),
        )
        return answer

    def change_fingerprints(self) -> tuple[str, str]:
        """The ERP's fingerprints of what prices and of what stock are made of (the change
        watch compares them: ``erp/watch.py``); uncached, idempotent."""
        return resilience.call(
            "change_fingerprints", self.backend.change_fingerprints, idempotent=True
        )

    def invalidate_prices(self, *, store: str, customer: str | None = None) -> None:
        """Forget cached prices of one customer in a store; without ``customer``, prices and
        availability of the whole store."""
        _bump(f"erp:gen:{store}:{customer}" if customer else f"erp:gen:{store}")

    def invalidate_availability(self, *, store: str) -> None:
        """Forget cached availability of a store (every customer's: stock is the warehouse's)."""
        _bump(_stock_generation(store))

    # -------------------------------------------------------------- uncached reads
    def current_prices(
        self, *, customer: str, lines: Sequence[LineQuery], currency: str | None = None
    ) -> list[PriceQuote]:
        """The customer's prices as the ERP gives them now, never from the cache: what an order
        is placed at is compared with these (a cached price may be ``ERP_PRICE_TTL_SECONDS``
        old)."""
        return resilience.call(
            "prices",
            lambda: self.backend.prices(customer=customer, lines=lines, currency=currency),
            idempotent=True,
        )

    def validate_order(
        self, *, order: OrderRequest, max_age: float = 0, keep: bool = False
    ) -> OrderValidation:
        """The ERP's verdict on ``order``, asked now; or, with ``max_age``, the verdict on the
        same customer, warehouse, address and lines if one was kept (``keep``) at most that many
        seconds ago (a checkout submit right after the checkout page showed it)."""
        return self.validate_order_asked(order=order, max_age=max_age, keep=keep)[0]

    def validate_order_asked(
        self, *, order: OrderRequest, max_age: float = 0, keep: bool = False
    ) -> tuple[OrderValidation, bool]:
        """``validate_order``, and whether the ERP was asked now (False: a kept verdict)."""
        key = _verdict_key(order)
        if max_age > 0:
            kept = cache.get(key)
            if kept is not None and time.time() - kept[0] <= max_age:
                return kept[1], False
        validation = resilience.call(
            "validate_order", lambda: self.backend.validate_order(order=order), idempotent=True
        )
        if keep:
            cache.set(key, (time.time(), validation), timeout=settings.ERP_VERDICT_REUSE_SECONDS)
        return validation, True

    def order_totals(self, *, store: str, order: OrderRequest) -> OrderTotals:
        """Untaxed amount, tax and total the ERP would invoice for ``order``, kept
        ``ERP_PRICE_TTL_SECONDS`` per store under the customer, currency and exact lines and
        unit prices (a changed price or quantity is another key; the store's and the
        customer's price generations are part of it, so an invalidation of their prices
        drops it too): a buyer reloading the checkout asks the ERP once."""
        store_gen, customer_gen = f"erp:gen:{store}", f"erp:gen:{store}:{order.customer}"
        key = _totals_key(store, order)
        known = cache.get_many([store_gen, customer_gen, watch.PRICE_GENERATION, key])
        generation = ".".join(
            str(_generation(k, known)) for k in (store_gen, customer_gen, watch.PRICE_GENERATION)
        )
        hit = known.get(key)
        if hit is not None and hit[0] == generation:
            return hit[1]
        totals = resilience.call(
            "order_totals", lambda: self.backend.order_totals(order=order), idempotent=True
        )
        cache.set(key, (generation, totals), timeout=settings.ERP_PRICE_TTL_SECONDS)
        return totals

    def order_status(self, *, number: str) -> OrderStatus:
        return resilience.call(
            "order_status", lambda: self.backend.order_status(number=number), idempotent=True
        )

    def credit_status(self, *, customer: str) -> CreditStatus:
        return resilience.call(
            "credit_status", lambda: self.backend.credit_status(customer=customer), idempotent=True
        )

    def open_invoices(self, *, customer: str) -> list[Invoice]:
        return resilience.call(
            "open_invoices", lambda: self.backend.open_invoices(customer=customer), idempotent=True
        )

    def invoice_history(self, *, customer: str, limit: int = 200) -> list[Invoice]:
        return resilience.call(
            "invoice_history",
            lambda: self.backend.invoice_history(customer=customer, limit=limit),
            idempotent=True,
        )

    def products_changed_since(
        self, *, cursor: SyncCursor, limit: int | None = None, languages: Sequence[str] = ()
    ) -> ProductBatch:
        size = limit or settings.ERP_SYNC_BATCH_SIZE
        wanted = tuple(dict.fromkeys(languages))
        return resilience.call(
            "products_changed_since",
            lambda: self.backend.products_changed_since(
                cursor=cursor, limit=size, languages=wanted
            ),
            idempotent=True,
        )

    def customers_changed_since(
        self, *, cursor: SyncCursor, limit: int | None = None
    ) -> CustomerBatch:
        size = limit or settings.ERP_SYNC_BATCH_SIZE
        return resilience.call(
            "customers_changed_since",
            lambda: self.backend.customers_changed_since(cursor=cursor, limit=size),
            idempotent=True,
        )

    # ---- sales as the customer follows them (My orders) ----
    def sales_changed_since(self, *, cursor: SyncCursor, limit: int | None = None) -> SaleBatch:
        size = limit or settings.ERP_SYNC_BATCH_SIZE
        return resilience.call(
            "sales_changed_since",
            lambda: self.backend.sales_changed_since(cursor=cursor, limit=size),
            idempotent=True,
        )

    def sale(self, *, number: str, customer: str) -> SaleDetail:
        """One sale of ``customer`` with its lines, shipments and invoices, kept
        ``ERP_SALE_TTL_SECONDS`` in the cache (keyed by customer): a buyer reloading an order
        page asks the ERP once per TTL. A write through the gateway that changes a customer's
        sales (a payment here; a cancellation or a return by their callers) invalidates them:
        ``invalidate_sales``, or ``invalidate_sale`` for one."""
        generation_key, key = _sale_generation_key(customer), _sale_key(customer, number)
        known = cache.get_many([generation_key, key])
        generation = _generation(generation_key, known)
        hit = known.get(key)
        if (
            hit is not None
            and hit[0] == generation
            and time.time() - hit[1] < settings.ERP_SALE_TTL_SECONDS
        ):
            return hit[2]
        detail = resilience.call("sale", lambda: self.backend.sale(number=number), idempotent=True)
        cache.set(key, (generation, time.time(), detail), timeout=settings.ERP_SALE_TTL_SECONDS)
        return detail

    def invalidate_sale(self, *, number: str, customer: str) -> None:
        """Forget the cached read of one sale (after a cancellation or a return of it)."""
        cache.delete(_sale_key(customer, number))

    def invalidate_sales(self, *, customer: str) -> None:
        """Forget the cached reads of every sale of a customer (after a payment)."""
        _bump(_sale_generation_key(customer))

    # ---- end sales ----

    def test_connection(self) -> ConnectionReport:
        return resilience.call("test_connection", self.backend.test_connection, idempotent=True)

    def launch_options(self) -> LaunchOptions:
        """What a new store may be mapped to (warehouses, price lists, currencies, product
        categories), kept ``LAUNCH_OPTIONS_TTL_SECONDS`` per ERP; a failure is not kept, so
        the next view asks again. Raises ``ErpUnavailable`` when the ERP cannot be reached."""
        config = (settings.ERP_URL, settings.ERP_DATABASE, settings.ERP_USER)
        key = (
            "erp:launch-options:"
            + hashlib.blake2b("|".join(config).encode(), digest_size=12).hexdigest()
        )
        options: LaunchOptions | None = cache.get(key)
        if options is None:
            options = resilience.call(
                "launch_options", self.backend.launch_options, idempotent=True
            )
            cache.set(key, options, timeout=LAUNCH_OPTIONS_TTL_SECONDS)
        return options

    def mapping_check(self, *, query: MappingQuery) -> MappingReport:
        """The ERP's view of a store's mapping (never cached: a launch asks for the truth)."""
        return resilience.call(
            "mapping_check", lambda: self.backend.mapping_check(query=query), idempotent=True
        )

    # -------------------------------------------------------------- writes
    def submit_order(self, *, order: OrderRequest) -> SubmittedOrder:
        """Idempotent by ``order.idempotency_key``, so retried like a read; a cache lock keeps
        two processes from submitting the same key at the same moment. The lock outlives the
        longest call, but not the outbox's lease on the message (``_key_lock_seconds``): a run
        is stopped when its lease ends (the task's time limit), so a lock left by a run that
        died would only hold up the run that takes the message up after it."""
        lock = f"erp:submit-lock:{order.idempotency_key}"
        if not cache.add(lock, 1, timeout=_key_lock_seconds()):
            raise ErpUnavailable("the same order is being submitted right now")
        tries = 0

        def submit() -> SubmittedOrder:
            # A retry may follow an attempt that made the sale and lost the answer: look.
            nonlocal tries
            tries += 1
            again = dataclasses.replace(order, first_submission=False) if tries > 1 else order
            return self.backend.submit_order(order=again)

        try:
            return resilience.call("submit_order", submit, idempotent=True)
        finally:
            cache.delete(lock)

    # -------------------------------------------------------------- quotations
    def request_quotation(self, *, request: QuotationRequest) -> Quotation:
        """Idempotent by ``request.idempotency_key`` (the backend looks for the key's sale
        first, unless this is the key's first request), so retried like a read."""
        tries = 0

        def send() -> Quotation:
            # A retry may follow an attempt that made the sale and lost the answer: look.
            nonlocal tries
            tries += 1
            again = dataclasses.replace(request, first_request=False) if tries > 1 else request
            return self.backend.request_quotation(request=again)

        return resilience.call("request_quotation", send, idempotent=True)

    def quotations(self, *, customer: str) -> list[Quotation]:
        """Uncached: a quote the salesperson just answered shows at once."""
        return resilience.call(
            "quotations", lambda: self.backend.quotations(customer=customer), idempotent=True
        )

    def quotation(self, *, customer: str, number: str) -> Quotation:
        return resilience.call(
            "quotation",
            lambda: self.backend.quotation(customer=customer, number=number),
            idempotent=True,
        )

    def accept_quotation(self, *, customer: str, number: str) -> SubmittedOrder:
        """Confirming a sale twice is a no-op in the ERP's workflow: retried like a read."""
        result = resilience.call(
            "accept_quotation",
            lambda: self.backend.accept_quotation(customer=customer, number=number),
            idempotent=True,
        )
        self.invalidate_sales(customer=customer)
        return result

    def answer_quotation(self, *, answer: QuotationAnswer) -> Quotation:
        """Writing the same answer again changes nothing in the ERP (the backend compares
        first): retried like a read."""
        return resilience.call(
            "answer_quotation",
            lambda: self.backend.answer_quotation(answer=answer),
            idempotent=True,
        )

    def cancel_quotation(self, *, customer: str, number: str) -> Quotation:
        """Cancelling a cancelled quotation changes nothing (the backend looks first):
        retried like a read."""
        return resilience.call(
            "cancel_quotation",
            lambda: self.backend.cancel_quotation(customer=customer, number=number),
            idempotent=True,
        )

    # -------------------------------------------------------------- leads
    def create_lead(self, *, lead: LeadRequest) -> LeadResult:
        """Idempotent by ``lead.idempotency_key`` (the backend looks for the key's lead first),
        so retried like a read; a cache lock keeps two processes from creating the same key's
        lead at the same moment."""
        lock = f"erp:lead-lock:{lead.idempotency_key}"
        if not cache.add(lock, 1, timeout=_key_lock_seconds()):
            raise ErpUnavailable("the same lead is being sent right now")
        try:
            return resilience.call(
                "create_lead", lambda: self.backend.create_lead(lead=lead), idempotent=True
            )
        finally:
            cache.delete(lock)

    def record_payment(self, *, payment: PaymentRequest) -> PaymentResult:
        result = resilience.call(
            "record_payment", lambda: self.backend.record_payment(payment=payment), idempotent=True
        )
        self.invalidate_sales(customer=payment.customer)  # its sales' invoices are paid now
        return result

    def request_return(self, *, request: ReturnRequest) -> ReturnResult:
        return resilience.call(
            "request_return", lambda: self.backend.request_return(request=request), idempotent=True
        )

    def cancel_order(self, *, number: str) -> CancelResult:
        return resilience.call(
            "cancel_order", lambda: self.backend.cancel_order(number=number), idempotent=True
        )

    def cancel_grace_period(self) -> datetime.timedelta | None:
        """The ERP's grace period before it processes a confirmed sale, to tell the buyer until
        when an order can be cancelled (the ERP still judges each cancel). A setting changed
        rarely: kept for ``GRACE_PERIOD_TTL`` seconds; None (nothing promised) when the ERP
        can't be asked."""
        key = f"erp:{self.backend.name}:cancel-grace"
        known = cache.get(key)
        if known is not None:
            return known[0]
        try:
            value = resilience.call(
                "cancel_grace_period", self.backend.cancel_grace_period, idempotent=True
            )
        except ErpUnavailable:
            return None
        cache.set(key, (value,), timeout=GRACE_PERIOD_TTL)
        return value

    # -------------------------------------------------------------- documents, returns (portal)
    def invoice_document(self, *, customer: str, number: str) -> InvoiceDocument:
        """One of the customer's invoices as a document shows it (uncached: its amount to pay
        changes with every payment)."""
        return resilience.call(
            "invoice_document",
            lambda: self.backend.invoice_document(customer=customer, number=number),
            idempotent=True,
        )

    def order_returnables(self, *, customer: str, number: str) -> OrderReturnables:
        return resilience.call(
            "order_returnables",
            lambda: self.backend.order_returnables(customer=customer, number=number),
            idempotent=True,
        )

    def return_statuses(self, *, keys: Sequence[str]) -> list[ReturnStatus]:
        return resilience.call(
            "return_statuses", lambda: self.backend.return_statuses(keys=keys), idempotent=True
        )


@functools.lru_cache(maxsize=8)
def _backend(factory: str, *signature: Any) -> ErpBackend:
    backend: ErpBackend = import_string(factory)()
    return backend


def _key_lock_seconds() -> float:
    """How long a write's key lock is held (``submit_order``, ``create_lead``): the longest call,
    but never past the outbox's lease on the message the write carries."""
    return min(settings.ERP_READ_TIMEOUT_SECONDS * 4, settings.OUTBOX_LEASE_SECONDS)


def get_gateway() -> ErpGateway:
    """The gateway for the current settings; its backend (HTTP pool, session, memos) is made
    once per process and configuration."""
    backend = _backend(
        settings.ERP_BACKEND, settings.ERP_URL, settings.ERP_DATABASE, settings.ERP_USER
    )
    return ErpGateway(backend)

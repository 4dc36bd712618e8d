"""Carts drawn from the seeded business, the ERP's own verdict on each, and the platform's.

Issue 4: every cart the platform lets through, the ERP confirms; every cart it blocks, the ERP
would have refused. Three parts, usable in pytest and from a benchmark script alike:

- ``World``: what the carts are drawn from, read once from a running reference ERP and its seed
  manifest (products with their rules and live stock, customers with their addresses and credit
  headroom, warehouses).
- ``carts(world)``: a hypothesis strategy of carts — real SKUs and unknown ones, quantities that
  break the minimum, the multiple or the unit's decimals, quantities around the live stock and
  around the customer's credit headroom, the near-limit and over-limit customers weighted in.
- ``ErpOracle``: the ERP's verdict, by the ERP's own enforcement and no decision of ours: the
  sale a submission would make (the cart's lines at the unit prices the platform quoted) is
  created over JSON-RPC, quoted and confirmed without skipping any warning. A refusal at create
  (quantity rules, digits of the unit, product domain), at quote (stock) or at confirm (credit,
  stock) is the ERP refusing; an unknown SKU is refused because no product exists.

``run_carts(server=…, examples=…, seed=…)`` puts the three together: hypothesis draws the carts
(the same ones on every run unless a seed is given), then each cart is asked of the platform
(``get_gateway().validate_order``) and of the ERP, back to back on the same state, and the
decisions that differ are counted. Carts are drawn first and checked after, so that further
ERP servers started from the same seed can share them (an ERP is one Python process: one core);
a divergence is reported with its whole cart, which has three lines at most, rather than shrunk.

Keeping the ERP's world fixed. A sale Tryton confirms is processed in the same request (shipment,
draft invoice) and can no longer be taken back cheaply, so confirmed sales would drain stock and
credit from one example to the next. The oracle therefore creates each sale with a shipping date
of yesterday: Tryton's confirm runs all of its checks (credit limit, stock) first and only then,
in ``Sale.confirm`` itself, writes the sale date — which violates the domain
``shipping_date >= sale_date`` and rolls the whole call back. That fault, naming
``shipping_date``, can only come after every check passed: the ERP accepts. The quotation left
behind goes back to draft (a draft holds neither stock nor credit) and is deleted in batches.
This leans on one fact of the seeded business, checked when the world is read: no product has
a lead time, so Tryton checks every line's stock at today whatever the sale's shipping date
(``sale.line.planned_shipping_date``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import math
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any, Protocol

from hypothesis import HealthCheck, Phase, given
from hypothesis import seed as hypothesis_seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from storefleet.erp.backends.tryton import faults
from storefleet.erp.backends.tryton.client import TrytonClient, TrytonFault
from storefleet.erp.types import (
    OrderLineRequest,
    OrderRequest,
    OrderValidation,
    ReasonCode,
)

UNKNOWN_SKUS = ("NOPE-0001", "FAS-9999")
QUANTITY_REASONS = frozenset(
    {ReasonCode.BELOW_MINIMUM, ReasonCode.NOT_A_MULTIPLE, ReasonCode.NOT_SALABLE}
)
# The oracle's drafts are deleted this many at a time (one request instead of one each).
DELETE_BATCH = 25


class ErpServerLike(Protocol):
    """What ``run_carts`` needs of a started reference ERP (``tests.erp_support.ErpServer``)."""

    url: str
    database: str
    user: str
    password: str
    manifest: dict[str, Any]


# ------------------------------------------------------------------ the world
@dataclass(frozen=True)
class ProductFacts:
    sku: str
    id: int
    sale_unit_id: int
    unit_digits: int
    tax_ids: tuple[int, ...]
    min_quantity: Decimal | None
    multiple: Decimal | None
    list_price: Decimal
    stock: dict[str, Decimal]  # warehouse code → forecast today, as read when the run starts

    @property
    def step(self) -> Decimal:
        """The smallest quantity increment the product's rules allow."""
        return self.multiple or Decimal(1).scaleb(-self.unit_digits)

    def valid_at_least(self, quantity: Decimal) -> Decimal:
        wanted = max(quantity, self.min_quantity or Decimal(0), self.step)
        return (wanted / self.step).to_integral_value(rounding=ROUND_CEILING) * self.step


@dataclass(frozen=True)
class CustomerFacts:
    code: str
    id: int
    address_ids: tuple[int, ...]
    invoice_address_id: int
    price_list_id: int | None
    payment_term_id: int | None
    home_warehouse: str
    headroom: Decimal | None  # credit limit minus credit used; None: no limit


@dataclass(frozen=True)
class World:
    products: dict[str, ProductFacts]
    customers: dict[str, CustomerFacts]
    warehouses: dict[str, int]
    near_limit: str
    over_limit: str
    out_of_stock: tuple[str, ...]
    low_stock: tuple[str, ...]
    with_minimum: tuple[str, ...]
    with_multiple: tuple[str, ...]
    fractional_units: tuple[str, ...]  # sold by kilogram or metre
    held: tuple[str, ...]  # on lines of sales quoted or confirmed, not processed yet

    @classmethod
    def read(cls, client: TrytonClient, manifest: dict[str, Any]) -> World:
        """Read ids, units, taxes, stock and credit from the ERP (a handful of requests)."""
        scenarios = manifest["scenarios"]
        warehouses = {
            row["code"]: row["id"]
            for row in client.search_read("stock.location", [["type", "=", "warehouse"]], ["code"])
            if row["code"]
        }
        seeded = {p["sku"]: p for p in manifest["products"]}
        rows = client.search_read(
            "product.product",
            [["code", "in", sorted(seeded)]],
            [
                "code",
                "sale_uom",
                "sale_uom.digits",
                "template.lead_time",
                "account_category.customer_taxes_used",
            ],
            active_test=False,
        )
        (config,) = client.model("product.configuration", "read", [1], ["default_lead_time"])
        lead_times = [r["code"] for r in rows if (r.get("template.") or {}).get("lead_time")]
        if config.get("default_lead_time") is not None or lead_times:
            raise RuntimeError(
                "products with a lead time are checked for stock at their shipping date; the "
                f"oracle's shipping-date trip-wire cannot be used ({lead_times or 'default'})"
            )
        today = datetime.date.today()
        stock: dict[str, dict[str, Decimal]] = {sku: {} for sku in seeded}
        ids = [r["id"] for r in rows]
        by_id = {r["id"]: r["code"] for r in rows}
        for code, warehouse_id in warehouses.items():
            for row in client.model(
                "product.product",
                "read",
                ids,
                ["forecast_quantity"],
                locations=[warehouse_id],
                stock_date_end=today,
            ):
                stock[by_id[row["id"]]][code] = _dec(row["forecast_quantity"])
        products = {}
        for row in rows:
            seed = seeded[row["code"]]
            products[row["code"]] = ProductFacts(
                sku=row["code"],
                id=row["id"],
                sale_unit_id=row["sale_uom"],
                unit_digits=int((row.get("sale_uom.") or {}).get("digits") or 0),
                tax_ids=tuple(
                    (row.get("account_category.") or {}).get("customer_taxes_used") or ()
                ),
                min_quantity=_dec(seed["min_qty"]) if seed["min_qty"] else None,
                multiple=_dec(seed["multiple"]) if seed["multiple"] else None,
                list_price=Decimal(seed["list_price"]),
                stock=stock[row["code"]],
            )
        seeded_customers = {c["code"]: c for c in manifest["customers"]}
        parties = client.search_read(
            "party.party",
            [["code", "in", sorted(seeded_customers)]],
            [
                "code",
                "addresses",
                "addresses.invoice",
                "sale_price_list",
                "customer_payment_term",
                "credit_amount",
                "credit_limit_amount",
            ],
        )
        customers = {}
        for party in parties:
            addresses = sorted(party["addresses"])
            invoice = [a["id"] for a in party.get("addresses.") or [] if a.get("invoice")]
            limit = party.get("credit_limit_amount")
            customers[party["code"]] = CustomerFacts(
                code=party["code"],
                id=party["id"],
                address_ids=tuple(addresses),
                invoice_address_id=(invoice or addresses)[0],
                price_list_id=party.get("sale_price_list"),
                payment_term_id=party.get("customer_payment_term"),
                home_warehouse=seeded_customers[party["code"]]["warehouse"],
                headroom=(limit - party["credit_amount"]) if limit is not None else None,
            )
        held = client.search_read(
            "sale.line",
            [["sale.state", "in", ["quotation", "confirmed"]], ["quantity", ">", 0]],
            ["product.code"],
        )
        return cls(
            products=products,
            customers=customers,
            warehouses=warehouses,
            near_limit=scenarios["near_limit_customer"],
            over_limit=scenarios["over_limit_customer"],
            out_of_stock=tuple(scenarios["out_of_stock_skus"]),
            low_stock=tuple(scenarios["low_stock_skus"]),
            with_minimum=tuple(scenarios["min_qty_skus"]),
            with_multiple=tuple(scenarios["multiple_skus"]),
            fractional_units=tuple(sorted(p.sku for p in products.values() if p.unit_digits)),
            held=tuple(sorted({row["product."]["code"] for row in held})),
        )


def _dec(value: object) -> Decimal:
    number = Decimal(str(value))
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


# ------------------------------------------------------------------ carts
@dataclass(frozen=True)
class Cart:
    customer: str
    warehouse: str
    ship_to_address_id: int
    lines: tuple[tuple[str, Decimal], ...]  # (SKU, quantity in the product's sales unit)

    def order(self, key: str) -> OrderRequest:
        """The request the cart page validates: no back-order, no expected prices."""
        return OrderRequest(
            customer=self.customer,
            warehouse=self.warehouse,
            ship_to_address_id=self.ship_to_address_id,
            lines=tuple(OrderLineRequest(sku, quantity) for sku, quantity in self.lines),
            idempotency_key=key,
        )

    def __str__(self) -> str:
        lines = ", ".join(f"{sku} × {quantity}" for sku, quantity in self.lines)
        return f"{self.customer} @ {self.warehouse}: {lines}"


def _decimals(places: int, top: int) -> st.SearchStrategy[Decimal]:
    """Positive quantities below ``top`` with ``places`` decimals at most."""
    scale = 10**places
    return st.integers(1, top * scale).map(lambda n: Decimal(n).scaleb(-places))


def _steps(product: ProductFacts, low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Valid quantities: ``low`` to ``high`` steps above the product's smallest valid one."""
    first = product.valid_at_least(Decimal(0))
    return st.integers(low, high).map(lambda k: first + k * product.step)


def ordinary_quantity(product: ProductFacts) -> st.SearchStrategy[Decimal]:
    return _steps(product, 0, 12)


def near_stock_quantity(product: ProductFacts, warehouse: str) -> st.SearchStrategy[Decimal]:
    """Valid quantities a few steps either side of the live stock in ``warehouse``."""
    edge = product.valid_at_least(product.stock.get(warehouse, Decimal(0)))
    return st.integers(-2, 2).map(lambda d: edge + d * product.step).filter(lambda q: q > 0)


def near_credit_quantity(product: ProductFacts, headroom: Decimal) -> st.SearchStrategy[Decimal]:
    """Valid quantities worth about the customer's remaining credit at list price (the
    customer's own price is a little lower), from half of it to one and a half times."""
    return st.integers(50, 150).map(
        lambda percent: product.valid_at_least(
            Decimal(math.floor(headroom * percent / 100 / product.list_price))
        )
    )


def broken_quantity(product: ProductFacts) -> st.SearchStrategy[Decimal]:
    """Quantities that break a rule of the product, or may: below the minimum, off the
    multiple, more decimals than the unit takes (up to the cart's 4), or just anything."""
    step = product.step
    kinds = [
        _steps(product, 0, 10)
        .flatmap(lambda q: st.sampled_from([q + step / 2, q + step / 10, q - step / 3, q + 1]))
        .filter(lambda q: q > 0),
        st.integers(1, 4).flatmap(lambda places: _decimals(places, 40)),
        st.integers(1, 3000).map(Decimal),
    ]
    if product.min_quantity and product.min_quantity > step:
        below = int((product.min_quantity - step) / step)
        kinds.append(st.integers(1, below).map(lambda k: k * step))
    return st.one_of(kinds)


def carts(world: World, *, max_lines: int = 3) -> st.SearchStrategy[Cart]:
    """Carts of 1 to ``max_lines`` lines, each line of one kind: an ordinary quantity of a SKU
    in stock in the cart's warehouse; a quantity at the edge of its live stock; a quantity
    worth about the customer's remaining credit; a SKU out of stock there; a quantity that
    breaks the product's rules; a SKU the ERP does not know; now and then the same SKU twice.
    A quarter of the carts are made of the first three kinds only (so that the ERP accepts
    some and the stock and credit edges are met), the rest of any kinds. One cart in six is the
    near-limit customer's, one in twelve the over-limit customer's."""
    codes = sorted(world.customers)
    # Hypothesis draws first choices more often than the rest: the ordinary ones come first.
    customers = st.one_of(
        st.sampled_from(codes),
        st.sampled_from(codes),
        st.sampled_from(codes),
        st.sampled_from([world.near_limit, world.near_limit, world.over_limit]),
    )
    all_skus = sorted(world.products)
    in_stock = {
        code: sorted(sku for sku, p in world.products.items() if p.stock.get(code, 0) > 0)
        for code in world.warehouses
    }
    short = {
        code: sorted(
            set(world.out_of_stock)
            | {sku for sku, p in world.products.items() if p.stock.get(code, 0) <= 0}
        )
        for code in world.warehouses
    }
    edge_skus = {
        code: sorted(
            set(world.low_stock)
            | set(world.held)
            | set(world.fractional_units)
            | set(in_stock[code][::7])
        )
        for code in world.warehouses
    }
    rule_skus = sorted(
        set(world.with_minimum) | set(world.with_multiple) | set(world.fractional_units)
    )

    @st.composite
    def line(draw: st.DrawFn, kind: str, warehouse: str, customer: CustomerFacts) -> tuple:
        if kind == "unknown":
            return draw(st.sampled_from(UNKNOWN_SKUS)), draw(st.integers(1, 20).map(Decimal))
        if kind == "near_credit" and customer.headroom and customer.headroom > 0:
            headroom = customer.headroom
            worth = [
                s
                for s in in_stock[warehouse]
                if world.products[s].stock[warehouse] * world.products[s].list_price >= headroom / 2
            ]
            if worth:
                sku = draw(st.sampled_from(worth))
                return sku, draw(near_credit_quantity(world.products[sku], headroom))
        if kind == "near_stock":
            sku = draw(st.sampled_from(edge_skus[warehouse]))
            return sku, draw(near_stock_quantity(world.products[sku], warehouse))
        if kind == "out_of_stock":
            sku = draw(st.sampled_from(short[warehouse]))
            return sku, draw(ordinary_quantity(world.products[sku]))
        if kind == "broken":
            sku = draw(st.sampled_from(rule_skus) | st.sampled_from(all_skus))
            return sku, draw(broken_quantity(world.products[sku]))
        sku = draw(st.sampled_from(in_stock[warehouse]))
        return sku, draw(ordinary_quantity(world.products[sku]))

    clean = ["ordinary", "ordinary", "ordinary", "near_stock", "near_credit"]
    anything = [
        *["ordinary", "near_stock", "near_credit"],
        *["out_of_stock", "broken", "broken", "unknown"],
    ]

    @st.composite
    def cart(draw: st.DrawFn) -> Cart:
        code = draw(customers)
        customer = world.customers[code]
        warehouse = draw(st.sampled_from([customer.home_warehouse] * 3 + sorted(world.warehouses)))
        kinds = draw(st.sampled_from([anything, anything, anything, clean]))
        lines: list[tuple[str, Decimal]] = []
        for _ in range(draw(st.integers(1, max_lines))):
            if any(s in world.products for s, _ in lines) and draw(st.integers(0, 7)) == 0:
                sku = draw(st.sampled_from([s for s, _ in lines if s in world.products]))
                lines.append((sku, draw(ordinary_quantity(world.products[sku]))))
                continue
            lines.append(draw(line(draw(st.sampled_from(kinds)), warehouse, customer)))
        return Cart(
            customer=code,
            warehouse=warehouse,
            ship_to_address_id=draw(st.sampled_from(customer.address_ids)),
            lines=tuple(lines),
        )

    return cart()


# ------------------------------------------------------------------ the ERP's verdict
@dataclass(frozen=True)
class ErpVerdict:
    """What the ERP did with a cart: ``stage`` is where it stopped (``accepted`` when it got
    past every check of confirm); ``reasons`` what a platform refusing for the same cause must
    have said (any one of them); ``lines`` the cart lines the ERP's refusal points at (all the
    lines of the SKU it named), empty when it named none."""

    ok: bool
    stage: str
    reasons: frozenset[ReasonCode] = frozenset()
    lines: tuple[int, ...] = ()
    detail: str = ""

    @property
    def outcome(self) -> str:
        if self.ok:
            return "accepted"
        return "refused: " + "/".join(sorted(r.value for r in self.reasons) or [self.stage])


class OracleError(RuntimeError):
    """The ERP did something the oracle cannot read as a verdict."""


class ErpOracle:
    """Asks the ERP itself, as ``orders._create`` would submit the cart: one sale with the cart's
    lines at the unit prices the platform quoted for them (what a submission puts on the
    lines), judged by Tryton alone."""

    def __init__(self, client: TrytonClient, world: World) -> None:
        self.client = client
        self.world = world
        self._drafts: list[int] = []

    def verdict(self, cart: Cart, unit_prices: Sequence[Decimal | None]) -> ErpVerdict:
        world = self.world
        for index, (sku, _quantity) in enumerate(cart.lines):
            if sku not in world.products:
                return ErpVerdict(
                    False, "create", frozenset({ReasonCode.UNKNOWN_PRODUCT}), (index,), "no product"
                )
        customer = world.customers[cart.customer]
        # Yesterday: the trip-wire that rolls back a confirm that passed every check.
        yesterday = datetime.date.today() - datetime.timedelta(days=1)
        lines = []
        for (sku, quantity), unit_price in zip(cart.lines, unit_prices, strict=True):
            product = world.products[sku]
            lines.append(
                {
                    "product": product.id,
                    "quantity": float(quantity),
                    "unit": product.sale_unit_id,
                    # No price only for a line the ERP refuses at create whatever its price
                    # (a product that cannot be sold).
                    "unit_price": unit_price if unit_price is not None else Decimal(0),
                    "taxes": [["add", list(product.tax_ids)]],
                }
            )
        values = {
            "party": customer.id,
            "warehouse": world.warehouses[cart.warehouse],
            "shipment_cost_method": None,
            "invoice_address": customer.invoice_address_id,
            "shipment_address": cart.ship_to_address_id,
            "payment_term": customer.payment_term_id,
            "price_list": customer.price_list_id,
            "description": "storefleet-oracle",
            "shipping_date": yesterday,
            "lines": [["create", lines]],
        }
        skus = [sku for sku, _ in cart.lines]
        try:
            (sale_id,) = self.client.model("sale.sale", "create", [values])
        except TrytonFault as fault:
            return self._refused("create", fault, skus)
        try:
            self.client.model("sale.sale", "quote", [sale_id])
        except TrytonFault as fault:
            verdict = self._refused("quote", fault, skus, sale_id)
            self.client.model("sale.sale", "delete", [sale_id])
            return verdict
        try:
            self.client.model("sale.sale", "confirm", [sale_id])
        except TrytonFault as fault:
            if faults.domain_field(fault) == "shipping_date":
                verdict = ErpVerdict(True, "accepted")
            else:
                verdict = self._refused("confirm", fault, skus, sale_id)
        else:
            raise OracleError(
                f"sale {sale_id} was confirmed for real: the shipping-date trip-wire did not "
                "fire, so the ERP's stock and credit have changed for the next carts"
            )
        # Back to draft, where it holds no stock and no credit; deleted with the next batch.
        self.client.model("sale.sale", "draft", [sale_id])
        self._drafts.append(sale_id)
        if len(self._drafts) >= DELETE_BATCH:
            self.flush()
        return verdict

    def flush(self) -> None:
        """Delete the drafts still kept."""
        if self._drafts:
            self.client.model("sale.sale", "delete", self._drafts)
            self._drafts = []

    def _refused(
        self, stage: str, fault: TrytonFault, skus: Sequence[str], sale_id: int | None = None
    ) -> ErpVerdict:
        detail = f"{fault.kind}: {str(fault.fault_args[:2])[:300]}"
        if fault.kind not in {"UserError", "UserWarning"}:
            raise OracleError(f"the ERP answered {detail} at {stage}")
        if faults.is_credit_warning(fault):
            return ErpVerdict(
                False, stage, frozenset({ReasonCode.CREDIT_LIMIT_EXCEEDED}), (), detail
            )
        line_id = faults.stock_warning_line(fault)
        if line_id is not None and sale_id is not None:
            (sale,) = self.client.model("sale.sale", "read", [sale_id], ["lines"])
            # Lines are created, and read back, in the cart's order.
            named = (sale["lines"].index(line_id),) if line_id in sale["lines"] else ()
            return ErpVerdict(
                False, stage, frozenset({ReasonCode.INSUFFICIENT_STOCK}), named, detail
            )
        if fault.kind == "UserError" and stage == "create":
            # The quantity rules, the unit's digits and the product's domain are the line
            # checks at create; the fault names the line's product as "[SKU]".
            named = faults.named_skus(fault, skus)
            lines = tuple(i for i, sku in enumerate(skus) if sku in named)
            return ErpVerdict(False, stage, QUANTITY_REASONS, lines, detail)
        return ErpVerdict(False, stage, frozenset({ReasonCode.REFUSED}), (), detail)


# ------------------------------------------------------------------ comparing
@dataclass(frozen=True)
class Divergence:
    cart: Cart
    platform_ok: bool
    platform_reasons: tuple[ReasonCode, ...]
    erp: ErpVerdict
    kind: str  # "decision" or "reason"

    def __str__(self) -> str:
        platform = "accepts" if self.platform_ok else "refuses"
        reasons = ", ".join(r.value for r in self.platform_reasons) or "-"
        return (
            f"[{self.kind}] {self.cart}\n    platform {platform} ({reasons}); ERP "
            f"{self.erp.outcome} at {self.erp.stage}, lines {list(self.erp.lines)}: "
            f"{self.erp.detail}"
        )


def compare(cart: Cart, validation: OrderValidation, erp: ErpVerdict) -> Divergence | None:
    """A decision that differs, or a refusal whose cause the platform did not name."""

    def differs(kind: str) -> Divergence:
        return Divergence(cart, validation.ok, validation.reasons, erp, kind)

    if validation.ok != erp.ok:
        return differs("decision")
    if erp.ok or not erp.reasons:
        return None
    if erp.reasons == {ReasonCode.CREDIT_LIMIT_EXCEEDED}:
        said = set(validation.credit.reasons)
    elif erp.lines:
        said = {r for i in erp.lines for r in validation.lines[i].reasons}
    else:
        said = set(validation.reasons)
    return None if said & erp.reasons or ReasonCode.REFUSED in erp.reasons else differs("reason")


@dataclass(frozen=True)
class CartRunResult:
    checked: int
    divergent: int  # carts the platform and the ERP decide differently
    examples_of_divergence: tuple[Divergence, ...]  # the first few, decisions and reasons
    reason_mismatches: int = 0  # same decision, but the platform did not name the ERP's cause
    outcomes: dict[str, int] = field(default_factory=dict)  # what the ERP did, counted
    customers: dict[str, int] = field(default_factory=dict)  # carts per customer
    seconds: float = 0.0
    servers: int = 1


def generate_carts(
    world: World, *, examples: int, seed: int | None = None, max_lines: int = 3
) -> list[Cart]:
    """``examples`` carts from hypothesis: the same ones on every run when ``seed`` is None
    (``derandomize``), that seed's otherwise."""
    drawn: list[Cart] = []
    settings = hypothesis_settings(
        max_examples=examples,
        deadline=None,
        derandomize=seed is None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )

    def keep(cart: Cart) -> None:
        drawn.append(cart)

    collect = settings(given(carts(world, max_lines=max_lines))(keep))
    if seed is not None:
        collect = hypothesis_seed(seed)(collect)
    collect()
    return drawn


class _Tally:
    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.outcomes: Counter[str] = Counter()
        self.customers: Counter[str] = Counter()
        self.found: list[Divergence] = []

    def add(self, cart: Cart, erp: ErpVerdict, divergence: Divergence | None) -> None:
        with self.lock:
            self.counts["checked"] += 1
            self.outcomes[erp.outcome] += 1
            self.customers[cart.customer] += 1
            if divergence is not None:
                self.counts[divergence.kind] += 1
                if len(self.found) < self.keep:
                    self.found.append(divergence)


def _check_all(gateway: Any, oracle: ErpOracle, carts: Sequence[Cart], tally: _Tally) -> None:
    """Each cart on one ERP: the platform's verdict, then the ERP's, on the same state."""
    try:
        for number, cart in enumerate(carts):
            validation = gateway.validate_order(order=cart.order(f"prop-{number}"))
            erp = oracle.verdict(
                cart, [v.unit_price.amount if v.unit_price else None for v in validation.lines]
            )
            tally.add(cart, erp, compare(cart, validation, erp))
    finally:
        oracle.flush()


def run_carts(
    *,
    server: ErpServerLike,
    examples: int,
    seed: int | None = None,
    more_servers: Sequence[ErpServerLike] = (),
    max_lines: int = 3,
    keep_examples: int = 10,
) -> CartRunResult:
    """Generate ``examples`` carts and compare the platform's verdict with the ERP's on each.

    ``server`` is a started reference ERP (``tests.erp_support.ErpServer``); the gateway is
    pointed at it (Django must be set up; ``storefleet.settings.test`` will do). ``seed`` None
    draws the same carts on every run (hypothesis' ``derandomize``), an int that seed's carts.
    ``more_servers``, started from the same seed, share the carts: each cart is still asked of
    the platform and of the ERP on one server, back to back, and every server's world stays as
    seeded, so the verdicts are the same as on one server — only sooner, as each ERP is one
    Python process using one core."""
    from django.test import override_settings

    from storefleet.erp.gateway import get_gateway

    started = time.monotonic()
    erp_settings = {
        "ERP_BACKEND": "storefleet.erp.backends.tryton.from_settings",
        "ERP_RETRY_ATTEMPTS": 1,
        "ERP_RETRY_BACKOFF_SECONDS": 0,
        "ERP_BREAKER_FAILURE_THRESHOLD": 1000,
    }
    servers = [server, *more_servers]
    sessions = []
    for each in servers:
        with override_settings(
            ERP_URL=each.url,
            ERP_DATABASE=each.database,
            ERP_USER=each.user,
            ERP_PASSWORD=each.password,
            **erp_settings,
        ):
            gateway = get_gateway()
        sessions.append(gateway)
    client = sessions[0].backend.client
    world = World.read(client, server.manifest)
    drawn = generate_carts(world, examples=examples, seed=seed, max_lines=max_lines)
    tally = _Tally(keep_examples)
    with override_settings(**erp_settings), ThreadPoolExecutor(len(servers)) as pool:
        # One thread per ERP; carts dealt in turn, so that each ERP gets a like mix.
        done = [
            pool.submit(
                _check_all,
                gateway,
                ErpOracle(gateway.backend.client, world),
                drawn[index :: len(servers)],
                tally,
            )
            for index, gateway in enumerate(sessions)
        ]
        for future in done:
            future.result()
    return CartRunResult(
        checked=tally.counts["checked"],
        divergent=tally.counts["decision"],
        examples_of_divergence=tuple(tally.found),
        reason_mismatches=tally.counts["reason"],
        outcomes=dict(tally.outcomes),
        customers=dict(tally.customers),
        seconds=time.monotonic() - started,
        servers=len(servers),
    )


def summary(result: CartRunResult) -> Iterable[str]:
    """Lines for a report: counts, what the ERP did, and the first divergences."""
    yield (
        f"{result.checked} carts in {result.seconds:.1f}s: {result.divergent} divergent "
        f"verdicts, {result.reason_mismatches} refusals for a reason the platform did not name"
    )
    for outcome, count in sorted(result.outcomes.items()):
        yield f"  ERP {outcome}: {count}"
    for divergence in result.examples_of_divergence:
        yield str(divergence)


# ------------------------------------------------------------------ the ERP changing under carts
# Issue 14: the verdict is the ERP's at every step, also when the ERP's master data changes
# between one look at a cart and the next (the platform's memos are warm from the first look).
CHANGE_KINDS = ("withdrawn", "unsalable", "price", "unit")
BOX_UNIT = "Box of 10"


@dataclass(frozen=True)
class Change:
    """One change the ERP's staff make to a product: withdraw it (inactive), stop selling it,
    move its list price, or sell it in boxes of 10 while it is still stocked in units."""

    kind: str
    sku: str
    factor: Decimal = Decimal(1)  # the list price's, for "price"

    def apply(self, client: TrytonClient, world: World, box_unit: int) -> None:
        product = world.products[self.sku]
        (row,) = client.model("product.product", "read", [product.id], ["template"])
        template = row["template"]
        if self.kind == "withdrawn":
            try:
                client.model("product.product", "write", [product.id], {"active": False})
            except TrytonFault as fault:  # "it still has stock": staff press "yes"
                client.model("res.user.warning", "skip", faults.warning_name(fault), False)
                client.model("product.product", "write", [product.id], {"active": False})
        elif self.kind == "unsalable":
            client.model("product.template", "write", [template], {"salable": False})
        elif self.kind == "price":
            (price,) = client.model("product.template", "read", [template], ["list_price"])
            moved = (Decimal(str(price["list_price"])) * self.factor).quantize(Decimal("0.0001"))
            client.model("product.template", "write", [template], {"list_price": moved})
        elif self.kind == "unit":
            client.model("product.template", "write", [template], {"sale_uom": box_unit})
        else:  # pragma: no cover - the strategy draws only the kinds above
            raise ValueError(self.kind)

    def __str__(self) -> str:
        return f"{self.kind} {self.sku}" + (f" × {self.factor}" if self.kind == "price" else "")


@dataclass(frozen=True)
class Round:
    """A change and the carts that hold the changed product, looked at before and after it."""

    change: Change
    carts: tuple[Cart, ...]


def rounds(world: World, *, carts_per_round: int = 2) -> st.SearchStrategy[Round]:
    """A change of a product in stock somewhere, and carts from ``carts(world)`` with a line of
    that product added (an ordinary quantity, or one near its stock), or of that line alone.
    Boxes only for products counted in whole units without ordering rules (their rules would
    be in another unit)."""
    stocked = sorted(sku for sku, p in world.products.items() if any(p.stock.values()))
    boxable = sorted(
        sku
        for sku in stocked
        if not world.products[sku].unit_digits
        and not world.products[sku].min_quantity
        and not world.products[sku].multiple
    )

    @st.composite
    def one(draw: st.DrawFn) -> Round:
        # Boxes twice as often: their carts are the ones most often refused for another cause.
        kind = draw(st.sampled_from(("unit", *CHANGE_KINDS)))
        sku = draw(st.sampled_from(boxable if kind == "unit" else stocked))
        factor = draw(st.sampled_from([Decimal("1.25"), Decimal("0.8"), Decimal(2)]))
        product = world.products[sku]
        drawn = []
        for _ in range(carts_per_round):
            cart = draw(carts(world, max_lines=2))
            quantity = draw(
                ordinary_quantity(product) | near_stock_quantity(product, cart.warehouse)
            )
            if kind == "unit":  # around the stock in boxes: where the unit decides
                boxes = int(product.stock.get(cart.warehouse, Decimal(0)) // 10)
                quantity = Decimal(max(1, boxes + draw(st.integers(-2, 2))))
            # Half the carts hold the changed product alone, so that no other line's refusal
            # hides what the change did to the verdict.
            others = cart.lines if draw(st.booleans()) else ()
            drawn.append(dataclasses.replace(cart, lines=(*others, (sku, quantity))))
        return Round(Change(kind, sku, factor if kind == "price" else Decimal(1)), tuple(drawn))

    return one()


def generate_rounds(world: World, *, examples: int, seed: int | None = None) -> list[Round]:
    drawn: list[Round] = []
    settings = hypothesis_settings(
        max_examples=examples,
        deadline=None,
        derandomize=seed is None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )

    def keep(each: Round) -> None:
        drawn.append(each)

    collect = settings(given(rounds(world))(keep))
    if seed is not None:
        collect = hypothesis_seed(seed)(collect)
    collect()
    return drawn


def _box_unit(client: TrytonClient) -> int:
    """The ERP's "Box of 10" unit (10 units), made once, in the category of the Unit."""
    found = client.search_read("product.uom", [["name", "=", BOX_UNIT]], ["id"])
    if found:
        return int(found[0]["id"])
    (unit,) = client.search_read("product.uom", [["name", "=", "Unit"]], ["category"])
    (box,) = client.model(
        "product.uom",
        "create",
        [
            {
                "name": BOX_UNIT,
                "symbol": "bx",
                "category": unit["category"],
                "factor": 10.0,
                "rate": 0.1,
                "rounding": 1.0,
                "digits": 0,
            }
        ],
    )
    return int(box)


class ChangingErpOracle(ErpOracle):
    """The ERP's verdict on a cart after a change: the sale is made with each product's sales
    unit and price as the ERP has them now (read afresh, by the oracle's own requests), and a
    line whose price is not the one the buyer saw before the change is refused as a moved
    price — the platform must then say so on that line (``ReasonCode.PRICE_CHANGED``)."""

    def erp_now(self, cart: Cart) -> tuple[dict[str, dict[str, Any]], list[Decimal | None]]:
        """Each known product's unit and active flag, and each line's price for the customer
        at its quantity, as the ERP gives them now."""
        world = self.world
        ids = sorted({world.products[sku].id for sku, _ in cart.lines if sku in world.products})
        rows = self.client.model(
            "product.product", "read", ids, ["code", "sale_uom", "active"], active_test=False
        )
        by_sku = {row["code"]: row for row in rows}
        customer = world.customers[cart.customer]
        (party,) = self.client.model("party.party", "read", [customer.id], ["customer_currency"])
        currency = {"currency": party["customer_currency"]} if party["customer_currency"] else {}
        prices: list[Decimal | None] = []
        for sku, quantity in cart.lines:
            if sku not in by_sku or not by_sku[sku]["active"]:
                prices.append(None)
                continue
            (row,) = self.client.model(
                "product.product",
                "read",
                [by_sku[sku]["id"]],
                ["sale_price_uom"],
                customer=customer.id,
                price_list=customer.price_list_id,
                quantity=float(quantity),
                **currency,
            )
            price = row.get("sale_price_uom")
            prices.append(Decimal(str(price)) if price is not None else None)
        return by_sku, prices

    def verdict_after(
        self, cart: Cart, seen: Sequence[Decimal | None]
    ) -> tuple[ErpVerdict, list[Decimal | None]]:
        products, prices = self.erp_now(cart)
        world = self.world
        for index, (sku, _quantity) in enumerate(cart.lines):
            # Tryton takes a withdrawn (inactive) product on a sale created over RPC, but its
            # price lists give no price for it and its product searches no longer find it: the
            # ERP's own data say it is not sold. The ERP refuses it, as a product not salable.
            if sku in products and not products[sku]["active"]:
                return (
                    ErpVerdict(False, "create", QUANTITY_REASONS, (index,), "withdrawn"),
                    prices,
                )
        facts = {
            sku: dataclasses.replace(world.products[sku], sale_unit_id=products[sku]["sale_uom"])
            for sku in products
        }
        with self._with_products(facts):
            erp = self.verdict(cart, prices)
        if not erp.ok:
            return erp, prices
        moved = tuple(
            index
            for index, (was, now) in enumerate(zip(seen, prices, strict=True))
            if was is not None and (now is None or now.quantize(Q4) != was.quantize(Q4))
        )
        if moved:
            erp = ErpVerdict(False, "price", frozenset({ReasonCode.PRICE_CHANGED}), moved)
        return erp, prices

    @contextlib.contextmanager
    def _with_products(self, facts: dict[str, ProductFacts]) -> Iterator[None]:
        world = self.world
        self.world = dataclasses.replace(world, products={**world.products, **facts})
        try:
            yield
        finally:
            self.world = world


Q4 = Decimal("0.0001")


@dataclass(frozen=True)
class ChangeRunResult:
    rounds: int
    checked: int
    divergent: int
    reason_mismatches: int
    examples_of_divergence: tuple[str, ...]
    changes: dict[str, int]
    outcomes: dict[str, int]


def run_changing_carts(*, server: ErpServerLike, examples: int, seed: int | None = None):
    """Rounds of: the platform looks at the round's carts (its memos warm, the buyer sees the
    prices); the ERP changes a product of those carts; the platform and the ERP decide each
    cart again, the platform with the prices the buyer saw. Divergent decisions, and refusals
    for a cause the platform did not name, are counted. ``server`` is changed for good: give
    this run an ERP of its own."""
    from django.test import override_settings

    from storefleet.erp.gateway import get_gateway

    erp_settings = {
        "ERP_BACKEND": "storefleet.erp.backends.tryton.from_settings",
        "ERP_URL": server.url,
        "ERP_DATABASE": server.database,
        "ERP_USER": server.user,
        "ERP_PASSWORD": server.password,
        "ERP_RETRY_ATTEMPTS": 1,
        "ERP_RETRY_BACKOFF_SECONDS": 0,
        "ERP_BREAKER_FAILURE_THRESHOLD": 1000,
    }
    with override_settings(**erp_settings):
        gateway = get_gateway()
        client = gateway.backend.client
        world = World.read(client, server.manifest)
        box = _box_unit(client)
        drawn = generate_rounds(world, examples=examples, seed=seed)
        oracle = ChangingErpOracle(client, world)
        checked = divergent = mismatched = 0
        found: list[str] = []
        changes: Counter[str] = Counter()
        outcomes: Counter[str] = Counter()
        try:
            for number, each in enumerate(drawn):
                seen = [
                    [
                        v.unit_price.amount if v.unit_price else None
                        for v in gateway.validate_order(order=cart.order(f"chg-{number}")).lines
                    ]
                    for cart in each.carts
                ]
                each.change.apply(client, world, box)
                changes[each.change.kind] += 1
                for cart, prices in zip(each.carts, seen, strict=True):
                    order = dataclasses.replace(
                        cart.order(f"chg-{number}"),
                        lines=tuple(
                            OrderLineRequest(sku, quantity, price)
                            for (sku, quantity), price in zip(cart.lines, prices, strict=True)
                        ),
                    )
                    validation = gateway.validate_order(order=order)
                    erp, _now = oracle.verdict_after(cart, prices)
                    checked += 1
                    outcomes[erp.outcome] += 1
                    divergence = compare(cart, validation, erp)
                    if divergence is not None:
                        if divergence.kind == "decision":
                            divergent += 1
                        else:
                            mismatched += 1
                        if len(found) < 10:
                            found.append(f"after {each.change}: {divergence}")
        finally:
            oracle.flush()
    return ChangeRunResult(
        rounds=len(drawn),
        checked=checked,
        divergent=divergent,
        reason_mismatches=mismatched,
        examples_of_divergence=tuple(found),
        changes=dict(changes),
        outcomes=dict(outcomes),
    )


def change_summary(result: ChangeRunResult) -> Iterable[str]:
    yield (
        f"{result.rounds} changes, {result.checked} carts after them: {result.divergent} "
        f"divergent verdicts, {result.reason_mismatches} refusals for a reason not named"
    )
    for kind, count in sorted(result.changes.items()):
        yield f"  change {kind}: {count}"
    for outcome, count in sorted(result.outcomes.items()):
        yield f"  ERP {outcome}: {count}"
    yield from result.examples_of_divergence

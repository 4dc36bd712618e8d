"""Carts drawn from the seeded business, the ERP's own verdict on each, and the platform's.

Issue 4: every cart the platform lets through, the ERP confirms; every cart it blocks, the ERP
would have refused. Three parts, usable in pytest and from a benchmark script alike:

- ``World``: what the carts are drawn from, read once from a running reference ERP and its seed
  manifest (products with their rules and live stock, customers with their addresses and credit
  headroom, warehouses).
- ``carts(world)``: a hypothesis strategy of carts — real SKUs and unknown ones, quantities that
  break the minimum, the multiple or the unit's decimals, quantities around the live stock and
  around the customer's credit headroom, the near-limit and over-limit customers weighted in.
- ``ErpOracle``: the ERP's verdict, by the ERP's own enforcement and nothing of ours: the sale is
  created over JSON-RPC, quoted and confirmed without skipping any warning. A refusal at create
  (quantity rules, digits of the unit, product domain), at quote (stock) or at confirm (credit,
  stock) is the ERP refusing; an unknown SKU is refused because no product exists.

``run_carts(server=…, examples=…, seed=…)`` puts the three together: for each generated cart it
asks the platform (``get_gateway().validate_order``) and then the ERP, on the same state, and
counts where their decisions differ.

Keeping the ERP's world fixed. A sale Tryton confirms is processed in the same request (shipment,
draft invoice) and can no longer be taken back cheaply, so confirmed sales would drain stock and
credit from one example to the next. The oracle therefore creates each sale with a shipping date
of yesterday: Tryton's confirm runs all of its checks (credit limit, stock) first and only then,
in ``Sale.confirm`` itself, writes the sale date — which violates the domain
``shipping_date >= sale_date`` and rolls the whole call back. That fault, naming
``shipping_date``, can only come after every check passed: the ERP accepts. The quotation left
behind is cancelled (cancelled sales count neither in stock nor in credit) and deleted in
batches. This leans on one fact of the seeded business, checked when the world is read: no
product has a lead time, so Tryton checks every line's stock at today whatever the sale's
shipping date (``sale.line.planned_shipping_date``).
"""

from __future__ import annotations

import datetime
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any, Protocol

from hypothesis import HealthCheck, given
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
# Cancelled quotations are deleted this many at a time (one request instead of one each).
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


def _decimal_quantities(places: int) -> st.SearchStrategy[Decimal]:
    """Positive quantities with exactly ``places`` decimals at most (the cart UI allows 4)."""
    scale = 10**places
    return st.integers(1, 60 * scale).map(lambda n: Decimal(n).scaleb(-places))


def quantities(world: World, product: ProductFacts, customer: str, warehouse: str):
    """Quantities for one product: valid ones, ones that break each rule, and ones at the edge
    of the live stock and of the customer's credit headroom. All positive: the cart UI takes
    nothing else."""
    step = product.step
    valid = st.integers(1, 30).map(lambda k: product.valid_at_least(k * step))
    kinds = [
        valid,
        valid,
        st.integers(0, 4).flatmap(_decimal_quantities),  # any decimals, up to 4
        st.integers(1, 3000).map(Decimal),
        valid.flatmap(
            lambda q: st.sampled_from([q + step / 2, q + step / 10, q - step / 3, q + 1])
        ).filter(lambda q: q > 0),
    ]
    if product.min_quantity:
        below = product.min_quantity - step
        if below > 0:
            kinds.append(
                st.integers(1, int(below / step)).map(lambda k: k * step)
                | st.just(product.min_quantity - Decimal("0.5"))
            )
    on_hand = product.stock.get(warehouse, Decimal(0))
    if on_hand > 0:
        around = product.valid_at_least(on_hand)
        kinds.append(st.integers(-2, 2).map(lambda d: around + d * step).filter(lambda q: q > 0))
    headroom = world.customers[customer].headroom
    if headroom is not None and headroom > 0:
        # About the customer's whole remaining credit on this one line, either side of it.
        kinds.append(
            st.integers(50, 150).map(
                lambda percent: product.valid_at_least(
                    Decimal(math.floor(headroom * percent / 100 / product.list_price))
                )
            )
        )
    return st.one_of(kinds)


def carts(world: World, *, max_lines: int = 4) -> st.SearchStrategy[Cart]:
    """Carts of 1 to ``max_lines`` lines; a third of them for the near-limit or the over-limit
    customer; SKUs out of stock, low in stock, with a minimum, with a multiple, sold by weight or
    length, any, or unknown to the ERP; now and then the same SKU twice."""
    codes = sorted(world.customers)
    customer = st.one_of(
        st.sampled_from([world.near_limit, world.over_limit]),
        st.sampled_from(codes),
        st.sampled_from(codes),
    )
    skus = st.one_of(
        st.sampled_from(world.out_of_stock),
        st.sampled_from(world.low_stock),
        st.sampled_from(world.with_minimum),
        st.sampled_from(world.with_multiple),
        st.sampled_from(world.fractional_units),
        st.sampled_from(sorted(world.products)),
        st.sampled_from(sorted(world.products)),
        st.sampled_from(UNKNOWN_SKUS),
    )

    @st.composite
    def cart(draw: st.DrawFn) -> Cart:
        code = draw(customer)
        facts = world.customers[code]
        warehouse = draw(st.sampled_from([facts.home_warehouse] * 3 + sorted(world.warehouses)))
        lines: list[tuple[str, Decimal]] = []
        for _ in range(draw(st.integers(1, max_lines))):
            if lines and draw(st.integers(0, 7)) == 0:
                sku = draw(st.sampled_from([s for s, _ in lines]))
            else:
                sku = draw(skus)
            product = world.products.get(sku)
            if product is None:
                quantity = draw(st.integers(1, 20).map(Decimal))
            else:
                quantity = draw(quantities(world, product, code, warehouse))
            lines.append((sku, quantity))
        return Cart(
            customer=code,
            warehouse=warehouse,
            ship_to_address_id=draw(st.sampled_from(facts.address_ids)),
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
    """Asks the ERP itself. Prices are read from the ERP for the customer and quantity, as
    Tryton's own sale line would set them; they are remembered for the run (the world does not
    change)."""

    def __init__(self, client: TrytonClient, world: World) -> None:
        self.client = client
        self.world = world
        self._prices: dict[tuple[str, str, Decimal], Decimal | None] = {}
        self._cancelled: list[int] = []

    def verdict(self, cart: Cart) -> ErpVerdict:
        world = self.world
        for index, (sku, _quantity) in enumerate(cart.lines):
            if sku not in world.products:
                return ErpVerdict(
                    False, "create", frozenset({ReasonCode.UNKNOWN_PRODUCT}), (index,), "no product"
                )
        customer = world.customers[cart.customer]
        prices = self._unit_prices(customer, cart.lines)
        # Yesterday: the trip-wire that rolls back a confirm that passed every check.
        yesterday = datetime.date.today() - datetime.timedelta(days=1)
        lines = []
        for sku, quantity in cart.lines:
            product = world.products[sku]
            lines.append(
                {
                    "product": product.id,
                    "quantity": float(quantity),
                    "unit": product.sale_unit_id,
                    "unit_price": prices[(customer.code, sku, quantity)],
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
        self.client.model("sale.sale", "cancel", [sale_id])
        self._cancelled.append(sale_id)
        if len(self._cancelled) >= DELETE_BATCH:
            self.flush()
        return verdict

    def flush(self) -> None:
        """Delete the cancelled quotations still kept."""
        if self._cancelled:
            self.client.model("sale.sale", "delete", self._cancelled)
            self._cancelled = []

    def _unit_prices(
        self, customer: CustomerFacts, lines: Sequence[tuple[str, Decimal]]
    ) -> dict[tuple[str, str, Decimal], Decimal | None]:
        wanted: dict[Decimal, list[str]] = {}
        for sku, quantity in lines:
            if (customer.code, sku, quantity) not in self._prices:
                wanted.setdefault(quantity, []).append(sku)
        for quantity, skus in wanted.items():
            ids = {self.world.products[sku].id: sku for sku in skus}
            for row in self.client.model(
                "product.product",
                "read",
                list(ids),
                ["sale_price_uom"],
                customer=customer.id,
                price_list=customer.price_list_id,
                quantity=float(quantity),
            ):
                self._prices[(customer.code, ids[row["id"]], quantity)] = row["sale_price_uom"]
        return self._prices

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


def run_carts(
    *,
    server: ErpServerLike,
    examples: int,
    seed: int | None = None,
    max_lines: int = 4,
    keep_examples: int = 10,
    fail_fast: bool = False,
) -> CartRunResult:
    """Generate ``examples`` carts and compare the platform's verdict with the ERP's on each.

    ``server`` is a started reference ERP (``tests.erp_support.ErpServer``): the gateway is
    pointed at it for the run (Django must be set up; ``storefleet.settings.test`` will do).
    ``seed`` None draws the same carts on every run (hypothesis' ``derandomize``); an int draws
    that seed's carts. ``fail_fast`` stops at the first divergence and lets hypothesis shrink it
    to a smallest cart (the pytest test); otherwise every divergence is counted (a benchmark)."""
    import time

    from django.test import override_settings

    from storefleet.erp.gateway import get_gateway

    started = time.monotonic()
    with override_settings(
        ERP_BACKEND="storefleet.erp.backends.tryton.from_settings",
        ERP_URL=server.url,
        ERP_DATABASE=server.database,
        ERP_USER=server.user,
        ERP_PASSWORD=server.password,
        ERP_RETRY_ATTEMPTS=1,
        ERP_RETRY_BACKOFF_SECONDS=0,
        ERP_BREAKER_FAILURE_THRESHOLD=1000,
    ):
        gateway = get_gateway()
        client = gateway.backend.client  # type: ignore[attr-defined]
        world = World.read(client, server.manifest)
        oracle = ErpOracle(client, world)
        outcomes: Counter[str] = Counter()
        customers: Counter[str] = Counter()
        found: list[Divergence] = []
        counts = Counter[str]()

        def check(cart: Cart) -> None:
            validation = gateway.validate_order(order=cart.order(f"prop-{counts['checked']}"))
            erp = oracle.verdict(cart)
            counts["checked"] += 1
            outcomes[erp.outcome] += 1
            customers[cart.customer] += 1
            divergence = compare(cart, validation, erp)
            if divergence is None:
                return
            counts[divergence.kind] += 1
            if len(found) < keep_examples:
                found.append(divergence)
            if fail_fast:
                raise AssertionError(f"the platform and the ERP disagree:\n{divergence}")

        settings = hypothesis_settings(
            max_examples=examples,
            deadline=None,
            derandomize=seed is None,
            database=None,
            print_blob=False,
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.data_too_large,
                HealthCheck.filter_too_much,
            ],
        )
        test = settings(given(carts(world, max_lines=max_lines))(check))
        if seed is not None:
            test = hypothesis_seed(seed)(test)
        try:
            test()
        finally:
            oracle.flush()
    return CartRunResult(
        checked=counts["checked"],
        divergent=counts["decision"],
        examples_of_divergence=tuple(found),
        reason_mismatches=counts["reason"],
        outcomes=dict(outcomes),
        customers=dict(customers),
        seconds=time.monotonic() - started,
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

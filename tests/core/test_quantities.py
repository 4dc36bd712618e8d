"""The quantity rule (minimum, multiple, the unit's finest step) as one pure function, and its
three callers — the cart's offline check, the catalog's smallest orderable quantity and the
reference ERP's verdict — agreeing on every quantity."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storefleet.catalog.models import Product
from storefleet.catalog.offers import smallest_order_quantity
from storefleet.erp.backends.tryton import orders as tryton_orders
from storefleet.erp.backends.tryton.lookups import ProductInfo
from storefleet.erp.types import ReasonCode
from storefleet.ordering.checks import Wanted, _local_verdict
from storefleet.quantities import (
    QuantityProblem,
    QuantityRule,
    allowed_at_least,
    allowed_at_most,
    quantity_problems,
    smallest_allowed,
)

# Steps as the ERP holds them: multiples of the unit's finest step (10^-digits), so they divide
# each other (Tryton's sale_quantity_rounding is in the sales unit's digits).
UNIT_STEPS = st.sampled_from([None, Decimal("0.01")])
MULTIPLES = st.one_of(
    st.none(),
    st.builds(
        lambda k, base: k * base,
        st.integers(1, 20),
        st.sampled_from([Decimal("0.05"), Decimal("0.1"), Decimal("0.25"), Decimal(1), Decimal(5)]),
    ),
)
MINIMUMS = st.one_of(st.none(), st.decimals(min_value=Decimal("0.01"), max_value=500, places=2))
QUANTITIES = st.decimals(min_value=0, max_value=5000, places=4)
RULES = st.builds(QuantityRule, minimum=MINIMUMS, multiple=MULTIPLES, unit_step=UNIT_STEPS)
CATALOG_RULES = st.builds(QuantityRule, minimum=MINIMUMS, multiple=MULTIPLES)


def largest_step(rule: QuantityRule) -> Decimal:
    return max((s for s in (rule.multiple, rule.unit_step) if s), default=Decimal(0))


def accepted(rule: QuantityRule, quantity: Decimal) -> bool:
    return not quantity_problems(rule, quantity)


@pytest.mark.parametrize(
    ("minimum", "multiple", "unit_step", "quantity", "problems"),
    [
        (None, None, None, "7", ()),
        ("10", None, None, "9.99", (QuantityProblem.BELOW_MINIMUM,)),
        (None, "50", None, "75", (QuantityProblem.NOT_A_MULTIPLE,)),
        ("25", "10", None, "15", (QuantityProblem.BELOW_MINIMUM, QuantityProblem.NOT_A_MULTIPLE)),
        (None, None, "1", "2.5", (QuantityProblem.NOT_A_MULTIPLE,)),
        (None, None, "0.01", "2.5", ()),
    ],
)
def test_problems_are_named_as_the_erp_names_them(minimum, multiple, unit_step, quantity, problems):
    rule = QuantityRule(
        Decimal(minimum) if minimum else None,
        Decimal(multiple) if multiple else None,
        Decimal(unit_step) if unit_step else None,
    )
    assert quantity_problems(rule, Decimal(quantity)) == problems


def test_every_problem_is_one_the_erp_reports():
    assert {ReasonCode(p.value) for p in QuantityProblem} == {
        ReasonCode.BELOW_MINIMUM,
        ReasonCode.NOT_A_MULTIPLE,
    }


@given(rule=RULES, quantity=QUANTITIES)
def test_the_fix_upwards_is_the_nearest_accepted_quantity(rule, quantity):
    fix = allowed_at_least(rule, quantity)
    floor = max(quantity, rule.minimum or Decimal(0))
    assert fix >= floor
    assert accepted(rule, fix)
    # Nothing accepted lies between what was asked and the fix.
    assert fix - largest_step(rule) < floor or fix == floor


@given(rule=RULES, quantity=QUANTITIES)
def test_the_fix_downwards_is_the_largest_accepted_quantity_or_none(rule, quantity):
    fix = allowed_at_most(rule, quantity)
    if fix is None:
        assert smallest_allowed(rule) > quantity
    else:
        assert Decimal(0) < fix <= quantity
        assert accepted(rule, fix)
        assert fix + largest_step(rule) > quantity or not largest_step(rule)


@given(rule=RULES)
def test_the_smallest_quantity_is_accepted_and_none_smaller_is(rule):
    least = smallest_allowed(rule)
    assert least > 0
    assert accepted(rule, least)
    if rule.minimum or rule.multiple:
        step = largest_step(rule) or Decimal("0.01")
        assert least - step <= 0 or not accepted(rule, least - step)


def tryton_product(rule: QuantityRule) -> ProductInfo:
    digits = None if rule.unit_step is None else -rule.unit_step.as_tuple().exponent
    return ProductInfo(
        id=1,
        sku="SKU-1",
        name="Screw",
        active=True,
        salable=True,
        min_quantity=rule.minimum,
        multiple=rule.multiple,
        sale_unit_id=1,
        sale_unit="Unit",
        stock_unit="Unit",
        unit_digits=digits,
    )


def catalog_product(rule: QuantityRule) -> Product:
    return Product(
        sku="SKU-1", unit="Unit", min_quantity=rule.minimum, quantity_multiple=rule.multiple
    )


@given(rule=CATALOG_RULES, quantity=QUANTITIES.filter(lambda q: q > 0))
def test_cart_catalog_and_erp_agree_on_every_quantity(rule, quantity):
    product, info = catalog_product(rule), tryton_product(rule)
    offline = _local_verdict(Wanted(product=product, quantity=quantity))
    erp_reasons = tryton_orders._rule_reasons(info, quantity)
    assert list(offline.reasons) == erp_reasons
    if erp_reasons:
        assert offline.suggested_quantity == tryton_orders.suggested_quantity(info, quantity)
    else:
        assert offline.suggested_quantity is None
    least = smallest_order_quantity(product)
    assert least == smallest_allowed(rule)
    assert tryton_orders._rule_reasons(info, least) == []


@given(rule=RULES, quantity=QUANTITIES)
def test_the_erp_backend_checks_the_units_decimals_too(rule, quantity):
    info = tryton_product(rule)
    reasons = tryton_orders._rule_reasons(info, quantity)
    assert reasons == [ReasonCode(p) for p in quantity_problems(rule, quantity)]
    if reasons:
        assert tryton_orders.suggested_quantity(info, quantity) == allowed_at_least(rule, quantity)

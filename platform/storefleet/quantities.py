"""The ERP's ordering rule for a quantity, in one place: a minimum, a multiple (an order step),
and the finest step the sales unit takes (Tryton refuses 2.5 of a unit with no decimals).

Pure functions of Decimals, no Django and no ERP: the cart's offline check
(``ordering.checks``), the catalog's smallest orderable quantity (``catalog.offers``) and the
reference ERP's verdict (``erp.backends.tryton.orders``) all ask here, so they can't drift
apart. What is wrong is named by ``QuantityProblem``, whose values are those of the ERP's
``ReasonCode`` for the same thing."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal


class QuantityProblem(enum.StrEnum):
    BELOW_MINIMUM = "below_minimum"
    NOT_A_MULTIPLE = "not_a_multiple"


@dataclass(frozen=True, slots=True)
class QuantityRule:
    """What a product's quantity must be: at least ``minimum``, a whole number of
    ``multiple`` and of ``unit_step`` (each None, or 0, when there is no such rule)."""

    minimum: Decimal | None = None
    multiple: Decimal | None = None
    unit_step: Decimal | None = None


def _steps(rule: QuantityRule) -> tuple[Decimal, ...]:
    # The unit's step first, then the multiple: the order Tryton rounds a suggestion in.
    return tuple(step for step in (rule.unit_step, rule.multiple) if step)


def quantity_problems(rule: QuantityRule, quantity: Decimal) -> tuple[QuantityProblem, ...]:
    """What is wrong with ``quantity`` under ``rule``, in the order the ERP reports it (none:
    the quantity is accepted). Too many decimals for the unit counts as not a multiple."""
    problems = []
    if rule.minimum and quantity < rule.minimum:
        problems.append(QuantityProblem.BELOW_MINIMUM)
    if any(quantity % step for step in _steps(rule)):
        problems.append(QuantityProblem.NOT_A_MULTIPLE)
    return tuple(problems)


def allowed_at_least(rule: QuantityRule, quantity: Decimal) -> Decimal:
    """The nearest quantity at or above ``quantity`` (and the minimum) that ``rule`` accepts
    where the steps divide each other (the one-click fix "order this much instead")."""
    wanted = max(quantity, rule.minimum or Decimal(0))
    for step in _steps(rule):
        wanted = (wanted / step).to_integral_value(rounding=ROUND_CEILING) * step
    return wanted


def allowed_at_most(rule: QuantityRule, quantity: Decimal) -> Decimal | None:
    """The largest quantity at or below ``quantity`` that ``rule`` accepts, above zero; None
    when there is none (what is in stock is below the minimum)."""
    for step in reversed(_steps(rule)):
        quantity = (quantity / step).to_integral_value(rounding=ROUND_FLOOR) * step
    if quantity <= 0 or (rule.minimum and quantity < rule.minimum):
        return None
    return quantity


def smallest_allowed(rule: QuantityRule) -> Decimal:
    """The least quantity ``rule`` accepts: the minimum rounded up to a whole multiple; the
    multiple itself when there is no minimum; else 1."""
    return allowed_at_least(rule, rule.minimum or rule.multiple or Decimal(1))

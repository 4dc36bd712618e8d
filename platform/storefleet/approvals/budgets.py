"""Cost centres and their monthly budgets, read: which centres a company charges orders to,
what a centre has spent in a month and what is left. What checkout asks (validating the
buyer's cost centre, showing what is left) and what the approval rules weigh an order
against. The month is the store's calendar month (the project's time zone)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from storefleet.accounts.models import Company
from storefleet.ordering.models import Order, OrderStatus

from .models import CostCentre, MonthlyBudget

# What a month's spend counts: orders placed (received or confirmed) and held orders once
# approved (they are received then). Orders waiting for approval, not approved, refused or
# cancelled will not be invoiced.
SPENT_STATUSES = (OrderStatus.RECEIVED, OrderStatus.CONFIRMED)


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime(month.year, month.month, 1)
    end = (
        datetime.datetime(month.year + 1, 1, 1)
        if month.month == 12
        else datetime.datetime(month.year, month.month + 1, 1)
    )
    return timezone.make_aware(start), timezone.make_aware(end)


def company_cost_centres(*, company: Company) -> list[CostCentre]:
    return list(CostCentre.objects.filter(company=company).order_by("code"))


def cost_centre_of(*, company: Company, code: str) -> CostCentre | None:
    """The company's cost centre ``code`` (None for one it does not have, or another
    company's)."""
    if not code:
        return None
    return CostCentre.objects.filter(company=company, code=code).first()


def month_spend(*, company: Company, code: str, currency: str, month: datetime.date) -> Decimal:
    """The net total of the company's orders charged to ``code`` in ``month``."""
    start, end = _month_bounds(month)
    spent = Order.objects.filter(
        company=company,
        cost_centre=code,
        currency=currency,
        status__in=SPENT_STATUSES,
        created_at__gte=start,
        created_at__lt=end,
    ).aggregate(total=Sum("total"))["total"]
    return spent or Decimal(0)


@dataclass(frozen=True, slots=True)
class BudgetLeft:
    """A cost centre's budget for a month, what it spent, and what is left (negative: over)."""

    code: str
    name: str
    currency: str
    budget: Decimal | None  # None: no budget set for the month
    spent: Decimal

    @property
    def left(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.spent


def budget_left(
    *, company: Company, centre: CostCentre, currency: str, month: datetime.date
) -> BudgetLeft:
    budget = (
        MonthlyBudget.objects.filter(cost_centre=centre, month=month, currency=currency)
        .values_list("amount", flat=True)
        .first()
    )
    return BudgetLeft(
        code=centre.code,
        name=centre.name,
        currency=currency,
        budget=budget,
        spent=month_spend(company=company, code=centre.code, currency=currency, month=month),
    )


def budgets_left(*, company: Company, currency: str, month: datetime.date) -> list[BudgetLeft]:
    """Every cost centre of the company with its budget of ``month`` and what is left."""
    return [
        budget_left(company=company, centre=centre, currency=currency, month=month)
        for centre in company_cost_centres(company=company)
    ]


def takes_over_budget(*, company: Company, code: str, currency: str, total: Decimal | None) -> bool:
    """Whether an order of ``total`` charged to ``code`` now takes the centre's month over
    its budget (an unknown total may: the approver gets the ERP's verdict). A centre with no
    budget this month has no limit."""
    centre = cost_centre_of(company=company, code=code)
    if centre is None:
        return False
    left = budget_left(
        company=company,
        centre=centre,
        currency=currency,
        month=month_of(timezone.localdate()),
    ).left
    if left is None:
        return False
    return total is None or total > left

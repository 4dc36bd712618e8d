"""A company admin's writes: approval rules with their chains of approvers, cost centres,
and their monthly budgets. Every id submitted is checked against the admin's own company."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext

from storefleet.accounts.models import MemberRole, Membership
from storefleet.accounts.principal import Principal
from storefleet.errors import ApplicationError

from .access import require_admin
from .chain import APPROVER_ROLES
from .models import (
    MAX_THRESHOLD,
    ApprovalRule,
    ApprovalRuleStep,
    CostCentre,
    MonthlyBudget,
    RuleKind,
)
from .rules import ChainStep

MAX_STEPS = 5
COST_CENTRE_CODE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,31}\Z")


def _steps_checked(principal: Principal, steps: Sequence[ChainStep]) -> list[ChainStep]:
    if len(steps) > MAX_STEPS:
        raise ApplicationError(
            gettext("A rule has at most %(count)s steps.") % {"count": MAX_STEPS}, field="steps"
        )
    named: set[int] = set()
    for step in steps:
        if step.approver_id is None:
            if step.role not in APPROVER_ROLES:
                raise ApplicationError(
                    gettext("Each step is an approver or a company admin: choose one offered."),
                    field="steps",
                )
            continue
        member = Membership.objects.filter(
            id=step.approver_id, company=principal.company, role__in=APPROVER_ROLES
        ).first()
        if member is None:
            raise ApplicationError(
                gettext("Each step is an approver or a company admin: choose one offered."),
                field="steps",
            )
        if member.pk in named:
            raise ApplicationError(
                gettext("Nobody approves twice in one chain: name each user once."),
                field="steps",
            )
        named.add(member.pk)
    return [ChainStep(s.role if s.approver_id is None else "", s.approver_id) for s in steps]


def rule_add(
    *,
    principal: Principal,
    threshold: Decimal | None = None,
    role: str = "",
    buyer_id: int | None = None,
    kind: str = RuleKind.AMOUNT,
    steps: Sequence[ChainStep] = (),
) -> ApprovalRule:
    """Add a rule to the principal's company: its orders above ``threshold`` (in the store's
    currency) — or, ``kind`` budget, its orders that take their cost centre's month over
    budget — need approval by ``steps`` in order (none: one approval by any approver or
    admin); only those of ``role`` or of the member ``buyer_id`` when given. A buyer or an
    approver of another company is refused like one that does not exist."""
    require_admin(principal)
    store = principal.require_store()
    if kind not in RuleKind.values:
        raise ApplicationError(gettext("Choose one of the kinds of rule offered."), field="kind")
    if kind == RuleKind.BUDGET:
        threshold = Decimal(0)
    if threshold is None or not Decimal(0) <= threshold <= MAX_THRESHOLD:
        raise ApplicationError(
            gettext("Enter an amount between 0 and %(max)s.") % {"max": MAX_THRESHOLD},
            field="threshold",
        )
    if role and role not in MemberRole.values:
        raise ApplicationError(gettext("Choose one of the roles offered."), field="role")
    buyer = None
    if buyer_id is not None:
        buyer = Membership.objects.filter(id=buyer_id, company=principal.company).first()
        if buyer is None:
            raise ApplicationError(gettext("Choose one of your company's users."), field="buyer")
    checked = _steps_checked(principal, steps)
    with transaction.atomic():
        rule = ApprovalRule.objects.create(
            company=principal.company,
            kind=kind,
            currency=store.currency,
            threshold=threshold.quantize(Decimal("0.01")),
            role=role,
            buyer=buyer,
            created_by=principal.recorded_user,
        )
        ApprovalRuleStep.objects.bulk_create(
            ApprovalRuleStep(rule=rule, position=n, role=s.role, approver_id=s.approver_id)
            for n, s in enumerate(checked, start=1)
        )
    return rule


def rule_remove(*, principal: Principal, rule_id: int) -> None:
    """Remove one of the company's rules (404 for another company's). Orders already held
    stay held: their chain was copied when they were placed."""
    require_admin(principal)
    deleted, _ = ApprovalRule.objects.filter(id=rule_id, company=principal.company).delete()
    if not deleted:
        raise Http404("No such rule.")


# ------------------------------------------------------------------ cost centres, budgets
def cost_centre_add(*, principal: Principal, code: str, name: str = "") -> CostCentre:
    """Add a cost centre to the principal's company; its buyers then charge each checkout
    to one of the company's centres."""
    require_admin(principal)
    code = code.strip()
    if not COST_CENTRE_CODE.match(code):
        raise ApplicationError(
            gettext("A cost centre code has 1 to 32 letters, digits, dots, dashes or underscores."),
            field="code",
        )
    if CostCentre.objects.filter(company=principal.company, code=code).exists():
        raise ApplicationError(
            gettext("Your company has a cost centre %(code)s already.") % {"code": code},
            field="code",
        )
    return CostCentre.objects.create(company=principal.company, code=code, name=name.strip()[:120])


def cost_centre_remove(*, principal: Principal, centre_id: int) -> None:
    """Remove one of the company's cost centres and its budgets (404 for another company's);
    orders charged to it keep its code."""
    require_admin(principal)
    deleted, _ = CostCentre.objects.filter(id=centre_id, company=principal.company).delete()
    if not deleted:
        raise Http404("No such cost centre.")


def budget_set(
    *, principal: Principal, centre_id: int, month: datetime.date, amount: Decimal
) -> MonthlyBudget:
    """Set the budget of one of the company's cost centres for ``month`` (in the store's
    currency), replacing the one set before."""
    require_admin(principal)
    store = principal.require_store()
    centre = CostCentre.objects.filter(id=centre_id, company=principal.company).first()
    if centre is None:
        raise ApplicationError(
            gettext("Choose one of your company's cost centres."), field="cost_centre"
        )
    if not Decimal(0) <= amount <= MAX_THRESHOLD:
        raise ApplicationError(
            gettext("Enter an amount between 0 and %(max)s.") % {"max": MAX_THRESHOLD},
            field="amount",
        )
    budget, _ = MonthlyBudget.objects.update_or_create(
        cost_centre=centre,
        month=month.replace(day=1),
        currency=store.currency,
        defaults={"amount": amount.quantize(Decimal("0.01"))},
    )
    return budget

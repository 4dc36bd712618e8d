"""Approvals' reads, scoped to the caller's company (and store): another company's rules,
cost centres and approvals are never found, nor another store's approvals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from storefleet.accounts.models import Company, Membership
from storefleet.accounts.principal import Principal
from storefleet.ordering.models import Order

from . import budgets, chain
from .models import (
    ApprovalRequest,
    ApprovalRule,
    ApprovalState,
    ApprovalStep,
    ApprovalTurn,
    CostCentre,
)
from .services import APPROVER_ROLES, require_admin, require_approver


def company_rules(*, principal: Principal) -> QuerySet[ApprovalRule]:
    require_admin(principal)
    return (
        ApprovalRule.objects.filter(company=principal.company)
        .select_related("buyer__user")
        .prefetch_related("steps__approver__user")
    )


def company_members(*, company: Company) -> QuerySet[Membership]:
    return Membership.objects.filter(company=company).select_related("user")


def company_approvers(*, company: Company) -> QuerySet[Membership]:
    """The members a rule's step may name: the company's approvers and admins."""
    return (
        Membership.objects.filter(company=company, role__in=APPROVER_ROLES)
        .select_related("user")
        .order_by("user__email")
    )


def company_cost_centres(*, company: Company) -> list[CostCentre]:
    return budgets.company_cost_centres(company=company)


def budgets_this_month(*, company: Company, currency: str) -> list[budgets.BudgetLeft]:
    """The company's cost centres with this month's budget, spend and what is left (for the
    rules page and the checkout)."""
    return budgets.budgets_left(
        company=company, currency=currency, month=budgets.month_of(timezone.localdate())
    )


def approvers_of(*, company: Company, except_user_id: int | None = None) -> list[str]:
    """The e-mail addresses of the company's approvers and admins (but the one named)."""
    members = Membership.objects.filter(company=company, role__in=APPROVER_ROLES).exclude(
        user__email=""
    )
    if except_user_id is not None:
        members = members.exclude(user_id=except_user_id)
    return list(members.order_by("user__email").values_list("user__email", flat=True))


@dataclass(frozen=True)
class Waiting:
    """A held order (or quote acceptance) with the step it waits on, and whether that step
    is the viewer's to decide."""

    request: ApprovalRequest
    position: int
    steps: int
    who: str
    mine: bool


def waiting_approvals(*, principal: Principal) -> list[Waiting]:
    """The company's orders in the principal's store waiting for approval, oldest first."""
    require_approver(principal)
    store = principal.require_store()
    requests = list(
        ApprovalRequest.objects.filter(
            company=principal.company, store_id=store.id, state=ApprovalState.PENDING
        )
        .select_related("order", "quote", "requested_by")
        .order_by("created_at", "id")
    )
    turns: dict[int, list[ApprovalTurn]] = {}
    for turn in (
        ApprovalTurn.objects.filter(request__in=requests)
        .select_related("approver__user")
        .order_by("position")
    ):
        turns.setdefault(turn.request_id, []).append(turn)
    out = []
    for request in requests:
        its = turns.get(request.id, [])
        current = chain.current(its)
        if current is None:
            continue
        excluded = chain.excluded(request, its)
        out.append(
            Waiting(
                request=request,
                position=current.position,
                steps=len(its),
                who=chain.who(current, excluded),
                mine=chain.may_decide(current, principal.membership, excluded),
            )
        )
    return out


def decided_approvals(*, principal: Principal, limit: int = 20) -> list[ApprovalRequest]:
    require_approver(principal)
    store = principal.require_store()
    return list(
        ApprovalRequest.objects.filter(company=principal.company, store_id=store.id)
        .exclude(state=ApprovalState.PENDING)
        .select_related("order", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class TurnView:
    position: int
    who: str
    state: str
    state_label: str
    decided_by: str
    current: bool


@dataclass(frozen=True)
class OrderApproval:
    """Where an order (or a quote acceptance) stands with its approval: its chain of steps,
    the one it waits on and who may decide it (``approvers``), and its history."""

    request: ApprovalRequest
    approvers: list[str]
    steps: list[ApprovalStep]
    turns: list[TurnView]

    @property
    def pending(self) -> bool:
        return self.request.state == ApprovalState.PENDING

    @property
    def waiting_on(self) -> TurnView | None:
        return next((t for t in self.turns if t.current), None)


def approval_view(*, request: ApprovalRequest) -> OrderApproval:
    its = chain.turns_of(request)
    current = chain.current(its) if request.state == ApprovalState.PENDING else None
    excluded = chain.excluded(request, its)
    approvers = (
        [m.user.email for m in chain.deciders(request, current, excluded) if m.user.email]
        if current is not None
        else []
    )
    return OrderApproval(
        request=request,
        approvers=approvers,
        steps=list(request.steps.select_related("by")),
        turns=[
            TurnView(
                position=t.position,
                who=chain.who(t, excluded if t is current else set()),
                state=t.state,
                state_label=str(t.get_state_display()),
                decided_by=t.decided_by.email if t.decided_by else "",
                current=t is current,
            )
            for t in its
        ],
    )


def may_decide_now(*, principal: Principal, request: ApprovalRequest) -> bool:
    """Whether the step it waits on now is the principal's to decide (what the page offers)."""
    if request.state != ApprovalState.PENDING:
        return False
    its = chain.turns_of(request)
    current = chain.current(its)
    excluded = chain.excluded(request, its)
    return current is not None and chain.may_decide(current, principal.membership, excluded)


def order_approval(*, order: Order) -> OrderApproval | None:
    """The approval of an order the caller already reached through its scope (None: it
    never needed one)."""
    request = (
        ApprovalRequest.objects.filter(order_id=order.pk, company_id=order.company_id)
        .select_related("order", "decided_by")
        .first()
    )
    return approval_view(request=request) if request is not None else None


def quote_approval(*, quote_id: int, company: Company) -> OrderApproval | None:
    """The approval a quote acceptance of the company waits for (or was decided by)."""
    request = (
        ApprovalRequest.objects.filter(quote_id=quote_id, company=company)
        .select_related("decided_by")
        .first()
    )
    return approval_view(request=request) if request is not None else None


@dataclass(frozen=True, slots=True)
class ApprovalLine:
    sku: str
    name: str
    quantity: Decimal
    unit: str
    unit_price: Decimal | None

    @property
    def amount(self) -> Decimal | None:
        return None if self.unit_price is None else self.quantity * self.unit_price


def approval_lines(*, request: ApprovalRequest) -> list[ApprovalLine]:
    """What the approver decides on: the held order's lines, or the quote's agreed lines."""
    if request.order is not None:
        return [
            ApprovalLine(line.sku, line.name, line.quantity, line.unit, line.unit_price)
            for line in request.order.lines.all()
        ]
    from storefleet.quotes.models import ErpWrite, QuoteVersion

    version = (
        QuoteVersion.objects.filter(quote_id=request.quote_id, erp_write=ErpWrite.DONE)
        .order_by("-number")
        .first()
    )
    if version is None:
        return []
    return [
        ApprovalLine(line.sku, line.name, line.quantity, "", line.unit_price)
        for line in version.lines.all()
    ]

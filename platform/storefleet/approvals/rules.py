"""Which approval an order needs, and holding it for approval: what checkout asks while it
places an order (``ordering.checkout.order_lines_place``) and what accepting a quote asks
(``quotes.services.quote_accept``). Kept apart from the approvals' services, which place
through ordering, so that checkout and quotes can import it.

An order is caught by the company's amount rule of the highest threshold it exceeds (the
strictest tier: "above 1,000 the manager, above 10,000 the manager then the director"), and,
charged to a cost centre, by taking the centre's month over budget (the company's budget
rule names the chain; without one any approver or admin approves). Caught by both, it waits
for the amount rule's chain, then the budget rule's steps not in it already."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q, QuerySet

from storefleet.accounts.principal import Principal

from .budgets import takes_over_budget
from .models import (
    ApprovalRequest,
    ApprovalRule,
    ApprovalState,
    ApprovalStep,
    ApprovalTurn,
    RuleKind,
    StepKind,
)

if TYPE_CHECKING:
    from storefleet.ordering.models import Order
    from storefleet.quotes.models import QuoteRequest


@dataclass(frozen=True, slots=True)
class ChainStep:
    """One approval step: any member of ``role`` (blank: any approver or admin), or the one
    member ``approver_id``."""

    role: str = ""
    approver_id: int | None = None


ANY_APPROVER = ChainStep()


@dataclass(frozen=True)
class Hold:
    """Why an order waits, and for whom, in order."""

    rule: ApprovalRule | None
    steps: tuple[ChainStep, ...]
    over_budget: bool = False


def _applying(principal: Principal, currency: str, kind: str) -> QuerySet[ApprovalRule]:
    """The company's rules of ``kind`` that apply to the principal's orders: a rule limited
    to a role or a buyer applies only to theirs (an API key has neither)."""
    applies = Q(role="", buyer__isnull=True)
    if principal.role:
        applies |= Q(role=principal.role, buyer__isnull=True)
    if principal.membership is not None:
        applies |= Q(buyer_id=principal.membership.pk)
    return ApprovalRule.objects.filter(
        company=principal.company, currency=currency, kind=kind
    ).filter(applies)


def rule_for(*, principal: Principal, total: Decimal | None, currency: str) -> ApprovalRule | None:
    """The amount rule that catches an order of ``total`` placed by the principal: of those
    it exceeds, the highest threshold. An order whose total is unknown (the ERP could not
    price it) is caught by the strictest rule that applies: the approver gets the ERP's
    verdict before it goes anywhere."""
    rules = _applying(principal, currency, RuleKind.AMOUNT)
    if total is not None:
        rules = rules.filter(threshold__lt=total)
    return rules.order_by("-threshold", "-id").first()


def budget_rule_for(*, principal: Principal, currency: str) -> ApprovalRule | None:
    """The budget rule for the principal's orders: one for the buyer before one for the role
    before one for everybody."""
    rules = list(_applying(principal, currency, RuleKind.BUDGET).order_by("id"))
    rules.sort(key=lambda r: (r.buyer_id is None, r.role == ""))
    return rules[0] if rules else None


def chain_of(rule: ApprovalRule | None) -> tuple[ChainStep, ...]:
    if rule is None:
        return (ANY_APPROVER,)
    steps = tuple(ChainStep(s.role, s.approver_id) for s in rule.steps.order_by("position"))
    return steps or (ANY_APPROVER,)


def hold_for(
    *, principal: Principal, total: Decimal | None, currency: str, cost_centre: str = ""
) -> Hold | None:
    """Whether an order of ``total`` the principal places (charged to ``cost_centre``) waits
    for approval, and for whom (see the module); None: it goes straight to the ERP."""
    rule = rule_for(principal=principal, total=total, currency=currency)
    over = bool(cost_centre) and takes_over_budget(
        company=principal.company, code=cost_centre, currency=currency, total=total
    )
    if rule is None and not over:
        return None
    steps = chain_of(rule) if rule is not None else ()
    budget_rule = budget_rule_for(principal=principal, currency=currency) if over else None
    if over:
        steps += tuple(s for s in chain_of(budget_rule) if s not in steps)
    return Hold(rule=rule or budget_rule, steps=steps, over_budget=over)


def _hold(
    *,
    hold: Hold,
    principal: Principal,
    store_id: int,
    reference: str,
    total: Decimal | None,
    currency: str,
    order: Order | None = None,
    quote: QuoteRequest | None = None,
) -> ApprovalRequest:
    fields = {
        "order": order,
        "company": principal.company,
        "store_id": store_id,
        "reference": reference,
        "total": total,
        "currency": currency,
        "over_budget": hold.over_budget,
        "rule": hold.rule,
        "requested_by": principal.recorded_user,
        "state": ApprovalState.PENDING,
        "decided_by": None,
        "decided_at": None,
        "comment": "",
    }
    if quote is not None:
        # A quote accepted again after a rejection waits afresh, on the same record (its
        # history kept): a quote has one approval.
        request, _created = ApprovalRequest.objects.update_or_create(quote=quote, defaults=fields)
        ApprovalTurn.objects.filter(request=request).delete()
    else:
        request = ApprovalRequest.objects.create(**fields)
    ApprovalTurn.objects.bulk_create(
        ApprovalTurn(request=request, position=n, role=step.role, approver_id=step.approver_id)
        for n, step in enumerate(hold.steps, start=1)
    )
    ApprovalStep.objects.create(request=request, kind=StepKind.REQUESTED, by=request.requested_by)

    def tell_first_approvers() -> None:
        from .notifications import approval_requested

        approval_requested(request_id=request.id)

    transaction.on_commit(tell_first_approvers)
    return request


def order_hold(*, order: Order, hold: Hold, principal: Principal) -> ApprovalRequest:
    """Record that ``order`` (placed held, in the caller's transaction) waits for approval
    by ``hold``'s chain; the first step's approvers are e-mailed once it is committed."""
    return _hold(
        hold=hold,
        principal=principal,
        store_id=order.store_id,
        reference=order.number,
        total=order.total,
        currency=order.currency,
        order=order,
    )


def quote_reference(quote_id: int) -> str:
    return f"Q{quote_id}"


def quote_hold(*, quote: QuoteRequest, principal: Principal) -> bool:
    """Called by accepting a quote, in its transaction: when the company's rules catch the
    acceptance at the quote's agreed prices (its last version the ERP holds), record that it
    waits for approval and say so (True: the caller owes the ERP nothing yet; an approval of
    the last step sends the acceptance on, at exactly those prices). A quote carries no cost
    centre, so budgets do not weigh it."""
    store = principal.store
    assert store is not None, "a quote is accepted in a store"
    total = quote_total(quote)
    hold = hold_for(principal=principal, total=total, currency=store.currency)
    if hold is None:
        return False
    _hold(
        hold=hold,
        principal=principal,
        store_id=store.id,
        reference=quote_reference(quote.id),
        total=total,
        currency=store.currency,
        quote=quote,
    )
    return True


def quote_total(quote: QuoteRequest) -> Decimal | None:
    """The net total of the quote's agreed prices: its last version the ERP holds."""
    from storefleet.quotes.models import ErpWrite, QuoteVersion

    version = (
        QuoteVersion.objects.filter(quote=quote, erp_write=ErpWrite.DONE)
        .order_by("-number")
        .first()
    )
    if version is None:
        return None
    return sum((line.quantity * line.unit_price for line in version.lines.all()), Decimal(0))

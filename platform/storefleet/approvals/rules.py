"""Which approval rule an order falls under, and holding it for approval: what checkout asks
while it places an order (``ordering.checkout.order_lines_place``). Kept apart from the
approvals' services, which place through ordering, so that checkout can import it."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q

from .models import ApprovalRequest, ApprovalRule, ApprovalStep, StepKind

if TYPE_CHECKING:
    from storefleet.accounts.principal import Principal
    from storefleet.ordering.models import Order


def rule_for(*, principal: Principal, total: Decimal | None, currency: str) -> ApprovalRule | None:
    """The first of the company's rules that catches an order of ``total`` placed by the
    principal (the lowest threshold), None when none does. A rule limited to a role or a buyer
    catches only their orders (an API key has neither). An order whose total is unknown (the
    ERP could not price it) is caught by any rule that applies to the placer: the approver
    gets the ERP's verdict before it goes anywhere."""
    rules = ApprovalRule.objects.filter(company=principal.company, currency=currency)
    applies = Q(role="", buyer__isnull=True)
    if principal.role:
        applies |= Q(role=principal.role, buyer__isnull=True)
    if principal.membership is not None:
        applies |= Q(buyer_id=principal.membership.pk)
    rules = rules.filter(applies)
    if total is not None:
        rules = rules.filter(threshold__lt=total)
    return rules.order_by("threshold", "id").first()


def order_hold(*, order: Order, rule: ApprovalRule, principal: Principal) -> ApprovalRequest:
    """Record that ``order`` (placed held, in the caller's transaction) waits for approval
    under ``rule``; the company's approvers are e-mailed once it is committed."""
    request = ApprovalRequest.objects.create(
        order=order, company=order.company, rule=rule, requested_by=principal.recorded_user
    )
    ApprovalStep.objects.create(request=request, kind=StepKind.REQUESTED, by=request.requested_by)

    def tell_approvers() -> None:
        from .notifications import approval_requested

        approval_requested(request_id=request.id)

    transaction.on_commit(tell_approvers)
    return request

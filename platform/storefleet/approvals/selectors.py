"""Approvals' reads, scoped to the caller's company (and store): another company's rules and
approvals are never found."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from storefleet.accounts.models import Company, Membership
from storefleet.accounts.principal import Principal
from storefleet.ordering.models import Order

from .models import ApprovalRequest, ApprovalRule, ApprovalState, ApprovalStep
from .services import APPROVER_ROLES, require_admin, require_approver


def company_rules(*, principal: Principal) -> QuerySet[ApprovalRule]:
    require_admin(principal)
    return ApprovalRule.objects.filter(company=principal.company).select_related("buyer__user")


def company_members(*, company: Company) -> QuerySet[Membership]:
    return Membership.objects.filter(company=company).select_related("user")


def approvers_of(*, company: Company, except_user_id: int | None = None) -> list[str]:
    """The e-mail addresses of the company's approvers and admins (but the one named)."""
    members = Membership.objects.filter(company=company, role__in=APPROVER_ROLES).exclude(
        user__email=""
    )
    if except_user_id is not None:
        members = members.exclude(user_id=except_user_id)
    return list(members.order_by("user__email").values_list("user__email", flat=True))


def waiting_approvals(*, principal: Principal) -> QuerySet[ApprovalRequest]:
    """The company's orders in the principal's store waiting for approval, oldest first."""
    require_approver(principal)
    store = principal.require_store()
    return (
        ApprovalRequest.objects.filter(
            company=principal.company, order__store_id=store.id, state=ApprovalState.PENDING
        )
        .select_related("order", "requested_by")
        .order_by("created_at", "id")
    )


def decided_approvals(*, principal: Principal, limit: int = 20) -> list[ApprovalRequest]:
    require_approver(principal)
    store = principal.require_store()
    return list(
        ApprovalRequest.objects.filter(company=principal.company, order__store_id=store.id)
        .exclude(state=ApprovalState.PENDING)
        .select_related("order", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class OrderApproval:
    """Where an order stands with its approval, for the order's page."""

    request: ApprovalRequest
    approvers: list[str]
    steps: list[ApprovalStep]

    @property
    def pending(self) -> bool:
        return self.request.state == ApprovalState.PENDING


def order_approval(*, order: Order) -> OrderApproval | None:
    """The approval of an order the caller already reached through its scope (None: it
    never needed one)."""
    request = (
        ApprovalRequest.objects.filter(order_id=order.pk, company_id=order.company_id)
        .select_related("decided_by")
        .first()
    )
    if request is None:
        return None
    return OrderApproval(
        request=request,
        approvers=approvers_of(company=order.company, except_user_id=order.placed_by_id),
        steps=list(request.steps.select_related("by")),
    )

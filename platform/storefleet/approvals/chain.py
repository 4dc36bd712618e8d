"""Who decides which step of a held order's approval chain: reads shared by the decisions,
the pages and the e-mails, so that the page offers exactly what the service allows.

Nobody approves their own order, nor two steps of one chain. A step naming one approver who
can't decide it (they placed the order, approved an earlier step, or are no longer an
approver) falls to the company's admins, so that the order is not stuck."""

from __future__ import annotations

from django.utils.translation import gettext

from storefleet.accounts.models import MemberRole, Membership

from .models import ApprovalRequest, ApprovalTurn, TurnState

APPROVER_ROLES = (MemberRole.APPROVER, MemberRole.ADMIN)


def placer_id(request: ApprovalRequest) -> int | None:
    """Who placed the order (or accepted the quote)."""
    if request.order_id is not None and request.order is not None:
        return request.order.placed_by_id
    return request.requested_by_id


def turns_of(request: ApprovalRequest) -> list[ApprovalTurn]:
    return list(
        ApprovalTurn.objects.filter(request=request)
        .select_related("approver__user", "decided_by")
        .order_by("position")
    )


def current(turns: list[ApprovalTurn]) -> ApprovalTurn | None:
    """The step it waits on: the first not approved (None once all are, or one rejected)."""
    for turn in turns:
        if turn.state == TurnState.WAITING:
            return turn
        if turn.state == TurnState.REJECTED:
            return None
    return None


def excluded(request: ApprovalRequest, turns: list[ApprovalTurn]) -> set[int]:
    """The users who may not decide the current step: the placer and who approved before."""
    out = {t.decided_by_id for t in turns if t.state == TurnState.APPROVED and t.decided_by_id}
    placer = placer_id(request)
    if placer is not None:
        out.add(placer)
    return out


def _named_can(turn: ApprovalTurn, out: set[int]) -> bool:
    named = turn.approver
    return named is not None and named.role in APPROVER_ROLES and named.user_id not in out


def may_decide(turn: ApprovalTurn, membership: Membership | None, out: set[int]) -> bool:
    if membership is None or membership.user_id in out or membership.role not in APPROVER_ROLES:
        return False
    if turn.approver_id is not None:
        if _named_can(turn, out):
            return membership.pk == turn.approver_id
        return membership.role == MemberRole.ADMIN
    if turn.role:
        return membership.role == turn.role
    return True


def deciders(request: ApprovalRequest, turn: ApprovalTurn, out: set[int]) -> list[Membership]:
    """The company's members who may decide ``turn`` now, by e-mail address."""
    members = (
        Membership.objects.filter(company_id=request.company_id, role__in=APPROVER_ROLES)
        .exclude(user_id__in=out)
        .select_related("user")
        .order_by("user__email")
    )
    return [m for m in members if may_decide(turn, m, out)]


def who(turn: ApprovalTurn, out: set[int]) -> str:
    """Who a step is for, as its page and the buyer read it."""
    if turn.approver_id is not None:
        if _named_can(turn, out):
            assert turn.approver is not None
            return turn.approver.user.email
        return gettext("a company admin")
    if turn.role == MemberRole.ADMIN:
        return gettext("a company admin")
    if turn.role == MemberRole.APPROVER:
        return gettext("an approver")
    return gettext("an approver or a company admin")

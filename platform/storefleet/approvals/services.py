"""Approvals' writes: a company admin's rules, and an approver's decision on a held order.

Approving asks the ERP afresh (stock, credit and prices may have changed since the order was
placed): lines the ERP would refuse stop the approval; prices that moved are shown and applied
only once the approver confirms exactly those prices. The approval and the outbox message
``order.submit`` are written in one transaction, claimed by a conditional UPDATE, so double
clicks and re-posts send the order to the ERP once. Rejecting marks the order rejected (it
never reaches the ERP) and tells the buyer."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core import signing
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from storefleet.accounts.models import MemberRole, Membership
from storefleet.accounts.principal import Principal
from storefleet.brand.buyer_cache import company_pages_changed
from storefleet.errors import ApplicationError
from storefleet.ordering.checkout import SeenPrice, check_at_current_prices
from storefleet.ordering.checks import CartCheck, Wanted, check_lines
from storefleet.ordering.models import Order, OrderLine, OrderStatus
from storefleet.ordering.outbox_kinds import SUBMIT_ORDER
from storefleet.outbox import services as outbox

from .models import (
    MAX_THRESHOLD,
    ApprovalRequest,
    ApprovalRule,
    ApprovalState,
    ApprovalStep,
    StepKind,
)

logger = logging.getLogger("storefleet.approvals")

APPROVER_ROLES = (MemberRole.APPROVER, MemberRole.ADMIN)
CONFIRM_SALT = "storefleet.approvals.confirm-prices"
CONFIRM_MAX_AGE = 3600


# ------------------------------------------------------------------ who may do what
def require_admin(principal: Principal) -> None:
    """Only a company admin (a member, not a key) sets rules; anyone else gets 404."""
    if principal.membership is None or not principal.is_admin:
        raise Http404("Not a company admin.")


def require_approver(principal: Principal) -> None:
    """Only an approver or an admin of the company decides; anyone else gets 404."""
    if principal.membership is None or principal.role not in APPROVER_ROLES:
        raise Http404("Not an approver.")


def is_approver(principal: Principal) -> bool:
    return principal.membership is not None and principal.role in APPROVER_ROLES


# ------------------------------------------------------------------ rules
def rule_add(
    *, principal: Principal, threshold: Decimal, role: str = "", buyer_id: int | None = None
) -> ApprovalRule:
    """Add a rule to the principal's company: its orders above ``threshold`` (in the store's
    currency) need approval, only those of ``role`` or of the member ``buyer_id`` when given.
    A buyer of another company is refused like one that does not exist."""
    require_admin(principal)
    store = principal.require_store()
    if not Decimal(0) <= threshold <= MAX_THRESHOLD:
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
    return ApprovalRule.objects.create(
        company=principal.company,
        currency=store.currency,
        threshold=threshold.quantize(Decimal("0.01")),
        role=role,
        buyer=buyer,
        created_by=principal.recorded_user,
    )


def rule_remove(*, principal: Principal, rule_id: int) -> None:
    """Remove one of the company's rules (404 for another company's). Orders already held
    stay held: an approver decides them."""
    require_admin(principal)
    deleted, _ = ApprovalRule.objects.filter(id=rule_id, company=principal.company).delete()
    if not deleted:
        raise Http404("No such rule.")


# ------------------------------------------------------------------ decisions
def approval_or_404(*, principal: Principal, number: str) -> ApprovalRequest:
    """The approval of the company's order ``number`` in the principal's store (404 for
    another company's or another store's, as for one that does not exist)."""
    store = principal.require_store()
    request = (
        ApprovalRequest.objects.select_related("order", "order__company", "requested_by")
        .filter(company=principal.company, order__number=number, order__store_id=store.id)
        .first()
    )
    if request is None:
        raise Http404("No such approval.")
    return request


@dataclass(frozen=True, slots=True)
class PriceChange:
    """A line whose ERP price is not the one the order was placed at."""

    position: int
    sku: str
    name: str
    quantity: Decimal
    was: Decimal | None
    now: Decimal | None


@dataclass(frozen=True)
class ApproveOutcome:
    """``approved``: this call approved it; ``already``: it was approved before (nothing was
    written again); else ``changes`` are the moved prices to confirm with ``confirm_token``."""

    request: ApprovalRequest
    approved: bool = False
    already: bool = False
    changes: tuple[PriceChange, ...] = ()
    confirm_token: str = ""


def _confirm_payload(request: ApprovalRequest, changes: tuple[PriceChange, ...]) -> dict:
    return {
        "r": request.id,
        "p": [[c.position, f"{c.now:f}" if c.now is not None else None] for c in changes],
    }


def _confirm_token(request: ApprovalRequest, changes: tuple[PriceChange, ...]) -> str:
    return signing.dumps(_confirm_payload(request, changes), salt=CONFIRM_SALT)


def _confirmed(token: str, request: ApprovalRequest, changes: tuple[PriceChange, ...]) -> bool:
    """Whether the approver confirmed exactly these prices (a token of other prices, of
    another approval, tampered with or older than an hour confirms nothing)."""
    if not token:
        return False
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return False
    return bool(data == _confirm_payload(request, changes))


def order_approve(
    *, principal: Principal, number: str, comment: str = "", confirm_token: str = ""
) -> ApproveOutcome:
    """Approve the held order ``number`` of the principal's company: with the ERP's verdict of
    now, and prices that moved only when ``confirm_token`` confirms them (see the module).
    Refused: ``own_order`` (the approver placed it), ``rejected`` (decided already),
    ``not_orderable`` (the ERP would refuse it now: reject it), ``erp_unavailable``; nothing is
    written then."""
    require_approver(principal)
    request = approval_or_404(principal=principal, number=number)
    if request.state == ApprovalState.APPROVED:
        return ApproveOutcome(request=request, already=True)
    if request.state == ApprovalState.REJECTED:
        raise ApplicationError(
            gettext("This order was rejected already: the buyer can order again."),
            code="rejected",
        )
    order = request.order
    user = principal.recorded_user
    if user is None or order.placed_by_id == user.pk:
        raise ApplicationError(
            gettext("You placed this order yourself: another approver of your company decides."),
            code="own_order",
        )
    check, lines = _fresh_check(principal, order)
    changes = tuple(
        PriceChange(
            position=line.position,
            sku=line.sku,
            name=line.name,
            quantity=line.quantity,
            was=line.unit_price,
            now=line_check.unit_price.amount if line_check.unit_price else None,
        )
        for line, line_check in zip(lines, check.lines, strict=True)
        if line.unit_price != (line_check.unit_price.amount if line_check.unit_price else None)
    )
    if changes and not _confirmed(confirm_token, request, changes):
        ApprovalStep.objects.create(request=request, kind=StepKind.PRICES_SHOWN, by=user)
        return ApproveOutcome(
            request=request, changes=changes, confirm_token=_confirm_token(request, changes)
        )
    with transaction.atomic():
        claimed = ApprovalRequest.objects.filter(id=request.id, state=ApprovalState.PENDING).update(
            state=ApprovalState.APPROVED,
            decided_by=user,
            decided_at=timezone.now(),
            comment=comment.strip(),
        )
        if not claimed:  # a second click or another approver came first
            request.refresh_from_db()
            if request.state == ApprovalState.APPROVED:
                return ApproveOutcome(request=request, already=True)
            raise ApplicationError(
                gettext("This order was rejected already: the buyer can order again."),
                code="rejected",
            )
        for change in changes:
            OrderLine.objects.filter(order=order, position=change.position).update(
                unit_price=change.now
            )
        Order.objects.filter(id=order.id, status=OrderStatus.HELD).update(
            status=OrderStatus.RECEIVED, total=check.total
        )
        ApprovalStep.objects.create(
            request=request, kind=StepKind.APPROVED, by=user, comment=comment.strip()
        )
        outbox.message_add(kind=SUBMIT_ORDER, subject=order.id, key=order.number)
        company_pages_changed(company_id=order.company_id)
    request.refresh_from_db()
    logger.info("order approved number=%s by=%s", order.number, user.pk)
    return ApproveOutcome(request=request, approved=True)


def _fresh_check(principal: Principal, order: Order) -> tuple[CartCheck, list[OrderLine]]:
    """The ERP's verdict of now on the order's lines, at its prices of now."""
    store = principal.require_store()
    lines = list(OrderLine.objects.filter(order=order).select_related("product"))
    wanted = []
    for line in lines:
        if line.product is None:  # deleted from the catalog since
            raise ApplicationError(
                gettext("A product of this order is no longer sold: reject it."),
                code="not_orderable",
            )
        wanted.append(Wanted(line.product, line.quantity, line.position))
    check = check_lines(
        store=store,
        company=order.company,
        wanted=wanted,
        ship_to_id=order.ship_to_id,
        accept_backorder=order.backorder_accepted,
    )
    if check.degraded:
        raise ApplicationError(
            gettext("Our ERP is not answering right now: approve the order again in a while."),
            code="erp_unavailable",
        )
    seen = {line.position: SeenPrice(line.sku, line.quantity, line.unit_price) for line in lines}
    check, _moved = check_at_current_prices(
        store=store, company=order.company, check=check, seen=seen
    )
    if not check.ok:
        problems = [m for line in check.lines for m in line.messages] + list(check.problems)
        if check.credit is not None and not check.credit.ok:
            problems.append(gettext("The order is over the company's available credit."))
        raise ApplicationError(
            gettext(
                "Our ERP would not accept this order now (%(why)s): reject it, and the buyer "
                "can order again."
            )
            % {"why": "; ".join(str(p) for p in problems) or "-"},
            code="not_orderable",
        )
    return check, lines


def order_reject(*, principal: Principal, number: str, comment: str) -> ApprovalRequest:
    """Reject the held order ``number``: it is marked rejected and never reaches the ERP; the
    buyer is e-mailed the comment. Rejecting a rejected order again changes nothing."""
    require_approver(principal)
    comment = comment.strip()
    if not comment:
        raise ApplicationError(
            gettext("Say why you reject the order: the buyer reads it."), field="comment"
        )
    request = approval_or_404(principal=principal, number=number)
    user = principal.recorded_user
    with transaction.atomic():
        claimed = ApprovalRequest.objects.filter(id=request.id, state=ApprovalState.PENDING).update(
            state=ApprovalState.REJECTED,
            decided_by=user,
            decided_at=timezone.now(),
            comment=comment,
        )
        if not claimed:
            request.refresh_from_db()
            if request.state == ApprovalState.REJECTED:
                return request
            raise ApplicationError(
                gettext("This order was approved already and is on its way to our ERP."),
                code="approved",
            )
        Order.objects.filter(id=request.order_id, status=OrderStatus.HELD).update(
            status=OrderStatus.REJECTED
        )
        ApprovalStep.objects.create(
            request=request, kind=StepKind.REJECTED, by=user, comment=comment
        )
        company_pages_changed(company_id=request.company_id)

        def tell_buyer() -> None:
            from .notifications import approval_rejected

            approval_rejected(request_id=request.id)

        transaction.on_commit(tell_buyer)
    request.refresh_from_db()
    return request

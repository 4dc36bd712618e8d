"""Approvals' writes: an approver's decision on a held order or quote acceptance (and, from
``rulebook``, a company admin's rules, cost centres and budgets).

A held order waits for its chain of steps, in order (``chain``): each step's approver
approves or rejects; a rejection at any step ends it; the last step's approval sends it on.
Approving an order asks the ERP afresh (stock, credit and prices may have changed since it
was placed): lines the ERP would refuse stop the approval; prices that moved are shown and
applied only once the approver confirms exactly those prices. Approving a quote acceptance
sends it on at the quote's agreed prices (the ERP confirms that very quotation). Each step is
claimed by a conditional UPDATE, and the last one is written with the outbox message in one
transaction, so double clicks and re-posts send it to the ERP once. Rejecting marks the order
rejected (it never reaches the ERP; a quote goes back to quoted) and tells the buyer."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core import signing
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop

from storefleet.accounts.principal import Principal
from storefleet.brand.buyer_cache import company_pages_changed
from storefleet.errors import ApplicationError
from storefleet.ordering.checkout import SeenPrice, check_at_current_prices
from storefleet.ordering.checks import CartCheck, Wanted, check_lines
from storefleet.ordering.models import Order, OrderLine, OrderStatus
from storefleet.ordering.outbox_kinds import SUBMIT_ORDER
from storefleet.outbox import services as outbox
from storefleet.quotes.kinds import ACCEPT_QUOTE
from storefleet.quotes.models import QuoteRequest, QuoteState

from . import chain
from .access import is_approver, require_admin, require_approver
from .chain import APPROVER_ROLES
from .models import (
    ApprovalRequest,
    ApprovalState,
    ApprovalStep,
    ApprovalTurn,
    StepKind,
    TurnState,
)
from .rulebook import budget_set, cost_centre_add, cost_centre_remove, rule_add, rule_remove

logger = logging.getLogger("storefleet.approvals")

# The app's writes, one import away for views and tests: the admin's (``rulebook``) and the
# access checks (``access``) live in their own modules.
__all__ = [
    "APPROVER_ROLES",
    "ApproveOutcome",
    "PriceChange",
    "approval_or_404",
    "budget_set",
    "cost_centre_add",
    "cost_centre_remove",
    "is_approver",
    "order_approve",
    "order_reject",
    "require_admin",
    "require_approver",
    "rule_add",
    "rule_remove",
]

CONFIRM_SALT = "storefleet.approvals.confirm-prices"
CONFIRM_MAX_AGE = 3600


# ------------------------------------------------------------------ decisions
def approval_or_404(*, principal: Principal, number: str) -> ApprovalRequest:
    """The approval of the company's order ``number`` (or quote ``Q<id>``) in the principal's
    store (404 for another company's or another store's, as for one that does not exist)."""
    store = principal.require_store()
    request = (
        ApprovalRequest.objects.select_related("order", "quote", "company", "requested_by")
        .filter(company=principal.company, reference=number, store_id=store.id)
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
    """``approved``: this call approved its step (``request.state`` says whether it was the
    last); ``already``: it was approved (by this approver) before, nothing was written again;
    else ``changes`` are the moved prices to confirm with ``confirm_token``."""

    request: ApprovalRequest
    approved: bool = False
    already: bool = False
    changes: tuple[PriceChange, ...] = ()
    confirm_token: str = ""

    @property
    def finished(self) -> bool:
        return self.request.state == ApprovalState.APPROVED


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


TAKEN = gettext_noop("Someone decided this step just now: open it again to see where it stands.")
REJECTED_ALREADY = gettext_noop("This was rejected already: the buyer can order again.")


def _current_turn_for(
    principal: Principal, request: ApprovalRequest
) -> tuple[ApprovalTurn | None, bool]:
    """The step the principal may decide now, and whether they approved a step before (then
    no step is theirs: nobody approves twice in one chain). Refused: ``own_order``, and
    ``not_your_step`` (it waits on someone else)."""
    user = principal.recorded_user
    if user is None or user.pk == chain.placer_id(request):
        raise ApplicationError(
            gettext("You placed this order yourself: another approver of your company decides."),
            code="own_order",
        )
    turns = chain.turns_of(request)
    if any(t.state == TurnState.APPROVED and t.decided_by_id == user.pk for t in turns):
        return None, True
    turn = chain.current(turns)
    out = chain.excluded(request, turns)
    if turn is None or not chain.may_decide(turn, principal.membership, out):
        waiting_on = (
            gettext("step %(n)s of %(of)s, for %(who)s")
            % {"n": turn.position, "of": len(turns), "who": chain.who(turn, out)}
            if turn is not None
            else "-"
        )
        raise ApplicationError(
            gettext("This waits on %(step)s: it is not yours to decide.") % {"step": waiting_on},
            code="not_your_step",
        )
    return turn, False


def order_approve(
    *, principal: Principal, number: str, comment: str = "", confirm_token: str = ""
) -> ApproveOutcome:
    """Approve the principal's step of the held order (or quote acceptance) ``number`` of the
    principal's company: an order with the ERP's verdict of now, and prices that moved only
    when ``confirm_token`` confirms them (see the module); a quote at its agreed prices. The
    last step's approval sends it to the ERP; an earlier one e-mails the next step's
    approvers. Refused: ``own_order``, ``not_your_step``, ``rejected`` (decided already),
    ``not_orderable`` (the ERP would refuse it now: reject it), ``expired`` (a quote),
    ``erp_unavailable``; nothing is written then."""
    require_approver(principal)
    request = approval_or_404(principal=principal, number=number)
    if request.state == ApprovalState.APPROVED:
        return ApproveOutcome(request=request, already=True)
    if request.state == ApprovalState.REJECTED:
        raise ApplicationError(gettext(REJECTED_ALREADY), code="rejected")
    turn, approved_before = _current_turn_for(principal, request)
    if approved_before or turn is None:
        return ApproveOutcome(request=request, already=True)
    user = principal.recorded_user
    assert user is not None  # _current_turn_for refused an approver with no user
    order = request.order
    check: CartCheck | None = None
    changes: tuple[PriceChange, ...] = ()
    if order is not None:
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
    elif request.quote is not None:
        _quote_still_valid(request.quote)
    comment = comment.strip()
    now = timezone.now()
    with transaction.atomic():
        claimed = ApprovalTurn.objects.filter(id=turn.id, state=TurnState.WAITING).update(
            state=TurnState.APPROVED, decided_by=user, decided_at=now
        )
        if not claimed:  # a second click or another approver came first
            request.refresh_from_db()
            if request.state == ApprovalState.REJECTED:
                raise ApplicationError(gettext(REJECTED_ALREADY), code="rejected")
            turn.refresh_from_db()
            if turn.decided_by_id != user.pk and request.state != ApprovalState.APPROVED:
                raise ApplicationError(gettext(TAKEN), code="taken")
            return ApproveOutcome(request=request, already=True)
        if order is not None and check is not None:
            for change in changes:
                OrderLine.objects.filter(order=order, position=change.position).update(
                    unit_price=change.now
                )
            Order.objects.filter(id=order.id, status=OrderStatus.HELD).update(total=check.total)
            ApprovalRequest.objects.filter(id=request.id).update(total=check.total)
        ApprovalStep.objects.create(
            request=request, kind=StepKind.APPROVED, by=user, comment=comment
        )
        last = not ApprovalTurn.objects.filter(request=request, state=TurnState.WAITING).exists()
        if last:
            ApprovalRequest.objects.filter(id=request.id, state=ApprovalState.PENDING).update(
                state=ApprovalState.APPROVED, decided_by=user, decided_at=now, comment=comment
            )
            if order is not None:
                Order.objects.filter(id=order.id, status=OrderStatus.HELD).update(
                    status=OrderStatus.RECEIVED
                )
                outbox.message_add(kind=SUBMIT_ORDER, subject=order.id, key=order.number)
            elif request.quote is not None:
                # The quote is accepting already (held there): the ERP confirms the very
                # quotation, at its agreed prices.
                quote = request.quote
                outbox.message_add(kind=ACCEPT_QUOTE, subject=quote.id, key=f"accept:{quote.key}")
            company_pages_changed(company_id=request.company_id)
        else:

            def tell_next() -> None:
                from .notifications import approval_requested

                approval_requested(request_id=request.id)

            transaction.on_commit(tell_next)
    request.refresh_from_db()
    logger.info(
        "approval step approved ref=%s step=%s last=%s by=%s",
        request.reference,
        turn.position,
        last,
        user.pk,
    )
    return ApproveOutcome(request=request, approved=True)


def _quote_still_valid(quote: QuoteRequest) -> None:
    if quote.expires is not None and quote.expires < timezone.localdate():
        raise ApplicationError(
            gettext(
                "This quote expired on %(date)s: reject it, and the buyer can request a new "
                "quote for its lines."
            )
            % {"date": date_format(quote.expires)},
            code="expired",
        )


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
    """Reject the held order (or quote acceptance) ``number`` at the principal's step: it
    ends the chain; the order is marked rejected and never reaches the ERP (a quote goes back
    to quoted: it can still be declined, revised, or accepted again); the buyer is e-mailed
    the comment. Rejecting a rejected one again changes nothing."""
    require_approver(principal)
    comment = comment.strip()
    if not comment:
        raise ApplicationError(
            gettext("Say why you reject the order: the buyer reads it."), field="comment"
        )
    request = approval_or_404(principal=principal, number=number)
    if request.state == ApprovalState.REJECTED:
        return request
    if request.state == ApprovalState.APPROVED:
        raise ApplicationError(
            gettext("This order was approved already and is on its way to our ERP."),
            code="approved",
        )
    turn, approved_before = _current_turn_for(principal, request)
    if approved_before or turn is None:
        raise ApplicationError(
            gettext("You approved a step of this already: the next step's approver decides."),
            code="not_your_step",
        )
    user = principal.recorded_user
    now = timezone.now()
    with transaction.atomic():
        claimed = ApprovalTurn.objects.filter(id=turn.id, state=TurnState.WAITING).update(
            state=TurnState.REJECTED, decided_by=user, decided_at=now
        )
        if claimed:
            claimed = ApprovalRequest.objects.filter(
                id=request.id, state=ApprovalState.PENDING
            ).update(state=ApprovalState.REJECTED, decided_by=user, decided_at=now, comment=comment)
        if not claimed:
            transaction.set_rollback(True)
            request.refresh_from_db()
            if request.state == ApprovalState.REJECTED:
                return request
            raise ApplicationError(gettext(TAKEN), code="taken")
        if request.order_id is not None:
            Order.objects.filter(id=request.order_id, status=OrderStatus.HELD).update(
                status=OrderStatus.REJECTED
            )
        elif request.quote_id is not None:
            QuoteRequest.objects.filter(id=request.quote_id, state=QuoteState.ACCEPTING).update(
                state=QuoteState.QUOTED, accepted_at=None
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

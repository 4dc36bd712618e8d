"""Requesting a return of shipped lines of an order, for whoever acts for the company: the
service ``return_request`` checks the lines against what the ERP says was shipped and writes
the return with its outbox message (``returns.outbox`` files it in the ERP)."""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from storefleet.erp.types import OrderState
from storefleet.errors import ApplicationError
from storefleet.outbox import services as outbox

from ..models import ReturnLine, ReturnReason, ReturnRequest
from ..outbox_kinds import FILE_RETURN
from ..quick_order import QUANTITY_DECIMALS
from .selectors import ReturnableRow, ReturnForm, not_shipped, return_for_token, return_form

if TYPE_CHECKING:
    from storefleet.accounts.principal import Principal

logger = logging.getLogger("storefleet.ordering")

NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RETURNABLE_ERP_STATES = {OrderState.CONFIRMED, OrderState.PROCESSING, OrderState.DONE}


@dataclass(frozen=True, slots=True)
class ReturnWanted:
    """A line the caller wants to return: an SKU of the sale and a quantity in its unit."""

    sku: str
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class ReturnReasonGiven:
    code: str  # a ReturnReason value
    text: str = ""


class ReturnInvalid(ApplicationError):
    """The request can't be taken as it is; ``errors`` maps an SKU (or "" for the whole
    request, "reason" for the reason) to what to fix."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(
            " ".join(errors.values()) or "Check the return and send it again.",
            code="return_invalid",
        )
        self.errors = dict(errors)


def _new_number(prefix: str) -> str:
    return f"{prefix}-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))


def _validate(
    principal: Principal,
    form: ReturnForm,
    lines: Sequence[ReturnWanted],
    reason: ReturnReasonGiven,
) -> list[tuple[ReturnableRow, Decimal]]:
    errors: dict[str, str] = {}
    if reason.code not in ReturnReason.values:
        errors["reason"] = "Choose a reason for the return."
    elif reason.code == ReturnReason.OTHER and not reason.text.strip():
        errors["reason"] = "Tell us why you return these lines."
    if len(reason.text) > 1000:
        errors["reason"] = "Keep the description under 1,000 characters."
    elif "\x00" in reason.text:  # PostgreSQL can't store it; nobody types it
        errors["reason"] = "The description has invisible characters in it: type it again."
    if form.state not in RETURNABLE_ERP_STATES or not form.anything_shipped:
        errors[""] = not_shipped(principal, form.ref.number, form.state)
        raise ReturnInvalid(errors)
    rows = {row.sku: row for row in form.rows}
    picked: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        row = rows.get(line.sku)
        if row is None:
            errors[line.sku] = f"{line.sku} is not on order {form.ref.number}."
        elif not line.quantity.is_finite() or line.quantity < 0:
            errors[line.sku] = f"{line.sku}: enter a quantity of 0 or more."
        elif line.quantity.normalize().as_tuple().exponent < -QUANTITY_DECIMALS:  # type: ignore[operator]
            # The column keeps 4 decimals: 1e-20 would be stored as 0 and refused by the ERP.
            errors[line.sku] = (
                f"{line.sku}: use at most 4 decimals in a quantity (the smallest is 0.0001)."
            )
        else:
            picked[line.sku] += line.quantity
    for sku, quantity in picked.items():
        row = rows[sku]
        if quantity > row.returnable:
            errors[sku] = (
                f"{sku}: you can return at most {row.returnable:f} {row.unit} "
                f"({row.shipped:f} shipped, {row.requested:f} already in returns)."
            )
    chosen = [(rows[sku], q) for sku, q in picked.items() if q > 0 and sku not in errors]
    if not chosen and not any(k not in ("reason", "") for k in errors):
        errors[""] = "Pick at least one line and the quantity to return."
    if errors:
        raise ReturnInvalid(errors)
    return chosen


def return_request(
    *,
    principal: Principal,
    number: str,
    lines: Sequence[ReturnWanted],
    reason: ReturnReasonGiven,
    submit_token: str = "",
) -> ReturnRequest:
    """Request the return of shipped lines of the order ``number`` the principal reaches, once
    per ``submit_token`` (the same token again returns the return it made).

    Quantities are checked against what the ERP says was shipped, less what returns already
    ask back; the return, its lines and its outbox message are written in one transaction and
    a worker files it in the ERP (key: the return's number). The return names who asked for it
    (``Principal.recorded_user``: nobody for an API key) and belongs to the store acted in, or
    to the web order's store for an agent acting across stores. Raises ``ReturnInvalid`` with
    a message per line, or ``ApplicationError`` (``not_found``, ``not_shipped``,
    ``several_sales``, ``erp_unavailable``); nothing is written then."""
    company = principal.company
    user = principal.recorded_user
    token = submit_token or secrets.token_urlsafe(24)
    if len(token) > 64:
        raise ApplicationError(
            gettext("This return form has expired: reload the page and send it.")
        )
    existing = return_for_token(principal=principal, token=token)
    if existing is not None:
        return existing
    form = return_form(principal=principal, number=number)
    chosen = _validate(principal, form, lines, reason)
    if principal.store is not None:
        store_id: int | None = principal.store.id
    else:
        store_id = form.ref.order.store_id if form.ref.order else None
    try:
        with transaction.atomic():
            request = ReturnRequest.objects.create(
                number=_new_number("RET"),
                store_id=store_id,
                company=company,
                requested_by_id=user.pk if user is not None else None,
                submit_token=token,
                order=form.ref.order,
                order_number=form.sale_number,
                reason=reason.code,
                reason_text=reason.text.strip(),
            )
            ReturnLine.objects.bulk_create(
                ReturnLine(
                    return_request=request,
                    position=position,
                    sku=row.sku,
                    name=row.name,
                    unit=row.unit,
                    quantity=quantity,
                )
                for position, (row, quantity) in enumerate(chosen, start=1)
            )
            outbox.message_add(kind=FILE_RETURN, subject=request.id, key=request.number)
    except IntegrityError:
        existing = ReturnRequest.objects.filter(company=company, submit_token=token).first()
        if existing is None:
            raise
        return existing
    logger.info("return %s requested on %s", request.number, form.sale_number)
    return request

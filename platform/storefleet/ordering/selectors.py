"""Reads of ordering, always scoped to the caller's company (and store): another company's
cart or order is never found, so a tampered URL or form answers like a missing one."""

from __future__ import annotations

import re

from django.db.models import Count, QuerySet

from storefleet.accounts.models import Company, Membership
from storefleet.outbox.models import Message
from storefleet.outbox.selectors import message_for, pending_count

from .models import Cart, CartLine, Order
from .outbox_kinds import FILE_RETURN, SUBMIT_ORDER
from .scope import OrderScope


def cart_lines(*, store_id: int, membership: Membership) -> QuerySet[CartLine]:
    return CartLine.objects.filter(
        cart__store_id=store_id,
        cart__user_id=membership.user_id,
        cart__company_id=membership.company_id,
    ).select_related("product", "ship_to")


def cart_size(*, store_id: int, user_id: int) -> int:
    return CartLine.objects.filter(cart__store_id=store_id, cart__user_id=user_id).count()


def cart_user_id(*, cart_id: int) -> int | None:
    return Cart.objects.filter(id=cart_id).values_list("user_id", flat=True).first()


def order_list(*, company: Company, store_id: int) -> QuerySet[Order]:
    return (
        OrderScope.store(company=company, store_id=store_id)
        .orders()
        .annotate(line_count=Count("lines"))
        .order_by("-created_at", "-id")
    )


def order_for_company(*, company: Company, store_id: int, number: str) -> Order | None:
    return (
        OrderScope.store(company=company, store_id=store_id)
        .orders()
        .filter(number=number)
        .select_related("ship_to", "placed_by", "placed_by_key")
        .prefetch_related("lines__ship_to", "sales__ship_to")
        .first()
    )


def outbox_pending_count() -> int:
    """Orders and returns still owed to the ERP."""
    return pending_count(kinds=(SUBMIT_ORDER, FILE_RETURN))


def order_submission(*, order_id: int) -> Message | None:
    """The outbox message that submits the order ``order_id`` to the ERP."""
    return message_for(kind=SUBMIT_ORDER, subject=order_id)


def return_filing(*, return_id: int) -> Message | None:
    """The outbox message that files the return ``return_id`` in the ERP."""
    return message_for(kind=FILE_RETURN, subject=return_id)


# What checkout.new_submit_token makes (URL-safe base64), or API clients choose in the same
# alphabet: anything else was never issued, and is not looked up (a NUL would fail the query).
SUBMIT_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def order_for_submit_token(*, company: Company, store_id: int, token: str) -> Order | None:
    if not SUBMIT_TOKEN.fullmatch(token):
        return None
    return Order.objects.filter(company=company, store_id=store_id, submit_token=token).first()

"""Reads of saved lists, always scoped to the caller: their company in the store the request
reached, and of that company's lists only their own and the shared ones. A list outside that
scope is not found, exactly like one that does not exist."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from storefleet.accounts.models import Membership

from .models import SavedList, SavedListLine


def visible_lists(*, store_id: int, membership: Membership) -> QuerySet[SavedList]:
    """The lists the buyer may see, edit and order: their own, and their company's shared
    ones, in this store."""
    return SavedList.objects.filter(
        Q(owner_id=membership.user_id) | Q(shared=True),
        store_id=store_id,
        company_id=membership.company_id,
    )


def list_overview(*, store_id: int, membership: Membership) -> QuerySet[SavedList]:
    return (
        visible_lists(store_id=store_id, membership=membership)
        .select_related("owner")
        .annotate(line_count=Count("lines"))
        .order_by("name", "id")
    )


def list_for(*, store_id: int, membership: Membership, list_id: int) -> SavedList | None:
    return (
        visible_lists(store_id=store_id, membership=membership)
        .select_related("owner")
        .filter(id=list_id)
        .first()
    )


def list_lines(*, saved_list: SavedList) -> QuerySet[SavedListLine]:
    return saved_list.lines.select_related("product").order_by("added_at", "id")

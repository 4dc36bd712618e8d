"""Who may use a store's buyer pages: a signed-in user whose company buys in the store the
request reached. The ordering and billing views ask here, so the wall is one piece of code."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.urls import reverse_lazy

from storefleet.tenants.selectors import StoreRecord

from .models import Membership
from .selectors import company_for_member

# Signed out: to the store's sign-in page, and back afterwards.
buyer_required = login_required(login_url=reverse_lazy("accounts:login"))


def store_buyer(request: HttpRequest) -> tuple[StoreRecord, Membership]:
    """The store and the user's membership of a company buying in it; 404 otherwise (never a
    hint that the page exists for someone else)."""
    store = getattr(request, "store", None)
    if store is None:
        raise Http404
    membership = company_for_member(user=request.user, store_id=store.id)
    if membership is None:
        raise Http404("You don't buy for a company in this store.")
    return store, membership

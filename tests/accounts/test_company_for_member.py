"""Whom a signed-in user buys for in a store (``company_for_member``): every signed-in page and
the buyers' page cache ask it, in one query."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefleet.accounts.selectors import company_for_member

pytestmark = pytest.mark.django_db


def test_a_member_of_a_company_buying_in_the_store_is_found_in_one_query(acme, ferrum):
    with CaptureQueriesContext(connection) as queries:
        membership = company_for_member(user=acme.buyer, store_id=ferrum.store.id)
        assert membership.company.name == "Acme Machining"  # loaded with it
    assert membership.user_id == acme.buyer.id
    assert len(queries) == 1


def test_the_companys_id_when_given_must_be_the_members(acme, globex, ferrum):
    found = company_for_member(
        user=acme.buyer, store_id=ferrum.store.id, company_id=acme.company.id
    )
    assert found is not None
    assert (
        company_for_member(user=acme.buyer, store_id=ferrum.store.id, company_id=globex.company.id)
        is None
    )


@pytest.mark.parametrize("case", ["other_store", "inactive_company", "inactive_user", "anonymous"])
def test_nobody_is_found_where_the_company_does_not_buy_or_the_user_may_not(
    case, acme, ferrum, hydra
):
    user, store = acme.buyer, ferrum.store
    if case == "other_store":
        store = hydra.store  # Acme buys in Ferrum only
    elif case == "inactive_company":
        acme.company.active = False
        acme.company.save(update_fields=["active"])
    elif case == "inactive_user":
        user.is_active = False
        user.save(update_fields=["is_active"])
    else:
        user = AnonymousUser()
    assert company_for_member(user=user, store_id=store.id) is None

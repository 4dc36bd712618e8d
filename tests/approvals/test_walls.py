"""Walls, as a matrix: a held order (and its approval) of Van der Berg (C-1004) in Ferrum is
found by its own approvers in Ferrum only: not by another company's approvers or admins,
not by a buyer, not in the company's other store (Hydra), nor by an agent acting there."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404

from storefleet.accounts.models import Company, Membership
from storefleet.accounts.principal import Principal
from storefleet.approvals import selectors, services
from storefleet.approvals.models import ApprovalRequest, ApprovalState
from storefleet.errors import ApplicationError
from storefleet.ordering.models import OrderStatus
from storefleet.outbox.models import Message
from storefleet.tenants.selectors import store_record

from .conftest import people, place, principal_of, rule

__all__ = ["people"]


def _principal(shop, hydra, people, who: str) -> Principal:
    if who == "approver_in_hydra":
        Company.objects.get(code="C-1004").stores.add(hydra.store)
        membership = Membership.objects.select_related("company", "user").get(
            user=people["approver"]
        )
        return Principal.for_member(store=store_record(hydra.store), membership=membership)
    if who == "agent_in_hydra_as_approver":
        Company.objects.get(code="C-1004").stores.add(hydra.store)
        membership = Membership.objects.select_related("company", "user").get(
            user=people["approver"]
        )
        agent = get_user_model().objects.create_user("agent@hydra.example", "agent@hydra.example")
        return Principal.for_member(
            store=store_record(hydra.store), membership=membership, agent=agent
        )
    return principal_of(shop, people[who])


@pytest.mark.parametrize(
    ("who", "finds"),
    [
        ("approver", True),
        ("admin", True),
        ("other_approver", False),
        ("other_admin", False),
        ("approver_in_hydra", False),
        ("agent_in_hydra_as_approver", False),
    ],
)
def test_who_finds_a_held_order_and_may_decide_it(shop, hydra, people, who, finds):
    rule("C-1004", "40.00")
    order = place(shop, people["buyer"])
    principal = _principal(shop, hydra, people, who)
    waiting = [w.request.reference for w in selectors.waiting_approvals(principal=principal)]
    assert waiting == ([order.number] if finds else [])
    if finds:
        assert services.approval_or_404(principal=principal, number=order.number).order == order
        return
    for attempt in (
        lambda: services.approval_or_404(principal=principal, number=order.number),
        lambda: services.order_approve(principal=principal, number=order.number),
        lambda: services.order_reject(principal=principal, number=order.number, comment="no"),
    ):
        with pytest.raises(Http404):
            attempt()
    assert selectors.decided_approvals(principal=principal) == []
    order.refresh_from_db()
    assert order.status == OrderStatus.HELD and not Message.objects.exists()
    assert ApprovalRequest.objects.get(order=order).state == ApprovalState.PENDING


@pytest.mark.parametrize("who", ["buyer", "other_approver"])
def test_rules_and_cost_centres_of_a_company_are_its_admins_only(shop, people, who):
    admin = principal_of(shop, people["admin"])
    kept = services.rule_add(principal=admin, threshold=Decimal(5))
    centre = services.cost_centre_add(principal=admin, code="CC-1")
    principal = principal_of(shop, people[who])
    for attempt in (
        lambda: selectors.company_rules(principal=principal),
        lambda: services.rule_remove(principal=principal, rule_id=kept.id),
        lambda: services.cost_centre_remove(principal=principal, centre_id=centre.id),
    ):
        with pytest.raises((Http404, ApplicationError)):
            attempt()
    other = principal_of(shop, people["other_admin"])
    assert list(selectors.company_rules(principal=other)) == []
    with pytest.raises(Http404):
        services.rule_remove(principal=other, rule_id=kept.id)
    assert selectors.company_cost_centres(company=other.company) == []
    assert selectors.company_rules(principal=admin).get() == kept

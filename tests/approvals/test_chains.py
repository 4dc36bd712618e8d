"""Approval chains: a rule names steps approved in order; the order reaches the ERP only
after the last one; each step's approvers are e-mailed in their turn; a rejection at any step
ends it; nobody approves their own order or two steps of one chain."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from storefleet.accounts.models import MemberRole, Membership
from storefleet.approvals import selectors, services
from storefleet.approvals.models import ApprovalRequest, ApprovalState, ApprovalTurn, TurnState
from storefleet.approvals.rules import ChainStep
from storefleet.errors import ApplicationError
from storefleet.ordering.models import OrderStatus
from storefleet.ordering.outbox_kinds import SUBMIT_ORDER
from storefleet.outbox.models import Message

from .conftest import HOST, member, people, place, principal_of

__all__ = ["people"]


@pytest.fixture
def chain_rule(shop, people):
    """Above 40 EUR: any approver, then the director (an admin) by name."""
    people["director"] = member("C-1004", "director@c-1004.example", MemberRole.ADMIN)
    director = Membership.objects.get(user=people["director"])
    services.rule_add(
        principal=principal_of(shop, people["admin"]),
        threshold=Decimal("40"),
        steps=[ChainStep(role=MemberRole.APPROVER), ChainStep(approver_id=director.pk)],
    )
    return people


def test_steps_are_approved_in_order_and_only_the_last_sends_it(
    shop, chain_rule, django_capture_on_commit_callbacks
):
    people = chain_rule
    with django_capture_on_commit_callbacks(execute=True):
        order = place(shop, people["buyer"])
    assert order.status == OrderStatus.HELD
    (first_mail,) = mail.outbox
    assert first_mail.to == ["approver@c-1004.example"]  # only step 1's approvers
    assert "step 1 of 2" in first_mail.body

    director = principal_of(shop, people["director"])
    with pytest.raises(ApplicationError) as early:
        services.order_approve(principal=director, number=order.number)
    assert early.value.code == "not_your_step"
    assert not Message.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        one = services.order_approve(
            principal=principal_of(shop, people["approver"]), number=order.number
        )
    assert one.approved and not one.finished
    order.refresh_from_db()
    assert order.status == OrderStatus.HELD and not Message.objects.exists()
    assert [m.to for m in mail.outbox[1:]] == [["director@c-1004.example"]]
    view = selectors.order_approval(order=order)
    assert view is not None and view.waiting_on is not None
    assert (view.waiting_on.position, view.waiting_on.who) == (2, "director@c-1004.example")
    assert view.approvers == ["director@c-1004.example"]

    # The approver of step 1 can't approve step 2 too: their approval stands, nothing more.
    again = services.order_approve(
        principal=principal_of(shop, people["approver"]), number=order.number
    )
    assert again.already and not again.finished
    assert not Message.objects.exists()

    last = services.order_approve(principal=director, number=order.number, comment="fine")
    assert last.finished
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    assert [(m.kind, m.key) for m in Message.objects.all()] == [(SUBMIT_ORDER, order.number)]
    request = ApprovalRequest.objects.get(order=order)
    assert [(t.position, t.state, t.decided_by) for t in request.turns.all()] == [
        (1, TurnState.APPROVED, people["approver"]),
        (2, TurnState.APPROVED, people["director"]),
    ]


def test_a_rejection_at_a_later_step_ends_the_chain(shop, chain_rule):
    people = chain_rule
    order = place(shop, people["buyer"])
    services.order_approve(principal=principal_of(shop, people["approver"]), number=order.number)
    director = principal_of(shop, people["director"])
    services.order_reject(principal=director, number=order.number, comment="Not this month")
    order.refresh_from_db()
    assert order.status == OrderStatus.REJECTED
    with pytest.raises(ApplicationError) as late:
        services.order_approve(principal=director, number=order.number)
    assert late.value.code == "rejected"
    assert not Message.objects.exists()
    request = ApprovalRequest.objects.get(order=order)
    assert request.state == ApprovalState.REJECTED
    assert [t.state for t in request.turns.all()] == [TurnState.APPROVED, TurnState.REJECTED]


def test_a_step_naming_the_placer_falls_to_another_admin(shop, chain_rule):
    people = chain_rule
    order = place(shop, people["director"])  # the director can't approve their own order
    assert order.status == OrderStatus.HELD
    services.order_approve(principal=principal_of(shop, people["approver"]), number=order.number)
    with pytest.raises(ApplicationError) as own:
        services.order_approve(
            principal=principal_of(shop, people["director"]), number=order.number
        )
    assert own.value.code == "own_order"
    view = selectors.order_approval(order=order)
    assert view is not None and view.approvers == ["admin@c-1004.example"]
    done = services.order_approve(
        principal=principal_of(shop, people["admin"]), number=order.number
    )
    assert done.finished
    assert Message.objects.filter(kind=SUBMIT_ORDER).count() == 1


def test_a_chain_refuses_another_companys_or_a_buyer_or_the_same_user_twice(shop, people):
    admin = principal_of(shop, people["admin"])
    approver = Membership.objects.get(user=people["approver"])
    for steps in [
        [ChainStep(approver_id=Membership.objects.get(user=people["other_approver"]).pk)],
        [ChainStep(approver_id=Membership.objects.get(user=people["buyer"]).pk)],
        [ChainStep(approver_id=approver.pk), ChainStep(approver_id=approver.pk)],
        [ChainStep(role=MemberRole.BUYER)],
        [ChainStep(role=MemberRole.APPROVER)] * 6,
    ]:
        with pytest.raises(ApplicationError) as refused:
            services.rule_add(principal=admin, threshold=Decimal(1), steps=steps)
        assert refused.value.field == "steps"
    assert not selectors.company_rules(principal=admin).exists()


def test_the_pages_say_which_step_it_waits_on_and_offer_only_that_steps_decision(
    client, shop, chain_rule
):
    people = chain_rule
    order = place(shop, people["buyer"])
    path = f"/account/approvals/{order.number}/"

    client.force_login(people["director"])
    page = client.get(path, HTTP_HOST=HOST).content.decode()
    assert 'class="approval-not-yours"' in page and 'name="decision"' not in page
    assert "This waits on step 1, for an approver: it is not yours to decide." in page
    refused = client.post(path, {"decision": "approve"}, HTTP_HOST=HOST)
    assert refused.status_code == 400 and not Message.objects.exists()
    listing = client.get("/account/approvals/", HTTP_HOST=HOST).content.decode()
    assert "step 1 of 2: an approver" in listing and "data-mine" not in listing

    client.force_login(people["approver"])
    assert 'name="decision"' in client.get(path, HTTP_HOST=HOST).content.decode()
    done = client.post(path, {"decision": "approve"}, HTTP_HOST=HOST)
    assert done.status_code == 302 and not Message.objects.exists()

    client.force_login(people["buyer"])
    mine = client.get(f"/orders/{order.number}/", HTTP_HOST=HOST).content.decode()
    assert "Waiting for approval by director@c-1004.example." in mine
    assert '<li data-turn="2" data-state="waiting" aria-current="step">' in mine

    client.force_login(people["director"])
    assert client.post(path, {"decision": "approve"}, HTTP_HOST=HOST).status_code == 302
    assert [m.key for m in Message.objects.all()] == [order.number]


def test_a_step_decided_by_someone_else_meanwhile_is_not_decided_twice(
    shop, chain_rule, monkeypatch
):
    people = chain_rule
    order = place(shop, people["buyer"])
    second_approver = member("C-1004", "approver2@c-1004.example", MemberRole.APPROVER)
    original = services._fresh_check

    def meanwhile(principal, held):  # type: ignore[no-untyped-def]
        verdict = original(principal, held)
        ApprovalTurn.objects.filter(request__order=held, position=1).update(
            state=TurnState.APPROVED, decided_by=second_approver
        )
        return verdict

    monkeypatch.setattr(services, "_fresh_check", meanwhile)
    with pytest.raises(ApplicationError) as taken:
        services.order_approve(
            principal=principal_of(shop, people["approver"]), number=order.number
        )
    assert taken.value.code == "taken"
    request = ApprovalRequest.objects.get(order=order)
    assert [s.kind for s in request.steps.all()] == ["requested"]
    assert request.state == ApprovalState.PENDING and not Message.objects.exists()

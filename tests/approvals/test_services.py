"""Approvals against the reference ERP: an order a rule catches is held out of the ERP until
an approver approves it (then it is sent once), or is rejected and never sent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.db.models import F
from django.http import Http404

from storefleet.accounts.models import MemberRole, Membership
from storefleet.approvals import selectors, services
from storefleet.approvals.models import ApprovalRequest, ApprovalState, StepKind
from storefleet.errors import ApplicationError
from storefleet.ordering.models import Order, OrderLine, OrderStatus
from storefleet.ordering.outbox_kinds import SUBMIT_ORDER
from storefleet.ordering.submission import outbox_process
from storefleet.outbox.models import Message
from tests.erp.conftest import erp_away

from .conftest import people, place, principal_of, rule

__all__ = ["people"]


def test_an_order_under_every_threshold_goes_straight_to_the_erp(shop, people):
    rule("C-1004", "100.00")
    rule("C-1001", "10.00")  # another company's rule catches nothing of C-1004's
    order = place(shop, people["buyer"])
    assert order.status == OrderStatus.RECEIVED and order.total == Decimal("48.44")
    assert [(m.kind, m.key) for m in Message.objects.all()] == [(SUBMIT_ORDER, order.number)]
    assert not ApprovalRequest.objects.exists()


def test_a_caught_order_is_held_then_approved_once_and_reaches_the_erp(
    shop, people, django_capture_on_commit_callbacks
):
    rule("C-1004", "40.00")
    with django_capture_on_commit_callbacks(execute=True):
        order = place(shop, people["buyer"])
    assert order.status == OrderStatus.HELD
    assert not Message.objects.exists() and shop.erp_sales(order.number) == []
    (email,) = mail.outbox
    assert email.subject == f"{shop.store.name}: Order {order.number} waits for your approval"
    assert sorted(email.to) == ["admin@c-1004.example", "approver@c-1004.example"]
    assert f"/account/approvals/{order.number}/" in email.body

    approver = principal_of(shop, people["approver"])
    outcome = services.order_approve(principal=approver, number=order.number, comment="ok")
    assert outcome.approved and not outcome.changes
    again = services.order_approve(principal=approver, number=order.number, comment="twice")
    assert again.already and not again.approved
    (message,) = Message.objects.all()
    assert (message.kind, message.subject, message.key) == (
        SUBMIT_ORDER,
        str(order.id),
        order.number,
    )
    request = ApprovalRequest.objects.get(order=order)
    assert (request.state, request.decided_by, request.comment) == (
        ApprovalState.APPROVED,
        people["approver"],
        "ok",
    )
    assert [(s.kind, s.by, s.comment) for s in request.steps.all()] == [
        (StepKind.REQUESTED, people["buyer"], ""),
        (StepKind.APPROVED, people["approver"], "ok"),
    ]
    confirmed = outbox_process(message_id=message.id)
    assert confirmed is not None and confirmed.status == OrderStatus.CONFIRMED
    assert len(shop.erp_sales(order.number)) == 1


def test_a_rejected_order_never_reaches_the_erp_and_the_buyer_is_told(
    shop, people, django_capture_on_commit_callbacks
):
    rule("C-1004", "40.00")
    order = place(shop, people["buyer"])
    approver = principal_of(shop, people["approver"])
    with pytest.raises(ApplicationError) as empty:
        services.order_reject(principal=approver, number=order.number, comment="  ")
    assert empty.value.field == "comment"
    assert ApprovalRequest.objects.get(order=order).state == ApprovalState.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        services.order_reject(principal=approver, number=order.number, comment="Too many bolts")
    order.refresh_from_db()
    assert order.status == OrderStatus.REJECTED
    (email,) = mail.outbox
    assert email.to == ["buyer@c-1004.example"]
    assert email.subject == f"{shop.store.name}: Order {order.number} was not approved"
    assert "Too many bolts" in email.body
    with pytest.raises(ApplicationError) as late:
        services.order_approve(principal=approver, number=order.number)
    assert late.value.code == "rejected"
    assert not Message.objects.exists() and shop.erp_sales(order.number) == []
    request = ApprovalRequest.objects.get(order=order)
    assert [(s.kind, s.by, s.comment) for s in request.steps.all()] == [
        (StepKind.REQUESTED, people["buyer"], ""),
        (StepKind.REJECTED, people["approver"], "Too many bolts"),
    ]


def test_an_approver_cant_approve_their_own_order_and_a_buyer_cant_approve_at_all(shop, people):
    rule("C-1004", "40.00")
    own = place(shop, people["admin"])
    assert own.status == OrderStatus.HELD
    with pytest.raises(ApplicationError) as refused:
        services.order_approve(principal=principal_of(shop, people["admin"]), number=own.number)
    assert refused.value.code == "own_order"
    assert not Message.objects.exists()
    # The company's approvers but the one who placed it are told.
    assert selectors.approvers_of(company=own.company, except_user_id=own.placed_by_id) == [
        "approver@c-1004.example"
    ]
    with pytest.raises(Http404):
        services.order_approve(principal=principal_of(shop, people["buyer"]), number=own.number)
    assert services.order_approve(
        principal=principal_of(shop, people["approver"]), number=own.number
    ).approved
    assert Message.objects.count() == 1


@pytest.mark.parametrize("who", ["other_approver", "other_admin"])
def test_another_companys_approver_or_admin_finds_nothing(shop, people, who):
    c1004_rule = rule("C-1004", "40.00")
    order = place(shop, people["buyer"])
    other = principal_of(shop, people[who])
    with pytest.raises(Http404):
        services.order_approve(principal=other, number=order.number)
    with pytest.raises(Http404):
        services.order_reject(principal=other, number=order.number, comment="no")
    assert list(selectors.waiting_approvals(principal=other)) == []
    if who == "other_admin":
        with pytest.raises(Http404):
            services.rule_remove(principal=other, rule_id=c1004_rule.id)
        assert list(selectors.company_rules(principal=other)) == []
    order.refresh_from_db()
    assert order.status == OrderStatus.HELD and not Message.objects.exists()
    assert ApprovalRequest.objects.get(order=order).state == ApprovalState.PENDING


def test_prices_that_moved_are_shown_and_applied_only_when_confirmed(shop, people):
    rule("C-1004", "40.00")
    order = place(shop, people["buyer"])
    # The order was placed at prices the ERP no longer gives: one line 1 EUR cheaper.
    OrderLine.objects.filter(order=order, sku="FAS-1003").update(unit_price=F("unit_price") - 1)
    approver = principal_of(shop, people["approver"])
    shown = services.order_approve(principal=approver, number=order.number)
    assert not shown.approved and shown.confirm_token
    ((change),) = shown.changes
    erp_price = change.now
    assert (change.sku, change.was) == ("FAS-1003", erp_price - 1)
    assert not Message.objects.exists()
    assert ApprovalRequest.objects.get(order=order).state == ApprovalState.PENDING

    # A token of other prices (another order's, or forged) confirms nothing.
    forged = services.order_approve(
        principal=approver, number=order.number, confirm_token=shown.confirm_token + "x"
    )
    assert forged.changes == shown.changes and not forged.approved
    assert not Message.objects.exists()

    done = services.order_approve(
        principal=approver, number=order.number, confirm_token=shown.confirm_token
    )
    assert done.approved and Message.objects.count() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED and order.total == Decimal("48.44")
    assert OrderLine.objects.get(order=order, sku="FAS-1003").unit_price == erp_price
    kinds = [s.kind for s in ApprovalRequest.objects.get(order=order).steps.all()]
    assert kinds == [
        StepKind.REQUESTED,
        StepKind.PRICES_SHOWN,
        StepKind.PRICES_SHOWN,
        StepKind.APPROVED,
    ]


def test_a_rule_for_a_role_or_a_buyer_catches_only_theirs(shop, people):
    rule("C-1004", "40.00", role=MemberRole.APPROVER)
    assert place(shop, people["buyer"], token="a").status == OrderStatus.RECEIVED
    rule("C-1004", "40.00", buyer=Membership.objects.get(user=people["buyer"]))
    assert place(shop, people["buyer"], token="b").status == OrderStatus.HELD
    assert Order.objects.filter(status=OrderStatus.HELD).count() == 1


def test_rules_refuse_hostile_values(shop, people):
    admin = principal_of(shop, people["admin"])
    other_member = Membership.objects.get(user=people["other_approver"])
    for threshold, extra, field in [
        (Decimal(-1), {}, "threshold"),
        (Decimal(10) ** 12, {}, "threshold"),
        (Decimal(10), {"role": "owner"}, "role"),
        (Decimal(10), {"buyer_id": other_member.id}, "buyer"),
    ]:
        with pytest.raises(ApplicationError) as refused:
            services.rule_add(principal=admin, threshold=threshold, **extra)
        assert refused.value.field == field
    with pytest.raises(Http404):
        services.rule_add(principal=principal_of(shop, people["approver"]), threshold=Decimal(1))
    assert not selectors.company_rules(principal=admin).exists()
    made = services.rule_add(principal=admin, threshold=Decimal("99.999"))
    assert (made.threshold, made.currency, made.company.code) == (
        Decimal("100.00"),
        "EUR",
        "C-1004",
    )


def test_a_held_order_offers_no_cancel_and_refuses_one(shop, people):
    from storefleet.ordering.actions import order_actions
    from storefleet.ordering.cancel import order_cancel

    rule("C-1004", "40.00")
    order = place(shop, people["buyer"])
    buyer = principal_of(shop, people["buyer"])
    assert not order_actions(principal=buyer, number=order.number).cancel
    with pytest.raises(ApplicationError) as refused:
        order_cancel(principal=buyer, number=order.number)
    assert refused.value.code == "not_cancellable"
    order.refresh_from_db()
    assert order.status == OrderStatus.HELD
    assert ApprovalRequest.objects.get(order=order).state == ApprovalState.PENDING


def test_an_order_the_erp_would_refuse_now_is_not_approved_and_nothing_is_sent(shop, people):
    rule("C-1004", "1.00")
    order = place(shop, people["buyer"], text="BRG-1004 5")
    assert order.status == OrderStatus.HELD
    # Meanwhile more is wanted than the 6 in stock (as if stock had gone since).
    OrderLine.objects.filter(order=order).update(quantity=Decimal(60))
    approver = principal_of(shop, people["approver"])
    with pytest.raises(ApplicationError) as refused:
        services.order_approve(principal=approver, number=order.number)
    assert refused.value.code == "not_orderable"
    assert "reject it" in refused.value.message
    assert ApprovalRequest.objects.get(order=order).state == ApprovalState.PENDING
    assert not Message.objects.exists()


def test_while_the_erp_is_away_an_approval_waits_and_nothing_is_sent(shop, people):
    from django.core.cache import cache

    rule("C-1004", "40.00")
    order = place(shop, people["buyer"])
    approver = principal_of(shop, people["approver"])
    with erp_away():
        with pytest.raises(ApplicationError) as away:
            services.order_approve(principal=approver, number=order.number)
        assert away.value.code == "erp_unavailable"
        assert ApprovalRequest.objects.get(order=order).state == ApprovalState.PENDING
        assert not Message.objects.exists()
    cache.delete_many(["erp:breaker:opened_at", "erp:breaker:failures"])
    assert services.order_approve(principal=approver, number=order.number).approved
    assert Message.objects.count() == 1

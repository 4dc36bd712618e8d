"""Monthly budgets per cost centre: a company admin keeps cost centres and their budgets; a
buyer charges each checkout to one of the company's own centres; an order that takes its
centre's month over budget waits for approval, and checkout shows what is left."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from storefleet.accounts.models import Membership
from storefleet.approvals import selectors, services
from storefleet.approvals.models import ApprovalRequest, CostCentre, MonthlyBudget, RuleKind
from storefleet.approvals.rules import ChainStep
from storefleet.errors import ApplicationError
from storefleet.ordering.cart import quick_order_add
from storefleet.ordering.checkout import CheckoutRequest, order_place
from storefleet.ordering.models import Order, OrderStatus
from storefleet.ordering.quick_order import parse_lines

from .conftest import people, place, principal_of

__all__ = ["people"]


def checkout(shop, user, token: str, centre: str) -> Order:
    principal = principal_of(shop, user)
    quick_order_add(principal=principal, rows=parse_lines("FAS-1003 10\nBRG-1002 4"))
    address = principal.company.addresses.filter(is_ship_to=True, active=True).first()
    return order_place(
        principal=principal,
        request=CheckoutRequest(submit_token=token, ship_to_id=address.id, cost_centre=centre),
    )


@pytest.fixture
def centres(shop, people):
    admin = principal_of(shop, people["admin"])
    tools = services.cost_centre_add(principal=admin, code="CC-TOOLS", name="Tools")
    services.cost_centre_add(principal=admin, code="CC-FREE")
    services.budget_set(
        principal=admin, centre_id=tools.id, month=timezone.localdate(), amount=Decimal("60")
    )
    return tools


def test_orders_within_budget_go_through_and_the_one_over_it_waits(shop, people, centres):
    first = checkout(shop, people["buyer"], "b1", "CC-TOOLS")  # 48.44 of 60
    assert first.status == OrderStatus.RECEIVED and first.cost_centre == "CC-TOOLS"
    (left,) = [
        b
        for b in selectors.budgets_this_month(company=first.company, currency="EUR")
        if b.code == "CC-TOOLS"
    ]
    assert (left.budget, left.spent, left.left) == (
        Decimal("60.00"),
        Decimal("48.44"),
        Decimal("11.56"),
    )
    second = checkout(shop, people["buyer"], "b2", "CC-TOOLS")  # 96.88 > 60
    assert second.status == OrderStatus.HELD
    request = ApprovalRequest.objects.get(order=second)
    assert request.over_budget and request.rule is None
    # A centre with no budget this month has no limit.
    assert checkout(shop, people["buyer"], "b3", "CC-FREE").status == OrderStatus.RECEIVED
    # The held order does not count as spent until approved.
    services.order_approve(principal=principal_of(shop, people["approver"]), number=second.number)
    (left,) = [
        b
        for b in selectors.budgets_this_month(company=first.company, currency="EUR")
        if b.code == "CC-TOOLS"
    ]
    assert left.spent == Decimal("96.88") and left.left == Decimal("-36.88")


def test_a_budget_rule_names_the_chain_and_an_amount_rules_chain_comes_first(shop, people, centres):
    admin = principal_of(shop, people["admin"])
    services.rule_add(principal=admin, threshold=Decimal("90"), steps=[ChainStep(role="approver")])
    services.rule_add(principal=admin, kind=RuleKind.BUDGET, steps=[ChainStep(role="admin")])
    checkout(shop, people["buyer"], "b1", "CC-TOOLS")
    held = checkout(shop, people["buyer"], "b2", "CC-TOOLS")  # over budget only
    assert [t.role for t in ApprovalRequest.objects.get(order=held).turns.all()] == ["admin"]
    principal = principal_of(shop, people["buyer"])
    quick_order_add(principal=principal, rows=parse_lines("FAS-1003 20\nBRG-1002 8"))
    address = principal.company.addresses.filter(is_ship_to=True, active=True).first()
    both = order_place(
        principal=principal,
        request=CheckoutRequest(submit_token="b3", ship_to_id=address.id, cost_centre="CC-TOOLS"),
    )  # 96.88: above 90 and over budget
    assert [t.role for t in ApprovalRequest.objects.get(order=both).turns.all()] == [
        "approver",
        "admin",
    ]


def test_checkout_refuses_a_missing_or_foreign_cost_centre_and_places_nothing(
    shop, people, centres
):
    other = CostCentre.objects.create(
        company=Membership.objects.get(user=people["other_admin"]).company, code="CC-NW"
    )
    for centre, message in [
        ("", "Choose the cost centre this order is charged to."),
        ("CC-NW", "Choose one of your company's cost centres."),
        ("cc-tools", "Choose one of your company's cost centres."),
    ]:
        with pytest.raises(ApplicationError) as refused:
            checkout(shop, people["buyer"], f"x{centre}", centre)
        assert (refused.value.field, refused.value.message) == ("cost_centre", message)
    assert not Order.objects.exists() and other.code == "CC-NW"


def test_only_a_company_admin_keeps_cost_centres_and_only_their_own(shop, people, centres):
    other_admin = principal_of(shop, people["other_admin"])
    with pytest.raises(ApplicationError):
        services.budget_set(
            principal=other_admin,
            centre_id=centres.id,
            month=timezone.localdate(),
            amount=Decimal(1),
        )
    with pytest.raises(Http404):
        services.cost_centre_remove(principal=other_admin, centre_id=centres.id)
    with pytest.raises(Http404):
        services.cost_centre_add(principal=principal_of(shop, people["approver"]), code="CC-X")
    admin = principal_of(shop, people["admin"])
    for code in ["", "a b", "x" * 33, "CC-TOOLS", "<script>"]:
        with pytest.raises(ApplicationError) as refused:
            services.cost_centre_add(principal=admin, code=code)
        assert refused.value.field == "code"
    with pytest.raises(ApplicationError) as negative:
        services.budget_set(
            principal=admin, centre_id=centres.id, month=timezone.localdate(), amount=Decimal(-1)
        )
    assert negative.value.field == "amount"
    assert MonthlyBudget.objects.get(cost_centre=centres).amount == Decimal("60.00")
    assert CostCentre.objects.filter(company=centres.company).count() == 2


def test_a_company_without_cost_centres_checks_out_as_before(shop, people):
    assert place(shop, people["buyer"]).cost_centre == ""

"""The pages of chains and budgets: the admin sets a chain, a cost centre and its budget on
the rules page; checkout asks for the cost centre and shows what is left; the approver of a
later step is told it is not their turn; the cart is free while an order waits."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils import timezone

from storefleet.accounts.models import Membership
from storefleet.approvals.models import ApprovalRule, CostCentre, MonthlyBudget, RuleKind
from storefleet.ordering.models import CartLine, Order, OrderLine, OrderStatus

from .conftest import HOST, people

__all__ = ["people"]


def left_shown(page) -> str:
    """What checkout says is left of the cost centre's budget."""
    found = re.search(r'<li data-centre="CC-7">(.*?)</li>', page.content.decode())
    return found.group(1).replace("\xa0", " ") if found else ""


def get(client, user, path):
    client.force_login(user)
    return client.get(path, HTTP_HOST=HOST)


def post(client, user, path, data):
    client.force_login(user)
    return client.post(path, data, HTTP_HOST=HOST)


def test_the_admin_sets_a_chain_a_cost_centre_and_its_budget(client, shop, people):
    admin = people["admin"]
    approver = Membership.objects.get(user=people["approver"])
    other = Membership.objects.get(user=people["other_approver"])
    foreign = post(
        client,
        admin,
        "/account/approvals/rules/",
        {"threshold": "10", "step_1": f"member:{other.pk}"},
    )
    assert foreign.status_code == 400 and not ApprovalRule.objects.exists()
    done = post(
        client,
        admin,
        "/account/approvals/rules/",
        {"threshold": "10", "step_1": "role:admin", "step_2": f"member:{approver.pk}"},
    )
    assert done.status_code == 302
    rule = ApprovalRule.objects.get()
    assert [(s.role, s.approver_id) for s in rule.steps.all()] == [
        ("admin", None),
        ("", approver.pk),
    ]
    budget_rule = post(
        client, admin, "/account/approvals/rules/", {"kind": "budget", "step_1": "role:approver"}
    )
    assert budget_rule.status_code == 302
    assert ApprovalRule.objects.filter(kind=RuleKind.BUDGET).count() == 1

    assert (
        post(client, admin, "/account/approvals/rules/cost-centres/", {"code": "a b"}).status_code
        == 400
    )
    assert (
        post(
            client,
            admin,
            "/account/approvals/rules/cost-centres/",
            {"code": "CC-7", "name": "Plant 7"},
        ).status_code
        == 302
    )
    centre = CostCentre.objects.get()
    month = timezone.localdate().strftime("%Y-%m")
    assert (
        post(
            client,
            admin,
            "/account/approvals/rules/budgets/",
            {"cost_centre": centre.id, "month": "2027-13", "amount": "5"},
        ).status_code
        == 400
    )
    assert (
        post(
            client,
            admin,
            "/account/approvals/rules/budgets/",
            {"cost_centre": centre.id, "month": month, "amount": "100"},
        ).status_code
        == 302
    )
    assert MonthlyBudget.objects.get().amount == Decimal("100.00")
    page = get(client, admin, "/account/approvals/rules/").content.decode()
    assert 'data-centre="CC-7"' in page and "approver@c-1004.example" in page
    # Another company's admin can't touch it.
    other_admin = people["other_admin"]
    assert (
        post(
            client,
            other_admin,
            "/account/approvals/rules/budgets/",
            {"cost_centre": centre.id, "month": month, "amount": "1"},
        ).status_code
        == 400
    )
    assert (
        post(
            client, other_admin, f"/account/approvals/rules/cost-centres/{centre.id}/remove/", {}
        ).status_code
        == 404
    )
    assert MonthlyBudget.objects.get().amount == Decimal("100.00")


def test_checkout_asks_for_the_cost_centre_shows_what_is_left_and_the_cart_is_free(
    client, shop, people
):
    company = Membership.objects.get(user=people["buyer"]).company
    centre = CostCentre.objects.create(company=company, code="CC-7", name="Plant 7")
    MonthlyBudget.objects.create(
        cost_centre=centre, month=timezone.localdate().replace(day=1), currency="EUR", amount=50
    )
    buyer = people["buyer"]
    post(client, buyer, "/cart/add/", {"sku": "FAS-1003", "quantity": "10"})
    post(client, buyer, "/cart/add/", {"sku": "BRG-1002", "quantity": "4"})
    page = get(client, buyer, "/checkout/")
    assert left_shown(page) == "CC-7: €50.00 left this month"
    form = page.context["form"]
    data = {
        "submit_token": form.initial["submit_token"],
        "ship_to": form.fields["ship_to"].queryset.get().id,
    }
    missing = post(client, buyer, "/checkout/", data)
    assert "Choose the cost centre this order is charged to." in missing.content.decode()
    assert not Order.objects.exists()
    placed = post(client, buyer, "/checkout/", {**data, "cost_centre": "CC-7"})
    assert placed.status_code == 302
    order = Order.objects.get()
    assert (order.cost_centre, order.status) == ("CC-7", OrderStatus.RECEIVED)  # 48.44 of 50
    # Over budget now: the next order waits, and the buyer's cart is free meanwhile.
    post(client, buyer, "/cart/add/", {"sku": "FAS-1003", "quantity": "10"})
    page = get(client, buyer, "/checkout/")
    assert left_shown(page) == "CC-7: €1.56 left this month"
    form = page.context["form"]
    post(
        client,
        buyer,
        "/checkout/",
        {
            "submit_token": form.initial["submit_token"],
            "ship_to": form.fields["ship_to"].queryset.get().id,
            "cost_centre": "CC-7",
        },
    )
    held = Order.objects.get(status=OrderStatus.HELD)
    assert not CartLine.objects.exists()
    assert (
        post(client, buyer, "/cart/add/", {"sku": "BRG-1002", "quantity": "1"}).status_code == 302
    )
    assert CartLine.objects.count() == 1
    assert list(OrderLine.objects.filter(order=held).values_list("sku", "quantity")) == [
        ("FAS-1003", Decimal(10))
    ]

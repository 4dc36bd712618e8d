"""An order placed by API is charged to a cost centre as the store's checkout charges it: one
of the company's own (required where it keeps them; another code, another company's, or one
sent by a company that keeps none is the problem ``invalid-cost-centre``, nothing placed), and
the centre's monthly budget applies: an order over what is left waits for approval."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from storefleet.accounts.models import Company
from storefleet.approvals.budgets import month_of
from storefleet.approvals.models import ApprovalRequest, CostCentre, MonthlyBudget
from storefleet.ordering.models import OrderStatus
from storefleet.ordering.outbox_kinds import SUBMIT_ORDER
from storefleet.outbox.models import Message

from .conftest import FERRUM
from .test_place import BODY, WRITE, assert_nothing_written, assert_problem, place, placed_orders

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world_erp_server(fresh_erp_server):  # type: ignore[no-untyped-def]
    """Orders change stock and credit: the module's own ERP (the world is the conftest's)."""
    return fresh_erp_server


def centre(code: str, centre_code: str, budget: str | None = None) -> CostCentre:
    made = CostCentre.objects.create(company=Company.objects.get(code=code), code=centre_code)
    if budget is not None:
        MonthlyBudget.objects.create(
            cost_centre=made,
            month=month_of(timezone.localdate()),
            currency="EUR",
            amount=Decimal(budget),
        )
    return made


@pytest.mark.parametrize(
    ("sent", "detail"),
    [
        (None, "Your company charges every order to a cost centre: send one of CC-7, CC-9"),
        ("CC-404", "'CC-404' is not one of your company's cost centres: send one of CC-7, CC-9"),
        ("CC-1", "'CC-1' is not one of your company's cost centres"),  # Nordwerk's
        (" ", "Your company charges every order to a cost centre"),
    ],
    ids=["missing", "unknown", "another_companys", "blank"],
)
def test_a_cost_centre_not_the_companys_own_is_a_problem_and_nothing_is_placed(
    client, world, sent, detail
):
    centre("C-1004", "CC-7")
    centre("C-1004", "CC-9")
    centre("C-1001", "CC-1")
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    body = BODY if sent is None else {**BODY, "cost_centre": sent}
    problem = assert_problem(place(client, key, body), 422, "invalid-cost-centre")
    assert problem["detail"].startswith(detail)
    assert problem["cost_centres"] == ["CC-7", "CC-9"]
    assert problem["errors"][0]["loc"] == ["body", "cost_centre"]
    assert_nothing_written()


def test_a_company_without_cost_centres_is_told_to_leave_it_out(client, world):
    centre("C-1001", "CC-1")
    key = world.key("C-1004", FERRUM, scopes=WRITE)
    problem = assert_problem(
        place(client, key, {**BODY, "cost_centre": "CC-1"}), 422, "invalid-cost-centre"
    )
    assert problem["detail"].startswith("Your company keeps no cost centres: leave cost_centre")
    assert problem["cost_centres"] == []
    assert_nothing_written()
    # Left out, the order is placed as before.
    assert place(client, key, BODY, idem="key-2").status_code == 201


def test_the_centres_budget_applies_as_at_checkout(client, world):
    """48.44 EUR charged to a centre with 1000 left goes to the ERP; to one with 40 left it
    waits for approval, and the ERP hears nothing of it."""
    centre("C-1004", "CC-7", budget="40.00")
    centre("C-1004", "CC-9", budget="1000.00")
    key = world.key("C-1004", FERRUM, scopes=WRITE)

    within = place(client, key, {**BODY, "cost_centre": "CC-9"}, idem="within")
    assert within.status_code == 201, within.content[:800]
    assert within.json()["status"] == "received"

    over = place(client, key, {**BODY, "cost_centre": "CC-7"}, idem="over")
    assert over.status_code == 201, over.content[:800]
    assert over.json()["status"] == "held"

    orders = {order.cost_centre: order for order in placed_orders()}
    assert (orders["CC-9"].status, orders["CC-7"].status) == (
        OrderStatus.RECEIVED,
        OrderStatus.HELD,
    )
    assert [m.subject for m in Message.objects.filter(kind=SUBMIT_ORDER)] == [
        str(orders["CC-9"].id)
    ]
    (held,) = ApprovalRequest.objects.all()
    assert held.order_id == orders["CC-7"].id

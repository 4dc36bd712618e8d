"""The approvals' pages: the admin's rules (hostile input refused), the approver's waiting
orders and decision, and the buyer's order page and list saying where the order stands.
Another company's people get 404."""

from __future__ import annotations

import pytest

from storefleet.accounts.models import Membership
from storefleet.approvals.models import ApprovalRequest, ApprovalRule, ApprovalState
from storefleet.ordering.models import OrderStatus
from storefleet.outbox.models import Message

from .conftest import HOST, people, place, rule

__all__ = ["people"]


def as_(client, user):
    client.force_login(user)
    return client


def get(client, path):
    return client.get(path, HTTP_HOST=HOST)


def post(client, path, data):
    return client.post(path, data, HTTP_HOST=HOST)


def test_the_admin_sets_a_rule_and_others_cant(client, shop, people):
    c = as_(client, people["admin"])
    assert get(c, "/account/approvals/rules/").status_code == 200
    response = post(c, "/account/approvals/rules/", {"threshold": "250.50", "role": "buyer"})
    assert response.status_code == 302
    (made,) = ApprovalRule.objects.all()
    assert (str(made.threshold), made.currency, made.role, made.company.code) == (
        "250.50",
        "EUR",
        "buyer",
        "C-1004",
    )
    for user in ("buyer", "approver", "other_admin"):
        other = as_(client, people[user])
        assert post(other, f"/account/approvals/rules/{made.id}/remove/", {}).status_code == 404
        if user == "other_admin":  # their own company's rules: none
            page = get(other, "/account/approvals/rules/")
            assert page.status_code == 200 and f'data-rule="{made.id}"' not in page.content.decode()
        else:
            assert get(other, "/account/approvals/rules/").status_code == 404
    assert ApprovalRule.objects.count() == 1
    c = as_(client, people["admin"])
    assert post(c, f"/account/approvals/rules/{made.id}/remove/", {}).status_code == 302
    assert not ApprovalRule.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"threshold": "-5"},
        {"threshold": "abc"},
        {"threshold": "1e30"},
        {"threshold": "99999999999999999999"},
        {"threshold": "NaN"},
        {"threshold": ""},
        {"threshold": "10", "role": "owner"},
        {"threshold": "10", "buyer": "999999"},
        {"threshold": "10", "buyer": "x"},
        {"threshold": "10", "buyer": "OTHER"},
    ],
)
def test_hostile_rule_forms_are_refused_and_nothing_is_saved(client, shop, people, data):
    if data.get("buyer") == "OTHER":
        data = {**data, "buyer": Membership.objects.get(user=people["other_approver"]).id}
    c = as_(client, people["admin"])
    response = post(c, "/account/approvals/rules/", data)
    assert response.status_code == 400
    assert b"field-error" in response.content
    assert not ApprovalRule.objects.exists()


def test_the_buyer_sees_who_it_waits_for_and_the_approver_approves_it(client, shop, people):
    rule("C-1004", "40.00")
    order = place(shop, people["buyer"])
    c = as_(client, people["buyer"])
    page = get(c, f"/orders/{order.number}/").content.decode()
    assert "Waiting for approval by admin@c-1004.example, approver@c-1004.example" in page
    listing = get(c, "/orders/").content.decode()
    assert f'data-order="{order.number}" data-status="held"' in listing
    assert "Waiting for approval" in listing
    # A buyer is no approver.
    assert get(c, "/account/approvals/").status_code == 404
    assert get(c, f"/account/approvals/{order.number}/").status_code == 404

    a = as_(client, people["approver"])
    assert order.number in get(a, "/account/approvals/").content.decode()
    assert get(a, f"/account/approvals/{order.number}/").status_code == 200
    bad = post(a, f"/account/approvals/{order.number}/", {"decision": "ship-it"})
    assert bad.status_code == 400 and not Message.objects.exists()
    done = post(a, f"/account/approvals/{order.number}/", {"decision": "approve"})
    assert done.status_code == 302
    again = post(a, f"/account/approvals/{order.number}/", {"decision": "approve"})
    assert again.status_code == 302
    assert Message.objects.filter(key=order.number).count() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED


@pytest.mark.parametrize("who", ["other_approver", "other_admin"])
def test_another_companys_approver_gets_404(client, shop, people, who):
    rule("C-1004", "40.00")
    order = place(shop, people["buyer"])
    c = as_(client, people[who])
    assert get(c, f"/account/approvals/{order.number}/").status_code == 404
    for decision in ("approve", "reject"):
        response = post(
            c, f"/account/approvals/{order.number}/", {"decision": decision, "comment": "x"}
        )
        assert response.status_code == 404
    assert order.number not in get(c, "/account/approvals/").content.decode()
    assert ApprovalRequest.objects.get(order=order).state == ApprovalState.PENDING
    assert not Message.objects.exists()


def test_the_approver_rejects_with_a_comment_and_the_buyer_reads_it(client, shop, people):
    rule("C-1004", "40.00")
    order = place(shop, people["buyer"])
    a = as_(client, people["approver"])
    response = post(a, f"/account/approvals/{order.number}/", {"decision": "reject"})
    assert response.status_code == 400  # no comment: say why
    assert ApprovalRequest.objects.get(order=order).state == ApprovalState.PENDING
    response = post(
        a, f"/account/approvals/{order.number}/", {"decision": "reject", "comment": "Budget"}
    )
    assert response.status_code == 302
    c = as_(client, people["buyer"])
    page = get(c, f"/orders/{order.number}/").content.decode()
    assert "Not approved by approver@c-1004.example" in page and "Budget" in page
    assert not Message.objects.exists()


def test_the_own_order_page_offers_no_decision(client, shop, people):
    rule("C-1004", "40.00")
    order = place(shop, people["admin"])
    c = as_(client, people["admin"])
    page = get(c, f"/account/approvals/{order.number}/").content.decode()
    assert "another approver of your company decides" in page and 'value="approve"' not in page
    response = post(c, f"/account/approvals/{order.number}/", {"decision": "approve"})
    assert response.status_code == 400 and not Message.objects.exists()


def test_the_company_page_links_the_rules_for_admins_and_the_waiting_orders_for_approvers(
    client, shop, people
):
    company_id = Membership.objects.get(user=people["buyer"]).company_id
    seen = {}
    for who in ("admin", "approver", "buyer"):
        page = get(as_(client, people[who]), f"/account/companies/{company_id}/").content.decode()
        seen[who] = ("data-nav-approval-rules" in page, "data-nav-approvals" in page)
    assert seen == {
        "admin": (True, True),
        "approver": (False, True),
        "buyer": (False, False),
    }


def test_moved_prices_are_shown_and_a_second_approval_accepts_them(client, shop, people):
    import re

    from django.db.models import F

    from storefleet.ordering.models import OrderLine

    rule("C-1004", "40.00")
    order = place(shop, people["buyer"])
    OrderLine.objects.filter(order=order, sku="BRG-1002").update(unit_price=F("unit_price") + 2)
    a = as_(client, people["approver"])
    shown = post(a, f"/account/approvals/{order.number}/", {"decision": "approve"})
    page = shown.content.decode()
    assert shown.status_code == 200 and 'data-sku="BRG-1002"' in page
    assert 'data-sku="FAS-1003"' not in page and not Message.objects.exists()
    (token,) = re.findall(r'name="confirm_token" value="([^"]+)"', page)
    done = post(
        a, f"/account/approvals/{order.number}/", {"decision": "approve", "confirm_token": token}
    )
    assert done.status_code == 302 and Message.objects.filter(key=order.number).count() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED


def test_an_empty_rule_post_is_refused(client, shop, people):
    response = post(as_(client, people["admin"]), "/account/approvals/rules/", {})
    assert response.status_code == 400 and not ApprovalRule.objects.exists()

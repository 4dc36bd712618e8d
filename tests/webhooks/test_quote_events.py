"""``quote.answered`` on the quotes' own ERP: each answer the buyer comes to see — the ERP's
first prices (version 1), an agent's answer once the ERP holds it, a salesperson's edit of the
quotation found in the ERP — is delivered, signed, to the company's subscriptions, through
the same emit and outbox as the order events; an answer still on its way to the ERP, or read
again unchanged, sends nothing, and another company's subscription hears nothing."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from storefleet.accounts.models import Company
from storefleet.outbox.models import Message
from storefleet.outbox.processing import message_process
from storefleet.quotes import negotiation
from storefleet.quotes.kinds import ANSWER_QUOTE, REQUEST_QUOTE
from storefleet.quotes.models import QuoteVersion
from storefleet.webhooks import services
from storefleet.webhooks.models import Delivery, Subscription
from tests.ordering.conftest import build_shop
from tests.quotes.conftest import timedelta_value
from tests.quotes.test_negotiation import salesperson_edits
from tests.quotes.test_services import ask, carry

from .conftest import run_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(settings, fresh_erp_server, ferrum):
    """The quotes' Ferrum shop on this module's own ERP, quotations valid 30 days."""
    made = build_shop(settings, fresh_erp_server, ferrum)
    made.gateway.backend.client.model(
        "sale.configuration", "write", [1], {"sale_quotation_validity": timedelta_value(30)}
    )
    return made


def subscribed(shop, receiver, code: str) -> Subscription:
    made, secret = services.subscription_create(
        url=receiver.url,
        events=["quote.answered", "order.placed"],
        company=Company.objects.get(code=code),
        store_id=shop.store.id,
    )
    receiver.secrets.append(secret)
    return made


@pytest.fixture
def watching(shop, receiver) -> Subscription:
    """C-1004's subscription, and C-1001's in the same store, made before any quote."""
    subscribed(shop, receiver, "C-1001")
    return subscribed(shop, receiver, "C-1004")


@pytest.fixture
def quoted(shop, watching, django_capture_on_commit_callbacks):
    """C-1004's request (FAS-1003 × 10, BRG-1003 × 2), quoted by the ERP: version 1."""
    with django_capture_on_commit_callbacks(execute=True):
        quote = ask(shop)
        carry(REQUEST_QUOTE, quote)
    quote.refresh_from_db()
    return quote


def delivered(receiver) -> list[dict]:
    run_due()
    return [r.json for r in receiver.received if r.event == "quote.answered" and r.valid]


def test_the_erps_first_prices_and_an_agents_answer_are_delivered_once_the_erp_holds_them(
    shop, receiver, watching, quoted, django_capture_on_commit_callbacks
):
    (v1,) = QuoteVersion.objects.filter(quote=quoted)
    [first] = delivered(receiver)
    assert (first["event"], first["company"], first["subject"]) == (
        "quote.answered",
        "C-1004",
        f"quote:{quoted.key}",
    )
    assert (first["data"]["id"], first["data"]["number"]) == (quoted.id, quoted.erp_number)
    assert (first["data"]["version"], first["data"]["answered_by"]) == (1, "erp")
    assert [(line["sku"], Decimal(line["quantity"])) for line in first["data"]["lines"]] == [
        ("FAS-1003", Decimal(10)),
        ("BRG-1003", Decimal(2)),
    ]
    assert Delivery.objects.filter(subscription=watching).count() == 1
    # Only the company that asked: C-1001's subscription in the same store got nothing.
    assert Delivery.objects.exclude(subscription=watching).count() == 0

    agent = get_user_model().objects.create_user("sam.agent", "sam@storefleet.example", "x")
    until = timezone.localdate() + datetime.timedelta(days=10)
    lines = {line.sku: line for line in v1.lines.all()}
    answer = negotiation.QuoteAnswerInput(
        base_version=1,
        lines=(
            negotiation.LineAnswer(lines["FAS-1003"].erp_line_id, Decimal(12), Decimal("0.42")),
            negotiation.LineAnswer(
                lines["BRG-1003"].erp_line_id, Decimal(2), lines["BRG-1003"].unit_price
            ),
        ),
        valid_until=until,
        message="Best we can do for 12",
    )
    with django_capture_on_commit_callbacks(execute=True):
        v2 = negotiation.quote_answer(agent=agent, quote=quoted, answer=answer)
    # On its way to the ERP: the buyer does not see it, and no partner hears of it.
    assert delivered(receiver) == [first]
    with django_capture_on_commit_callbacks(execute=True):
        message_process(message_id=Message.objects.get(kind=ANSWER_QUOTE, subject=str(v2.id)).id)
    [_, second] = delivered(receiver)
    data = second["data"]
    assert (data["version"], data["answered_by"], data["message"]) == (
        2,
        "agent",
        "Best we can do for 12",
    )
    assert data["valid_until"] == until.isoformat() and data["state"] == "quoted"
    assert (data["lines"][0]["sku"], Decimal(data["lines"][0]["unit_price"])) == (
        "FAS-1003",
        Decimal("0.42"),
    )
    assert Decimal(data["total_before_tax"]) == (
        Decimal(12) * Decimal("0.42") + 2 * lines["BRG-1003"].unit_price
    ).quantize(Decimal("0.01"))
    assert (
        second["company"] == "C-1004"
        and second["data"]["answered_by_name"] == "sam@storefleet.example"
    )
    assert Delivery.objects.exclude(subscription=watching).count() == 0


def test_a_salespersons_edit_in_the_erp_is_delivered_once(
    shop, receiver, watching, quoted, django_capture_on_commit_callbacks
):
    salesperson_edits(shop, quoted.erp_number, "BRG-1003", Decimal("77.5"))
    for _look in range(2):  # read again, unchanged: no second version, nothing sent
        with django_capture_on_commit_callbacks(execute=True):
            negotiation.quote_open(principal=shop.principal("C-1004"), quote_id=quoted.id)
    answers = delivered(receiver)
    assert [(a["data"]["version"], a["data"]["answered_by"]) for a in answers] == [
        (1, "erp"),
        (2, "erp"),
    ]
    brg = next(line for line in answers[1]["data"]["lines"] if line["sku"] == "BRG-1003")
    assert Decimal(brg["unit_price"]) == Decimal("77.5")
    assert (
        json.loads(Delivery.objects.filter(subscription=watching).first().body)["data"]["version"]
        == 2
    )

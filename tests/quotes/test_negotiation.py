"""The negotiation of a quote through the real reference ERP: an agent's answer in the console
is written into the ERP quotation through the outbox (once, and only then shown to the buyer
with what changed), a salesperson's edit in the ERP becomes a version too, the buyer asks for
a revision or declines, every step is on the quote's timeline and e-mailed to the other side;
and the walls between stores and companies, and hostile input on the forms."""

from __future__ import annotations

import dataclasses
import datetime
import secrets
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from storefleet.accounts.principal import Principal
from storefleet.erp.errors import ErpNotFound, ErpRejected
from storefleet.erp.types import QuotationAnswer, QuotationLineAnswer
from storefleet.errors import ApplicationError
from storefleet.outbox.models import Message, State
from storefleet.outbox.processing import message_process
from storefleet.quotes import negotiation, selectors, services
from storefleet.quotes.kinds import ACCEPT_QUOTE, ANSWER_QUOTE, REQUEST_QUOTE
from storefleet.quotes.models import (
    AnswerSource,
    ErpWrite,
    EventKind,
    QuoteEvent,
    QuoteRequest,
    QuoteState,
    QuoteVersion,
)
from storefleet.quotes.selectors import QuoteStatus
from storefleet.service.services import service_agent_add
from storefleet.tenants.models import Store
from tests.factories import build_brand

from .conftest import HOST, erp_entered_quotation
from .test_services import ask, carry, erp_sale

pytestmark = pytest.mark.django_db

ADMIN = "localhost"
AGENT_EMAIL = "sam.agent@storefleet.example"
BUYER_EMAIL = "buyer@c-1004.example"


@pytest.fixture
def agent(shop):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user(
        "sam.agent", AGENT_EMAIL, "x", first_name="Sam", last_name="Agent"
    )
    service_agent_add(store=Store.objects.get(pk=shop.store.id), user=user)
    return user


@pytest.fixture
def quoted(shop, validity, django_capture_on_commit_callbacks) -> QuoteRequest:
    """C-1004's request (FAS-1003 × 10, BRG-1003 × 2), quoted by the ERP: version 1."""
    with django_capture_on_commit_callbacks(execute=True):
        quote = ask(shop)
        carry(REQUEST_QUOTE, quote)
    quote.refresh_from_db()
    mail.outbox.clear()
    return quote


def erp_quotation_row(shop, number: str) -> dict:
    (row,) = shop.server.client().search_read(
        "sale.sale",
        [["number", "=", number]],
        ["state", "quotation_expire", "write_date", "lines"],
    )
    return row


def erp_line_values(shop, number: str) -> list[tuple[str, Decimal, Decimal]]:
    rows = shop.server.client().search_read(
        "sale.line",
        [["sale.number", "=", number]],
        ["product.code", "quantity", "unit_price"],
        order=[["id", "ASC"]],
    )
    return [(r["product."]["code"], Decimal(str(r["quantity"])), r["unit_price"]) for r in rows]


def answer_form(version: QuoteVersion, **overrides) -> dict:
    """The console's answer form as it comes, every line as it stands."""
    data = {
        "base_version": str(version.number),
        "valid_until": version.valid_until.isoformat() if version.valid_until else "",
        "message": "",
    }
    for line in version.lines.all():
        data[f"quantity_{line.erp_line_id}"] = f"{line.quantity.normalize():f}"
        data[f"price_{line.erp_line_id}"] = f"{line.unit_price.normalize():f}"
    data.update(overrides)
    return data


def line_id(version: QuoteVersion, sku: str) -> int:
    return version.lines.get(sku=sku).erp_line_id


def events(quote: QuoteRequest) -> list[str]:
    return list(QuoteEvent.objects.filter(quote=quote).values_list("kind", flat=True))


def salesperson_edits(shop, number: str, sku: str, price: Decimal) -> None:
    """What a salesperson does in Tryton: back to draft, a new unit price, quoted again."""
    client = shop.server.client()
    row = erp_quotation_row(shop, number)
    (line,) = client.search_read(
        "sale.line", [["sale", "=", row["id"]], ["product.code", "=", sku]], ["id"]
    )
    client.model("sale.sale", "draft", [row["id"]])
    client.model("sale.line", "write", [line["id"]], {"unit_price": price})
    client.model("sale.sale", "quote", [row["id"]])


# ------------------------------------------------------------------ an agent's answer
def test_an_agents_answer_reaches_the_erp_then_the_buyer_sees_v2_with_what_changed(
    client, shop, agent, quoted, django_capture_on_commit_callbacks
):
    (v1,) = QuoteVersion.objects.filter(quote=quoted)
    assert (v1.number, v1.source, v1.erp_write) == (1, AnswerSource.ERP, ErpWrite.DONE)
    assert events(quoted) == [EventKind.REQUESTED, EventKind.QUOTED]
    old = {sku: price for sku, _q, price in erp_line_values(shop, quoted.erp_number)}
    until = timezone.localdate() + datetime.timedelta(days=10)

    client.force_login(agent)
    listing = client.get(reverse("service_quotes"), HTTP_HOST=ADMIN).content.decode()
    assert f'data-quote="{quoted.id}" data-state="quoted"' in listing
    page = client.get(reverse("service_quote", args=[quoted.id]), HTTP_HOST=ADMIN)
    assert page.status_code == 200
    assert f'name="price_{line_id(v1, "FAS-1003")}"' in page.content.decode()
    form = answer_form(
        v1,
        valid_until=until.isoformat(),
        message="Best we can do for 12",
        **{
            f"price_{line_id(v1, 'FAS-1003')}": "0,42",
            f"quantity_{line_id(v1, 'FAS-1003')}": "12",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("service_quote", args=[quoted.id]), form, HTTP_HOST=ADMIN)
    assert response.status_code == 302
    v2 = QuoteVersion.objects.get(quote=quoted, number=2)
    assert (v2.source, v2.erp_write, v2.answered_by_id) == (
        AnswerSource.AGENT,
        ErpWrite.PENDING,
        agent.id,
    )
    assert mail.outbox == []  # the buyer hears of it once the ERP holds it

    # On its way: the buyer still sees version 1 only and can't accept the old prices.
    membership = shop.membership("C-1004")
    view = negotiation.quote_open(
        principal=Principal.for_member(store=shop.store, membership=membership), quote_id=quoted.id
    )
    assert [v.version.number for v in view.versions] == [1]
    assert view.status == QuoteStatus.UPDATING and not view.can_accept
    with pytest.raises(ApplicationError) as refused:
        services.quote_accept(
            principal=Principal.for_member(store=shop.store, membership=membership),
            quote_id=quoted.id,
        )
    assert refused.value.code == "updating"
    assert not Message.objects.filter(kind=ACCEPT_QUOTE).exists()

    with django_capture_on_commit_callbacks(execute=True):
        outcome = message_process(
            message_id=Message.objects.get(kind=ANSWER_QUOTE, subject=str(v2.id)).id
        )
    assert outcome.state == State.DONE
    assert erp_line_values(shop, quoted.erp_number) == [
        ("FAS-1003", Decimal(12), Decimal("0.42")),
        ("BRG-1003", Decimal(2), old["BRG-1003"]),
    ]
    row = erp_quotation_row(shop, quoted.erp_number)
    assert (row["state"], row["quotation_expire"]) == ("quotation", until)
    v2.refresh_from_db()
    assert v2.erp_write == ErpWrite.DONE
    assert events(quoted) == [EventKind.REQUESTED, EventKind.QUOTED, EventKind.ANSWERED]

    (to_buyer,) = mail.outbox
    assert to_buyer.to == [BUYER_EMAIL]
    assert f"New version of your quote {quoted.erp_number}" in to_buyer.subject
    assert "Best we can do for 12" in to_buyer.body
    assert "10 → 12" in to_buyer.body and f"/quotes/{quoted.id}/" in to_buyer.body

    buyer = client
    buyer.force_login(shop.buyers["C-1004"])
    page = buyer.get(f"/quotes/{quoted.id}/", HTTP_HOST=HOST).content.decode()
    assert 'data-status="quoted"' in page and 'data-version="2"' in page
    assert '<del>10</del> → <ins data-change="quantity">12</ins>' in page
    assert 'data-change="price"' in page and 'data-change="valid_until"' in page
    assert "Best we can do for 12" in page and 'data-event="answered"' in page
    # Opening it again finds the ERP as the answer left it: no version from the ERP.
    assert QuoteVersion.objects.filter(quote=quoted).count() == 2

    # The same answer again (a retry after a lost reply) writes nothing in the ERP.
    again = shop.gateway.answer_quotation(
        answer=QuotationAnswer(
            customer="C-1004",
            number=quoted.erp_number,
            lines=tuple(
                QuotationLineAnswer(ln.erp_line_id, ln.sku, ln.quantity, ln.unit_price)
                for ln in v2.lines.all()
            ),
            expires=until,
        )
    )
    assert again.expires == until
    assert erp_quotation_row(shop, quoted.erp_number)["write_date"] == row["write_date"]

    # Accepting now orders exactly the agreed prices; the team, then the buyer, are told.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        accepted = services.quote_accept(
            principal=Principal.for_member(store=shop.store, membership=membership),
            quote_id=quoted.id,
        )
        carry(ACCEPT_QUOTE, quoted)
    assert accepted.state == QuoteState.ACCEPTING
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            [AGENT_EMAIL],
            f"[{shop.store.name}] Van der Berg Industrie B.V. (C-1004) accepted quote "
            f"{quoted.erp_number}",
        ),
        ([BUYER_EMAIL], f"{shop.store.name}: Your quote {quoted.erp_number} is now an order"),
    ]
    assert events(quoted)[-2:] == [EventKind.ACCEPTED, EventKind.ORDERED]
    assert erp_sale(shop, quoted.erp_number)["state"] in ("confirmed", "processing")
    assert erp_line_values(shop, quoted.erp_number)[0] == ("FAS-1003", Decimal(12), Decimal("0.42"))


def test_an_answer_the_erp_refuses_leaves_the_quotation_as_it_was_and_tells_the_agents(
    shop, agent, quoted, django_capture_on_commit_callbacks
):
    before = erp_line_values(shop, quoted.erp_number)
    v1 = QuoteVersion.objects.get(quote=quoted)
    until = timezone.localdate() + datetime.timedelta(days=5)
    # The ERP's unit of BRG-1003 takes no decimals: the ERP, not the console, refuses 2.5.
    lines = tuple(
        negotiation.LineAnswer(
            ln.erp_line_id, Decimal("2.5") if ln.sku == "BRG-1003" else ln.quantity, ln.unit_price
        )
        for ln in v1.lines.all()
    )
    version = negotiation.quote_answer(
        agent=agent,
        quote=quoted,
        answer=negotiation.QuoteAnswerInput(base_version=1, lines=lines, valid_until=until),
    )
    with django_capture_on_commit_callbacks(execute=True):
        outcome = message_process(
            message_id=Message.objects.get(kind=ANSWER_QUOTE, subject=str(version.id)).id
        )
    assert outcome.state == State.FAILED
    version.refresh_from_db()
    assert version.erp_write == ErpWrite.FAILED and version.error
    assert erp_line_values(shop, quoted.erp_number) == before
    assert erp_quotation_row(shop, quoted.erp_number)["state"] == "quotation"
    (to_agents,) = mail.outbox
    assert to_agents.to == [AGENT_EMAIL] and "refused your answer" in to_agents.subject
    view = negotiation.quote_open(
        principal=Principal.for_member(store=shop.store, membership=shop.membership("C-1004")),
        quote_id=quoted.id,
    )
    assert [v.version.number for v in view.versions] == [1]
    assert view.status == QuoteStatus.QUOTED
    assert EventKind.ANSWER_REFUSED not in [e.kind for e in view.events]
    # The agent answers again, on the version the ERP holds.
    retry = negotiation.quote_answer(
        agent=agent,
        quote=quoted,
        answer=negotiation.QuoteAnswerInput(
            base_version=1,
            lines=tuple(
                negotiation.LineAnswer(ln.erp_line_id, ln.quantity, ln.unit_price)
                for ln in v1.lines.all()
            ),
            valid_until=until,
        ),
    )
    assert retry.number == 3


# ------------------------------------------------------------------ the ERP's own edits
def test_a_salespersons_edit_in_the_erp_becomes_a_version_the_buyer_is_told_of(
    client, shop, quoted, django_capture_on_commit_callbacks
):
    salesperson_edits(shop, quoted.erp_number, "BRG-1003", Decimal("77.5"))
    client.force_login(shop.buyers["C-1004"])
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(f"/quotes/{quoted.id}/", HTTP_HOST=HOST).content.decode()
    v2 = QuoteVersion.objects.get(quote=quoted, number=2)
    assert (v2.source, v2.answered_by_name) == (AnswerSource.ERP, "the ERP")
    assert v2.lines.get(sku="BRG-1003").unit_price == Decimal("77.5")
    assert 'data-version="2"' in page and 'data-change="price"' in page
    assert 'data-event="erp_changed"' in page
    (to_buyer,) = mail.outbox
    assert to_buyer.to == [BUYER_EMAIL] and "New version" in to_buyer.subject
    # Read again, nothing changed: no third version, no second mail.
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/quotes/{quoted.id}/", HTTP_HOST=HOST)
    assert QuoteVersion.objects.filter(quote=quoted).count() == 2 and len(mail.outbox) == 1


# ------------------------------------------------------------------ the buyer's answers
def test_a_revision_request_shows_first_on_the_agents_console_and_an_answer_settles_it(
    client, shop, agent, quoted, django_capture_on_commit_callbacks
):
    older = ask(shop, token=secrets.token_hex(16))  # another open request, newer
    buyer = client
    buyer.force_login(shop.buyers["C-1004"])
    url = f"/quotes/{quoted.id}/revise/"
    empty = buyer.post(url, {"comment": "  "}, HTTP_HOST=HOST)
    assert empty.status_code == 400 and "write a comment" in empty.content.decode()
    assert QuoteRequest.objects.get(id=quoted.id).state == QuoteState.QUOTED
    with django_capture_on_commit_callbacks(execute=True):
        response = buyer.post(url, {"comment": "5 % less on FAS-1003?"}, HTTP_HOST=HOST)
        buyer.post(url, {"comment": "5 % less on FAS-1003?"}, HTTP_HOST=HOST)  # double click
    assert response.status_code == 302
    quoted.refresh_from_db()
    assert quoted.state == QuoteState.REVISION
    assert events(quoted).count(EventKind.REVISION_REQUESTED) == 1
    (to_agents,) = mail.outbox
    assert to_agents.to == [AGENT_EMAIL]
    assert "asks for a revision" in to_agents.subject and "5 % less" in to_agents.body
    page = buyer.get(f"/quotes/{quoted.id}/", HTTP_HOST=HOST).content.decode()
    assert 'data-status="revision_requested"' in page

    client.force_login(agent)
    listing = client.get(reverse("service_quotes"), HTTP_HOST=ADMIN).content.decode()
    assert listing.index(f'data-quote="{quoted.id}"') < listing.index(f'data-quote="{older.id}"')
    page = client.get(reverse("service_quote", args=[quoted.id]), HTTP_HOST=ADMIN)
    assert 'class="help-block help-warning quote-revision"' in page.content.decode()
    assert "“5 % less on FAS-1003?”" in page.content.decode()
    v1 = QuoteVersion.objects.get(quote=quoted)
    form = answer_form(v1, **{f"price_{line_id(v1, 'FAS-1003')}": "0.4"})
    client.post(reverse("service_quote", args=[quoted.id]), form, HTTP_HOST=ADMIN)
    v2 = QuoteVersion.objects.get(quote=quoted, number=2)
    carry_answer = Message.objects.get(kind=ANSWER_QUOTE, subject=str(v2.id))
    message_process(message_id=carry_answer.id)
    quoted.refresh_from_db()
    assert quoted.state == QuoteState.QUOTED


def test_a_declined_quote_cannot_be_accepted_and_the_agents_are_told(
    client, shop, agent, quoted, django_capture_on_commit_callbacks
):
    client.force_login(shop.buyers["C-1004"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/quotes/{quoted.id}/decline/", {"comment": "Too dear"}, HTTP_HOST=HOST
        )
    assert response.status_code == 302
    quoted.refresh_from_db()
    assert quoted.state == QuoteState.DECLINED
    (to_agents,) = mail.outbox
    assert "declined quote" in to_agents.subject and "Too dear" in to_agents.body
    page = client.get(f"/quotes/{quoted.id}/", HTTP_HOST=HOST).content.decode()
    assert 'data-status="declined"' in page and "/accept/" not in page
    client.post(f"/quotes/{quoted.id}/accept/", HTTP_HOST=HOST)
    membership = shop.membership("C-1004")
    with pytest.raises(ApplicationError) as refused:
        services.quote_accept(
            principal=Principal.for_member(store=shop.store, membership=membership),
            quote_id=quoted.id,
        )
    assert refused.value.code == "declined"
    with pytest.raises(ApplicationError):
        negotiation.quote_revision_request(
            principal=Principal.for_member(store=shop.store, membership=membership),
            comment="after all?",
            quote_id=quoted.id,
        )
    assert not Message.objects.filter(kind=ACCEPT_QUOTE).exists()
    assert QuoteRequest.objects.get(id=quoted.id).state == QuoteState.DECLINED
    assert erp_sale(shop, quoted.erp_number)["state"] == "quotation"
    # The agent can't answer a declined quote.
    v1 = QuoteVersion.objects.get(quote=quoted)
    client.force_login(agent)
    response = client.post(
        reverse("service_quote", args=[quoted.id]), answer_form(v1), HTTP_HOST=ADMIN
    )
    assert response.status_code == 400
    assert not Message.objects.filter(kind=ANSWER_QUOTE).exists()


def test_a_quotation_entered_in_the_erp_can_be_sent_back_for_a_revision(
    client, shop, django_capture_on_commit_callbacks
):
    number = erp_entered_quotation(shop, "C-1004", [("FAS-1003", Decimal(20), Decimal("0.35"))])
    client.force_login(shop.buyers["C-1004"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/quotes/erp/{number}/revise/", {"comment": "Need 40"}, HTTP_HOST=HOST
        )
    quote = QuoteRequest.objects.get(erp_number=number)
    assert response.status_code == 302 and response["Location"] == f"/quotes/{quote.id}/"
    assert quote.state == QuoteState.REVISION and quote.created_by == shop.buyers["C-1004"]
    (v1,) = QuoteVersion.objects.filter(quote=quote)
    assert v1.lines.get().unit_price == Decimal("0.35")
    assert events(quote) == [EventKind.QUOTED, EventKind.REVISION_REQUESTED]
    # The team is told; the buyer, who is looking at the quotation, is not.
    assert [m.subject for m in mail.outbox] == [
        f"[{shop.store.name}] Van der Berg Industrie B.V. (C-1004) asks for a revision "
        f"of quote {number}"
    ]


# ------------------------------------------------------------------ walls
def test_another_stores_agent_never_sees_nor_answers_the_quote(
    client, shop, agent, quoted, django_capture_on_commit_callbacks
):
    hydra = build_brand("hydra", "Hydra Flow Systems", "USD", "US", "#005f73")
    stranger = get_user_model().objects.create_user("hydra.agent", "hydra@example.com", "x")
    service_agent_add(store=hydra.store, user=stranger)
    v1 = QuoteVersion.objects.get(quote=quoted)
    client.force_login(stranger)
    listing = client.get(reverse("service_quotes") + "?show=all", HTTP_HOST=ADMIN)
    assert (
        listing.status_code == 200 and f'data-quote="{quoted.id}"' not in listing.content.decode()
    )
    url = reverse("service_quote", args=[quoted.id])
    assert client.get(url, HTTP_HOST=ADMIN).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        ask(shop, token=secrets.token_hex(16))  # a new request goes to Ferrum's agent only
    assert [m.to for m in mail.outbox] == [[AGENT_EMAIL]]
    assert client.post(url, answer_form(v1), HTTP_HOST=ADMIN).status_code == 404
    assert QuoteVersion.objects.filter(quote=quoted).count() == 1
    assert not Message.objects.filter(kind=ANSWER_QUOTE).exists()
    # A user who is no agent at all is turned away from the console's quotes.
    client.force_login(shop.buyers["C-1004"])
    assert client.get(reverse("service_quotes"), HTTP_HOST=ADMIN).status_code in (302, 403)


@pytest.mark.parametrize("viewer", ["C-1001", "C-1002"])
def test_another_companys_buyer_gets_404_on_revise_and_decline(client, shop, quoted, viewer):
    client.force_login(shop.buyers[viewer])
    for action in ("revise", "decline"):
        response = client.post(
            f"/quotes/{quoted.id}/{action}/", {"comment": "mine now"}, HTTP_HOST=HOST
        )
        assert response.status_code == 404, action
        response = client.post(
            f"/quotes/erp/{quoted.erp_number}/{action}/", {"comment": "x"}, HTTP_HOST=HOST
        )
        assert response.status_code == 404, action
    quoted.refresh_from_db()
    assert quoted.state == QuoteState.QUOTED
    assert events(quoted) == [EventKind.REQUESTED, EventKind.QUOTED]


def test_the_same_company_in_another_store_does_not_find_the_quote(shop, quoted):
    elsewhere = dataclasses.replace(shop.store, id=shop.store.id + 1000)
    membership = shop.membership("C-1004")
    for act in (negotiation.quote_revision_request, negotiation.quote_decline):
        with pytest.raises(ApplicationError) as refused:
            act(
                principal=Principal.for_member(store=elsewhere, membership=membership),
                comment="x",
                quote_id=quoted.id,
            )
        assert refused.value.code == "not_found"
        with pytest.raises(ApplicationError) as refused:
            act(
                principal=Principal.for_member(store=elsewhere, membership=membership),
                comment="x",
                erp_number=quoted.erp_number,
            )
        assert refused.value.code == "not_found"
    assert (
        negotiation.quote_open(
            principal=Principal.for_member(store=elsewhere, membership=membership),
            quote_id=quoted.id,
        )
        is None
    )
    quoted.refresh_from_db()
    assert quoted.state == QuoteState.QUOTED
    assert events(quoted) == [EventKind.REQUESTED, EventKind.QUOTED]


def test_line_ids_of_another_quote_are_refused(shop, agent, quoted):
    other = ask(shop, "C-1001", token=secrets.token_hex(16))
    carry(REQUEST_QUOTE, other)
    theirs = QuoteVersion.objects.get(quote=other)
    with pytest.raises(ApplicationError) as refused:
        negotiation.quote_answer(
            agent=agent,
            quote=quoted,
            answer=negotiation.QuoteAnswerInput(
                base_version=1,
                lines=tuple(
                    negotiation.LineAnswer(ln.erp_line_id, ln.quantity, Decimal("0.01"))
                    for ln in theirs.lines.all()
                ),
                valid_until=timezone.localdate(),
            ),
        )
    assert "every line" in refused.value.message
    assert QuoteVersion.objects.filter(quote=quoted).count() == 1
    assert not Message.objects.filter(kind=ANSWER_QUOTE).exists()


# ------------------------------------------------------------------ hostile input
def hostile_answers(v1: QuoteVersion) -> list[dict]:
    fas = line_id(v1, "FAS-1003")
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    return [
        {f"price_{fas}": "-1"},
        {f"price_{fas}": "abc"},
        {f"price_{fas}": "1e999999"},
        {f"price_{fas}": "NaN"},
        {f"price_{fas}": "0.123456"},
        {f"quantity_{fas}": "0"},
        {f"quantity_{fas}": ""},
        {f"quantity_{fas}": "Infinity"},
        {"valid_until": "2026-13-45"},
        {"valid_until": "not a date"},
        {"valid_until": past},
        {"valid_until": "9999-12-31"},
        {"message": "x" * 5000},
        {"message": "bad\x00byte"},
        {"base_version": "x"},
        {"base_version": "99"},
        {"base_version": "1" * 50},
    ]


def test_hostile_input_on_the_answer_form_never_500s_nor_saves(client, shop, agent, quoted):
    v1 = QuoteVersion.objects.get(quote=quoted)
    client.force_login(agent)
    url = reverse("service_quote", args=[quoted.id])
    for hostile in hostile_answers(v1):
        response = client.post(url, answer_form(v1, **hostile), HTTP_HOST=ADMIN)
        assert response.status_code == 400, hostile
        assert "form-errors" in response.content.decode(), hostile
    assert QuoteVersion.objects.filter(quote=quoted).count() == 1
    assert not Message.objects.filter(kind=ANSWER_QUOTE).exists()


@pytest.mark.parametrize("comment", ["x" * 5000, "bad\x00byte", ""], ids=["long", "null", "empty"])
def test_hostile_comments_never_500_nor_record(client, shop, quoted, comment):
    client.force_login(shop.buyers["C-1004"])
    response = client.post(f"/quotes/{quoted.id}/revise/", {"comment": comment}, HTTP_HOST=HOST)
    assert response.status_code == 400
    assert 'class="form-errors" role="alert"' in response.content.decode()
    if comment != "":
        response = client.post(
            f"/quotes/{quoted.id}/decline/", {"comment": comment}, HTTP_HOST=HOST
        )
        assert response.status_code == 400
    quoted.refresh_from_db()
    assert quoted.state == QuoteState.QUOTED
    assert events(quoted) == [EventKind.REQUESTED, EventKind.QUOTED]


def test_the_list_shows_where_each_quote_stands(shop, agent, quoted):
    v1 = QuoteVersion.objects.get(quote=quoted)
    negotiation.quote_answer(
        agent=agent,
        quote=quoted,
        answer=negotiation.QuoteAnswerInput(
            base_version=1,
            lines=tuple(
                negotiation.LineAnswer(ln.erp_line_id, ln.quantity, ln.unit_price)
                for ln in v1.lines.all()
            ),
            valid_until=timezone.localdate(),
        ),
    )
    listing = selectors.quote_list(
        principal=Principal.for_member(store=shop.store, membership=shop.membership("C-1004"))
    )
    (view,) = [v for v in listing.quotes if v.quote]
    assert view.status == QuoteStatus.UPDATING


def test_an_answer_finishes_a_quotation_an_earlier_attempt_left_in_draft(shop, quoted):
    """The write stopped after the quotation went back to draft (the ERP went away): the
    retry writes the lines into the draft and quotes it again."""
    v1 = QuoteVersion.objects.get(quote=quoted)
    row = erp_quotation_row(shop, quoted.erp_number)
    shop.server.client().model("sale.sale", "draft", [row["id"]])
    until = timezone.localdate() + datetime.timedelta(days=3)
    answer = QuotationAnswer(
        customer="C-1004",
        number=quoted.erp_number,
        lines=tuple(
            QuotationLineAnswer(ln.erp_line_id, ln.sku, ln.quantity, Decimal("1.5"))
            for ln in v1.lines.all()
        ),
        expires=until,
    )
    quotation = shop.gateway.answer_quotation(answer=answer)
    assert quotation.state == "quotation" and quotation.expires == until
    assert [price for _sku, _q, price in erp_line_values(shop, quoted.erp_number)] == [
        Decimal("1.5"),
        Decimal("1.5"),
    ]
    # Another customer's number is not found; a line of another quotation is refused.
    with pytest.raises(ErpNotFound):
        shop.gateway.answer_quotation(
            answer=QuotationAnswer(customer="C-1001", number=quoted.erp_number, lines=())
        )
    stranger = dataclasses.replace(answer.lines[0], line_id=answer.lines[0].line_id + 100000)
    with pytest.raises(ErpRejected):
        shop.gateway.answer_quotation(answer=dataclasses.replace(answer, lines=(stranger,)))
    assert erp_quotation_row(shop, quoted.erp_number)["state"] == "quotation"


def test_an_answer_to_a_version_the_erp_has_moved_past_is_refused(client, shop, agent, quoted):
    """The agent opened version 1; meanwhile a salesperson changed the quotation in Tryton.
    The answer would overwrite what the agent never saw: it is refused, the ERP's edit is
    version 2, and the form asks to answer that."""
    v1 = QuoteVersion.objects.get(quote=quoted)
    client.force_login(agent)
    form = answer_form(v1, **{f"price_{line_id(v1, 'FAS-1003')}": "0.3"})
    salesperson_edits(shop, quoted.erp_number, "BRG-1003", Decimal("66"))
    response = client.post(reverse("service_quote", args=[quoted.id]), form, HTTP_HOST=ADMIN)
    assert response.status_code == 400
    assert "changed since you opened it" in response.content.decode()
    assert list(QuoteVersion.objects.filter(quote=quoted).values_list("number", "source")) == [
        (1, AnswerSource.ERP),
        (2, AnswerSource.ERP),
    ]
    assert not Message.objects.filter(kind=ANSWER_QUOTE).exists()
    assert erp_line_values(shop, quoted.erp_number)[1][2] == Decimal("66")


def test_a_request_the_erp_refuses_is_on_the_timeline_and_both_sides_are_told(
    shop, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        quote = ask(shop, lines=(services.WantedLine("BRG-1003", Decimal("2.5")),))
        carry(REQUEST_QUOTE, quote)
    assert events(quote) == [EventKind.REQUESTED, EventKind.REFUSED]
    assert [m.to for m in mail.outbox] == [[AGENT_EMAIL], [BUYER_EMAIL], [AGENT_EMAIL]]
    assert "could not make a quote of your request" in mail.outbox[1].body
    assert not QuoteVersion.objects.filter(quote=quote).exists()

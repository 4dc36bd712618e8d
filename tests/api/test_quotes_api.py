"""Quotes by API, against a reference ERP of this module's own (quotations are ERP sales):
a request made through the request form's own service once per Idempotency-Key, carried into
the ERP by the outbox, listed and read with the ERP's prices and validity (one ERP call a
page, one a quote), accepted once into an order; what can't be accepted says what to do;
hostile bodies get a problem and write nothing; the walls between companies, stores and
sandboxes; and the journey of a partner's quote from the request to the buyer's order."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from storefleet.api.models import ApiKey, IdempotentRequest, Scope
from storefleet.api.pagination import cursor_encode
from storefleet.erp.gateway import ErpGateway
from storefleet.erp.resilience import BREAKER_FAILURES, BREAKER_OPENED_AT, BREAKER_PROBE
from storefleet.erp.sync import erp_sync
from storefleet.outbox.models import Message, State
from storefleet.outbox.processing import message_process
from storefleet.quotes.kinds import ACCEPT_QUOTE, ANSWER_QUOTE, REQUEST_QUOTE
from storefleet.quotes.models import EventKind, QuoteRequest, QuoteState, QuoteVersion
from storefleet.service.services import service_agent_add

from .conftest import ALL_SCOPES, FERRUM, HYDRA, World, bearer
from .test_place import assert_problem

pytestmark = pytest.mark.django_db

QUOTES = [*ALL_SCOPES, Scope.QUOTES_WRITE]
BODY = {
    "lines": [
        {"sku": "FAS-1003", "quantity": "10", "target_price": "0.5", "note": "Zinc plated"},
        {"sku": "BRG-1003", "quantity": "2"},
    ],
    "message": "Monthly need",
}
VALIDITY_DAYS = 30
ADMIN = "localhost"


@pytest.fixture(scope="module")
def world_erp_server(fresh_erp_server):
    """Quotations are ERP sales, and accepting one confirms it: the module's own ERP."""
    return fresh_erp_server


@pytest.fixture
def validity(world: World) -> int:
    """The ERP's quotations hold 30 days (the sale configuration's validity)."""
    world.server.client().model(  # type: ignore[attr-defined]
        "sale.configuration",
        "write",
        [1],
        {"sale_quotation_validity": {"__class__": "timedelta", "seconds": VALIDITY_DAYS * 86400}},
    )
    return VALIDITY_DAYS


@pytest.fixture
def erp_calls(monkeypatch) -> dict[str, int]:
    """How often the gateway asked the ERP for the company's quotations, or one of them."""
    calls = {"quotations": 0, "quotation": 0}
    for name in calls:
        real = getattr(ErpGateway, name)

        def counted(self, *args, _real=real, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            calls[_name] += 1
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(ErpGateway, name, counted)
    return calls


def post(client, key: str, path: str, body=None, *, idem: str | None = "key-1", host=FERRUM, **h):
    if idem is not None:
        h["HTTP_IDEMPOTENCY_KEY"] = idem
    return client.post(
        path,
        body if isinstance(body, bytes) else json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_HOST=host,
        **bearer(key, **h),
    )


def get(client, key: str, path: str, *, host: str = FERRUM, **headers):
    return client.get(path, HTTP_HOST=host, **bearer(key, **headers))


def ask(client, key: str, body=BODY, *, idem: str = "ask-1", **headers) -> dict:
    response = post(client, key, "/api/v1/quotes", body, idem=idem, **headers)
    assert response.status_code == 201, response.content[:800]
    return response.json()


def carry(kind: str, subject: int) -> None:
    message = Message.objects.get(kind=kind, subject=str(subject))
    message_process(message_id=message.id)
    message.refresh_from_db()
    assert message.state == State.DONE, message.last_error


def answered(client, key: str, **headers) -> dict:
    """A quote of the key's company, quoted by the ERP (version 1)."""
    made = ask(client, key, **headers)
    carry(REQUEST_QUOTE, made["id"])
    return made


def erp_client(world: World):  # type: ignore[no-untyped-def]
    return world.server.client()  # type: ignore[attr-defined]


def erp_state(world: World, number: str) -> str:
    (row,) = erp_client(world).search_read("sale.sale", [["number", "=", number]], ["state"])
    return row["state"]


# ------------------------------------------------------------------ requesting
def test_a_quote_is_requested_through_the_forms_service_once_per_key(client, world):
    key = world.key("C-1004", FERRUM, scopes=QUOTES)
    unkeyed = post(client, key, "/api/v1/quotes", BODY, idem=None)
    assert_problem(unkeyed, 400, "idempotency-key-required")
    assert not QuoteRequest.objects.exists()

    response = post(client, key, "/api/v1/quotes", BODY)
    assert response.status_code == 201, response.content[:800]
    answer = response.json()
    quote = QuoteRequest.objects.get()
    assert (answer["id"], answer["status"], answer["erp_number"]) == (quote.id, "requested", "")
    assert [
        (ln["position"], ln["sku"], Decimal(ln["quantity"]), ln["target_price"], ln["note"])
        for ln in answer["lines"]
    ] == [
        (1, "FAS-1003", Decimal(10), "0.5000", "Zinc plated"),
        (2, "BRG-1003", Decimal(2), None, ""),
    ]
    assert (answer["quotation"], answer["versions"], answer["can_accept"]) == (None, [], False)
    assert [event["kind"] for event in answer["events"]] == ["requested"]
    assert (quote.company.code, quote.store_id, quote.created_by) == (
        "C-1004",
        world.stores[FERRUM].id,
        None,
    )
    assert quote.message == "Monthly need"
    ship_to = world.companies["C-1004"].addresses.filter(is_ship_to=True).order_by("id").first()
    assert quote.ship_to == ship_to
    assert Message.objects.filter(kind=REQUEST_QUOTE, subject=str(quote.id)).count() == 1

    # The same key and body: the same quote; the key with another body: refused.
    again = post(client, key, "/api/v1/quotes", BODY)
    assert again.status_code == 200 and again.json() == answer
    other = {**BODY, "message": "Another need"}
    assert_problem(post(client, key, "/api/v1/quotes", other), 422, "idempotency-key-reused")
    assert QuoteRequest.objects.count() == 1
    assert Message.objects.filter(kind=REQUEST_QUOTE).count() == 1
    # Another key: another quote.
    assert ask(client, key, idem="ask-2")["id"] != quote.id


def _lines(*pairs: tuple[str, str]) -> list[dict]:
    return [{"sku": sku, "quantity": quantity} for sku, quantity in pairs]


YESTERDAY = (datetime.date.today() - datetime.timedelta(days=2)).isoformat()
HOSTILE = [
    (b"", "invalid-request"),
    (b"not json", "bad-request"),
    (b"[]", "invalid-request"),
    ({"lines": []}, "invalid-request"),
    ({"lines": "FAS-1003"}, "invalid-request"),
    ({"lines": _lines(("FAS-1003", "-1"))}, "invalid-request"),
    ({"lines": _lines(("FAS-1003", "0"))}, "invalid-request"),
    ({"lines": _lines(("FAS-1003", "1e40"))}, "invalid-request"),
    ({"lines": _lines(("FAS-1003", "NaN"))}, "invalid-request"),
    ({"lines": _lines(("FAS-1003", "0.00001"))}, "invalid-request"),
    ({"lines": _lines(("FAS\x00-1003", "1"))}, "invalid-request"),
    ({"lines": _lines(("S" * 65, "1"))}, "invalid-request"),
    ({"lines": _lines(*[(f"FAS-{n}", "1") for n in range(51)])}, "invalid-request"),
    ({"lines": [{"sku": "FAS-1003", "quantity": 1, "target_price": "-2"}]}, "invalid-request"),
    ({"lines": [{"sku": "FAS-1003", "quantity": 1, "note": "a\x00b"}]}, "invalid-request"),
    ({"lines": _lines(("FAS-1003", "1")), "message": "x\x00"}, "invalid-request"),
    ({"lines": _lines(("FAS-1003", "1")), "message": "x" * 4001}, "invalid-request"),
    ({"lines": _lines(("FAS-1003", "1")), "requested_date": "2027-02-30"}, "invalid-request"),
    ({"lines": _lines(("FAS-1003", "1")), "ship_to_id": 2**40}, "invalid-request"),
    # Judged by the request form's service: what it says, nothing requested.
    ({"lines": _lines(("NOPE-1", "1"), ("FAS-1003", "1"))}, "quote-invalid"),
    ({"lines": _lines(("FAS-1003", "1"), ("FAS-1003", "2"))}, "quote-invalid"),
    ({"lines": _lines(("FAS-1003", "1")), "requested_date": YESTERDAY}, "quote-invalid"),
]


@pytest.mark.parametrize(("body", "code"), HOSTILE)
def test_a_hostile_or_wrong_request_is_a_problem_and_nothing_is_requested(
    client, world, body, code
):
    key = world.key("C-1004", FERRUM, scopes=QUOTES)
    response = post(client, key, "/api/v1/quotes", body)
    assert 400 <= response.status_code < 500, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == code and problem["detail"]
    assert not QuoteRequest.objects.exists()
    assert not Message.objects.filter(kind=REQUEST_QUOTE).exists()
    assert not IdempotentRequest.objects.exists()


def test_the_service_says_what_is_wrong_with_the_lines(client, world):
    key = world.key("C-1004", FERRUM, scopes=QUOTES)
    unknown = post(client, key, "/api/v1/quotes", {"lines": _lines(("NOPE-1", "1"))})
    problem = assert_problem(unknown, 422, "quote-invalid")
    assert "NOPE-1" in problem["detail"]
    assert problem["errors"] == [{"loc": ["body", "lines"], "msg": problem["detail"]}]
    # Another company's ship-to address is not one of Van der Berg's.
    theirs = world.companies["C-1001"].addresses.filter(is_ship_to=True).first()
    body = {"lines": _lines(("FAS-1003", "1")), "ship_to_id": theirs.id}
    problem = assert_problem(post(client, key, "/api/v1/quotes", body), 422, "quote-invalid")
    assert problem["errors"][0]["loc"] == ["body", "ship_to_id"]
    assert not QuoteRequest.objects.exists()


# ------------------------------------------------------------------ reading
def test_the_list_and_a_quote_show_the_erps_prices_and_validity_in_one_erp_call_each(
    client, world, validity, erp_calls
):
    key = world.key("C-1004", FERRUM, scopes=QUOTES)
    made = answered(client, key)
    quote = QuoteRequest.objects.get(id=made["id"])
    assert quote.state == QuoteState.QUOTED and quote.erp_number
    (row,) = erp_client(world).search_read(
        "sale.line",
        [["sale.number", "=", quote.erp_number]],
        ["product.code", "unit_price", "amount"],
        order=[["id", "ASC"]],
    )[:1]
    valid_until = (timezone.localdate() + datetime.timedelta(days=validity)).isoformat()

    erp_calls.update(quotations=0, quotation=0)
    listing = get(client, key, "/api/v1/quotes").json()
    assert erp_calls == {"quotations": 1, "quotation": 0}
    (item,) = listing["items"]
    assert (item["id"], item["erp_number"], item["status"], item["valid_until"]) == (
        quote.id,
        quote.erp_number,
        "quoted",
        valid_until,
    )
    assert item["total"]["currency"] == "EUR" and Decimal(item["total"]["amount"]) > 0
    assert (item["line_count"], listing["next_cursor"], listing["fresh"]) == (2, None, True)

    erp_calls.update(quotations=0, quotation=0)
    detail = get(client, key, f"/api/v1/quotes/{quote.id}").json()
    assert erp_calls == {"quotations": 0, "quotation": 1}
    assert (detail["status"], detail["can_accept"], detail["valid_until"]) == (
        "quoted",
        True,
        valid_until,
    )
    quotation = detail["quotation"]
    assert (quotation["number"], quotation["state"], quotation["valid_until"]) == (
        quote.erp_number,
        "quotation",
        valid_until,
    )
    first = quotation["lines"][0]
    assert (first["sku"], Decimal(first["unit_price"]["amount"])) == ("FAS-1003", row["unit_price"])
    assert Decimal(quotation["total"]["amount"]) == Decimal(item["total"]["amount"])
    (v1,) = detail["versions"]
    assert (v1["number"], v1["answered_by"], v1["valid_until"]) == (1, "erp", valid_until)
    assert [(ln["sku"], Decimal(ln["quantity"])) for ln in v1["lines"]] == [
        ("FAS-1003", Decimal(10)),
        ("BRG-1003", Decimal(2)),
    ]
    assert [event["kind"] for event in detail["events"]] == ["requested", "quoted"]
    assert detail["updated_at"] == item["updated_at"]
    assert detail["fresh"] is True


def test_the_list_pages_by_change_and_filters_by_updated_since(client, world):
    key = world.key("C-1004", FERRUM, scopes=QUOTES)
    ids = [ask(client, key, idem=f"page-{n}")["id"] for n in range(3)]
    first = get(client, key, "/api/v1/quotes?limit=2").json()
    assert [row["id"] for row in first["items"]] == ids[:2]
    second = get(client, key, f"/api/v1/quotes?limit=2&cursor={first['next_cursor']}").json()
    assert ([row["id"] for row in second["items"]], second["next_cursor"]) == ([ids[2]], None)
    # A step on the first quote (a comment on its timeline) makes it the latest change.
    QuoteRequest.objects.get(id=ids[0]).events.create(kind=EventKind.REVISION_REQUESTED)
    since = first["items"][1]["updated_at"]
    changed = get(client, key, "/api/v1/quotes")
    assert [row["id"] for row in changed.json()["items"]] == [ids[1], ids[2], ids[0]]
    later = client.get(
        "/api/v1/quotes", {"updated_since": since}, HTTP_HOST=FERRUM, **bearer(key)
    ).json()
    assert [row["id"] for row in later["items"]] == [ids[1], ids[2], ids[0]]
    after_all = client.get(
        "/api/v1/quotes",
        {"updated_since": (timezone.now() + datetime.timedelta(minutes=1)).isoformat()},
        HTTP_HOST=FERRUM,
        **bearer(key),
    ).json()
    assert after_all["items"] == []


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/quotes?cursor=junk", 422, "invalid-request"),
        ("/api/v1/quotes?cursor=" + "A" * 600, 422, "invalid-request"),
        ("/api/v1/quotes?limit=0", 422, "invalid-request"),
        ("/api/v1/quotes?updated_since=yesterday", 422, "invalid-request"),
        ("/api/v1/quotes/abc", 422, "invalid-request"),
        ("/api/v1/quotes/0", 422, "invalid-request"),
        ("/api/v1/quotes/" + "9" * 40, 422, "invalid-request"),
        ("/api/v1/quotes/2147483647", 404, "not-found"),
        ("/api/v1/quotes/%00", 422, "invalid-request"),
    ],
)
def test_hostile_parameters_get_a_problem(client, world, path, status, code):
    key = world.key("C-1004", FERRUM, scopes=QUOTES)
    assert_problem(get(client, key, path), status, code)


def test_a_cursor_of_another_list_is_refused(client, world):
    key = world.key("C-1004", FERRUM, scopes=QUOTES)
    for n in range(2):
        ask(client, key, idem=f"c-{n}")
    orders = cursor_encode("orders", [timezone.now().isoformat(), "order", 1])
    assert_problem(get(client, key, f"/api/v1/quotes?cursor={orders}"), 422, "invalid-request")
    forged = cursor_encode("quotes", ["not a moment", "x"])
    assert_problem(get(client, key, f"/api/v1/quotes?cursor={forged}"), 422, "invalid-request")
    quotes = get(client, key, "/api/v1/quotes?limit=1").json()
    assert quotes["next_cursor"]
    assert_problem(
        get(client, key, f"/api/v1/orders?cursor={quotes['next_cursor']}"), 422, "invalid-request"
    )


# ------------------------------------------------------------------ accepting
def accept(client, key: str, quote_id: int, *, idem: str | None = "accept-1", **headers):
    return post(client, key, f"/api/v1/quotes/{quote_id}/accept", idem=idem, **headers)


def test_an_answered_quote_is_accepted_once_and_becomes_an_order(client, world, validity):
    key = world.key("C-1004", FERRUM, scopes=QUOTES)
    made = answered(client, key)
    quote = QuoteRequest.objects.get(id=made["id"])
    assert_problem(accept(client, key, quote.id, idem=None), 400, "idempotency-key-required")
    assert quote.events.filter(kind=EventKind.ACCEPTED).count() == 0

    response = accept(client, key, quote.id)
    assert response.status_code == 200, response.content[:800]
    answer = response.json()
    assert (answer["id"], answer["status"], answer["order_number"]) == (
        quote.id,
        "accepting",
        quote.erp_number,
    )
    assert (answer["already_accepted"], answer["awaiting_approval"]) == (False, False)
    assert accept(client, key, quote.id).json() == answer  # the same key: the same answer
    again = accept(client, key, quote.id, idem="accept-2").json()
    assert (again["status"], again["already_accepted"]) == ("accepting", True)
    assert Message.objects.filter(kind=ACCEPT_QUOTE).count() == 1
    assert quote.events.filter(kind=EventKind.ACCEPTED).count() == 1

    carry(ACCEPT_QUOTE, quote.id)
    assert erp_state(world, quote.erp_number) in ("confirmed", "processing")
    detail = get(client, key, f"/api/v1/quotes/{quote.id}").json()
    assert (detail["status"], detail["can_accept"]) == ("ordered", False)
    after = accept(client, key, quote.id, idem="accept-3").json()
    assert (after["status"], after["already_accepted"]) == ("ordered", True)
    assert Message.objects.filter(kind=ACCEPT_QUOTE).count() == 1


def _expire_in_erp(world: World, number: str) -> None:
    """What a salesperson's quotation of 40 days ago, valid 30, reads as: expired."""
    client = erp_client(world)
    (row,) = client.search_read("sale.sale", [["number", "=", number]], ["id"])
    client.model("sale.sale", "draft", [row["id"]])
    client.model(
        "sale.sale",
        "write",
        [row["id"]],
        {
            "quotation_date": timezone.localdate() - datetime.timedelta(days=40),
            "quotation_validity": {"__class__": "timedelta", "seconds": 30 * 86400},
        },
    )
    client.model("sale.sale", "quote", [row["id"]])


def test_what_cannot_be_accepted_says_what_to_do_and_nothing_is_accepted(client, world, validity):
    key = world.key("C-1004", FERRUM, scopes=QUOTES)
    waiting = ask(client, key, idem="waiting")
    problem = assert_problem(accept(client, key, waiting["id"]), 409, "quote-not-answered")
    assert "wait" in problem["detail"]

    expired = answered(client, key, idem="expired")
    number = QuoteRequest.objects.get(id=expired["id"]).erp_number
    _expire_in_erp(world, number)
    problem = assert_problem(accept(client, key, expired["id"]), 409, "quote-expired")
    assert "request a new quote" in problem["detail"]
    assert get(client, key, f"/api/v1/quotes/{expired['id']}").json()["status"] == "expired"
    assert erp_state(world, number) == "quotation"

    declined = answered(client, key, idem="declined")
    QuoteRequest.objects.filter(id=declined["id"]).update(state=QuoteState.DECLINED)
    assert_problem(accept(client, key, declined["id"]), 409, "quote-closed")

    withdrawn = answered(client, key, idem="withdrawn")
    number = QuoteRequest.objects.get(id=withdrawn["id"]).erp_number
    (row,) = erp_client(world).search_read("sale.sale", [["number", "=", number]], ["id"])
    erp_client(world).model("sale.sale", "cancel", [row["id"]])  # by a salesperson
    problem = assert_problem(accept(client, key, withdrawn["id"]), 409, "quote-closed")
    assert "withdrew" in problem["detail"]

    assert not Message.objects.filter(kind=ACCEPT_QUOTE).exists()
    assert not IdempotentRequest.objects.filter(operation="quote.accept").exists()
    assert not QuoteRequest.objects.filter(accepted_at__isnull=False).exists()


def test_while_the_erp_is_away_quotes_are_read_from_the_platform_and_say_so(
    client, world, validity
):
    key = world.key("C-1004", FERRUM, scopes=QUOTES)
    made = answered(client, key)
    quote = QuoteRequest.objects.get(id=made["id"])
    world.server.stop()  # type: ignore[attr-defined]
    try:
        listing = get(client, key, "/api/v1/quotes").json()
        detail = get(client, key, f"/api/v1/quotes/{quote.id}").json()
    finally:
        world.server.start()  # type: ignore[attr-defined]
        cache.delete_many([BREAKER_OPENED_AT, BREAKER_FAILURES, BREAKER_PROBE])
    (item,) = listing["items"]
    assert (listing["fresh"], item["status"], item["total"]) == (False, "quoted", None)
    assert item["valid_until"] == quote.expires.isoformat()
    assert (detail["fresh"], detail["quotation"], detail["status"]) == (False, None, "quoted")
    assert [v["number"] for v in detail["versions"]] == [1]  # what the platform recorded


# ------------------------------------------------------------------ the walls
def test_a_key_reaches_its_own_companys_quotes_in_its_own_store_only(client, world):
    nordwerk = world.key("C-1001", FERRUM, scopes=QUOTES)
    made = ask(client, nordwerk)
    path = f"/api/v1/quotes/{made['id']}"
    assert get(client, nordwerk, path).json()["id"] == made["id"]

    # Van der Berg, in the same store: neither listed, read nor accepted.
    other = world.key("C-1004", FERRUM, scopes=QUOTES)
    assert get(client, other, "/api/v1/quotes").json()["items"] == []
    assert_problem(get(client, other, path), 404, "not-found")
    assert_problem(accept(client, other, made["id"]), 404, "not-found")
    # Nordwerk's own key in Hydra: its Ferrum quote is not Hydra's.
    hydra = world.key("C-1001", HYDRA, scopes=QUOTES)
    assert get(client, hydra, "/api/v1/quotes", host=HYDRA).json()["items"] == []
    assert_problem(get(client, hydra, path, host=HYDRA), 404, "not-found")
    assert_problem(accept(client, hydra, made["id"], host=HYDRA), 404, "not-found")
    # A partner key acting for Nordwerk sees it; acting for Van der Berg it does not.
    partner = world.partner_key(codes=["C-1001", "C-1004"], hosts=[FERRUM], scopes=QUOTES)
    as_nordwerk = get(client, partner, path, HTTP_STOREFLEET_COMPANY="C-1001")
    assert as_nordwerk.json()["id"] == made["id"]
    assert_problem(get(client, partner, path, HTTP_STOREFLEET_COMPANY="C-1004"), 404, "not-found")
    # Reading is not writing: a key without quotes:write may not ask or accept.
    reader = world.key("C-1001", FERRUM, scopes=ALL_SCOPES)
    assert_problem(post(client, reader, "/api/v1/quotes", BODY, idem="r"), 403, "scope-missing")
    assert_problem(accept(client, reader, made["id"]), 403, "scope-missing")
    assert (
        QuoteRequest.objects.count() == 1
        and not QuoteRequest.objects.filter(accepted_at__isnull=False).exists()
    )


def test_a_sandbox_key_never_reaches_a_live_stores_quotes(client, world):
    live = world.key("C-1001", FERRUM, scopes=QUOTES)
    made = ask(client, live)
    sandbox = world.key("C-1001", FERRUM, scopes=QUOTES)
    ApiKey.objects.filter(prefix=sandbox.split("_")[1]).update(sandbox=True)
    assert_problem(get(client, sandbox, "/api/v1/quotes"), 401, "unauthenticated")
    assert_problem(get(client, sandbox, f"/api/v1/quotes/{made['id']}"), 401, "unauthenticated")
    assert_problem(post(client, sandbox, "/api/v1/quotes", BODY, idem="s"), 401, "unauthenticated")
    assert QuoteRequest.objects.count() == 1


# ------------------------------------------------------------------ the journey
def test_a_partners_quote_from_request_to_the_buyers_order(client, world, validity):
    """A distributor's system asks by API for Nordwerk's prices; the store's agent answers in
    the console; the system sees the answer, accepts it by API; the ERP confirms the order,
    which the buyer finds in "My orders" and the agent in the console."""
    partner = world.partner_key(
        codes=["C-1001"], hosts=[FERRUM], scopes=[*QUOTES, Scope.ORDERS_READ]
    )
    acting = {"HTTP_STOREFLEET_COMPANY": "C-1001"}
    made = ask(client, partner, {"lines": _lines(("FAS-1003", "10"))}, **acting)
    carry(REQUEST_QUOTE, made["id"])
    quote = QuoteRequest.objects.get(id=made["id"])
    (v1,) = QuoteVersion.objects.filter(quote=quote)
    (line,) = v1.lines.all()

    agent = get_user_model().objects.create_user("quote.agent", "agent@storefleet.example", "x")
    service_agent_add(store=world.stores[FERRUM], user=agent)
    client.force_login(agent)
    until = timezone.localdate() + datetime.timedelta(days=10)
    form = {
        "base_version": "1",
        "valid_until": until.isoformat(),
        "message": "Our best price for 12",
        f"quantity_{line.erp_line_id}": "12",
        f"price_{line.erp_line_id}": "0.42",
    }
    response = client.post(reverse("service_quote", args=[quote.id]), form, HTTP_HOST=ADMIN)
    assert response.status_code == 302, response.content[:800]
    client.logout()
    # On its way into the ERP: the partner still sees version 1, and can't accept yet.
    pending = get(client, partner, f"/api/v1/quotes/{quote.id}", **acting).json()
    assert (pending["status"], [v["number"] for v in pending["versions"]]) == ("updating", [1])
    problem = assert_problem(accept(client, partner, quote.id, **acting), 409, "quote-not-answered")
    assert problem["detail"]
    (v2,) = QuoteVersion.objects.filter(quote=quote, number=2)
    carry(ANSWER_QUOTE, v2.id)

    seen = get(client, partner, f"/api/v1/quotes/{quote.id}", **acting).json()
    assert (seen["status"], seen["can_accept"], seen["valid_until"]) == (
        "quoted",
        True,
        until.isoformat(),
    )
    latest = seen["versions"][-1]
    assert (latest["number"], latest["answered_by"], latest["message"]) == (
        2,
        "agent",
        "Our best price for 12",
    )
    (changed,) = latest["lines"]
    assert (Decimal(changed["quantity"]), Decimal(changed["unit_price"])) == (
        Decimal(12),
        Decimal("0.42"),
    )
    assert Decimal(changed["previous_quantity"]) == Decimal(10)
    (quoted_line,) = seen["quotation"]["lines"]
    assert Decimal(quoted_line["unit_price"]["amount"]) == Decimal("0.42")
    assert [e["kind"] for e in seen["events"]] == ["requested", "quoted", "answered"]

    accepted = accept(client, partner, quote.id, idem="yes", **acting).json()
    assert (accepted["status"], accepted["order_number"]) == ("accepting", quote.erp_number)
    carry(ACCEPT_QUOTE, quote.id)
    assert get(client, partner, f"/api/v1/quotes/{quote.id}", **acting).json()["status"] == (
        "ordered"
    )

    # The order: in the ERP at the agreed price, then in the buyer's "My orders" and by API.
    (row,) = erp_client(world).search_read(
        "sale.line",
        [["sale.number", "=", quote.erp_number]],
        ["quantity", "unit_price"],
    )
    assert (Decimal(str(row["quantity"])), row["unit_price"]) == (Decimal(12), Decimal("0.42"))
    erp_sync(name="sales", full=True)
    client.force_login(world.admins["C-1001"])
    orders = client.get("/orders/", HTTP_HOST=FERRUM)
    assert orders.status_code == 200
    assert quote.erp_number in orders.content.decode()
    page = client.get(f"/orders/{quote.erp_number}/", HTTP_HOST=FERRUM)
    assert page.status_code == 200
    client.logout()
    order = get(client, partner, f"/api/v1/orders/{quote.erp_number}", **acting).json()
    assert (order["number"], order["kind"]) == (quote.erp_number, "sale")
    assert [(ln["sku"], Decimal(ln["quantity"])) for ln in order["lines"]] == [
        ("FAS-1003", Decimal(12))
    ]
    # Van der Berg's key finds none of it.
    other = world.key("C-1004", FERRUM, scopes=[*QUOTES, Scope.ORDERS_READ])
    assert_problem(get(client, other, f"/api/v1/quotes/{quote.id}"), 404, "not-found")
    assert_problem(get(client, other, f"/api/v1/orders/{quote.erp_number}"), 404, "not-found")

"""Contract tests: every operation of the partner API's OpenAPI document (read from
``/api/v1/openapi.json`` as a partner reads it) is called by schemathesis with generated valid
and invalid requests, in process through Django's WSGI application on Ferrum's host, against the
reference ERP. Each answer must be no server error, have a documented status code and content
type (``application/problem+json`` for errors) and a body that matches the documented schema.

Nothing here lists the operations: an endpoint added to the document is tested by the next run.
Path, query and body values are drawn half of the time from the real numbers and SKUs of
Nordwerk (C-1001) in Ferrum, so the calls reach the selectors and the ERP rather than stopping at
"not found". A POST gets an ``Idempotency-Key`` unless the case leaves it out on purpose.

Three callers run the same cases: Nordwerk's own company key (answers must conform; the
``ignored_auth`` check also resends each case without and with a wrong key and expects 401),
a company key made in another store (Great Lakes' key from Hydra: 401 on every protected
operation) and a partner key naming a company it was not granted (403 on every protected
operation). Generation is derandomized with a fixed seed and a bounded number of examples, so a
run is the same run every time."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from decimal import Decimal

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from ninja.responses import NinjaJSONEncoder
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from storefleet.api.models import Scope
from storefleet.api.v1 import api
from storefleet.approvals.models import CostCentre
from storefleet.catalog.models import CatalogPage, Sells
from storefleet.quotes.models import QuoteLine, QuoteRequest, QuoteState

from .conftest import ALL_SCOPES, FERRUM, HYDRA, World

pytestmark = pytest.mark.django_db

SEED = 1717
EXAMPLES = 12
ASSORTMENT = ["BRG-1001", "TOL-1003", "FAS-1001", "SEA-1003"]
SKUS = ["BRG-1001", "TOL-1003", "NO-SUCH-SKU"]
# Nordwerk's cost centre (``callers``), and one it does not keep.
COST_CENTRES = ["CC-7", "NO-SUCH-CENTRE"]
# Nordwerk's web order in Ferrum and Van der Berg's (another company's: not found), as the
# API conftest numbers them; Nordwerk's invoice in the reference ERP and Great Lakes'.
ORDERS = {"C-1001": "W-F-1001", "C-1004": "W-F-1004"}
INVOICES = ["INV-00006", "INV-00009"]
# Quote requests of Nordwerk and of Van der Berg (another company's: not found) in Ferrum, not
# in the ERP yet (``callers``), at ids far above what the tests' sequences reach.
QUOTE_IDS = {"C-1001": 900_001, "C-1004": 900_002}
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class InProcessApp:
    """Django's WSGI application as a server runs it, except that it leaves the test's database
    connection open (as Django's test client does): the test's transaction holds the data."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            return list(self.handler(environ, start_response))
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


APP = InProcessApp()


def openapi_document() -> dict:
    """What ``/api/v1/openapi.json`` serves (``test_the_served_document_is_the_tested_one``)."""
    return json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))


CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "suppress-health-check": ["all"],
        "generation": {"max-examples": EXAMPLES, "deterministic": True},
        "dictionaries": {
            "numbers": {"values": [*ORDERS.values(), *INVOICES]},
            "skus": {"values": SKUS},
            "cost_centres": {"values": COST_CENTRES},
            "quote_ids": {"values": list(QUOTE_IDS.values())},
        },
        "parameters": {
            "path.number": {"dictionary": "numbers", "probability": 0.5},
            "query.sku": {"dictionary": "skus", "probability": 0.5},
            "body.lines[*].sku": {"dictionary": "skus", "probability": 0.5},
            "body.cost_centre": {"dictionary": "cost_centres", "probability": 0.5},
            "path.quote_id": {"dictionary": "quote_ids", "probability": 0.5},
        },
    }
)
schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG)
schema.app = APP


@dataclass(frozen=True)
class Callers:
    own: dict[str, str]  # Nordwerk's company key in Ferrum, all scopes
    foreign: dict[str, dict[str, str]]  # callers that may not act for Nordwerk in Ferrum


@pytest.fixture
def callers(world: World, settings) -> Callers:
    assert {code: world.orders[(FERRUM, code)] for code in ORDERS} == ORDERS
    # Hundreds of calls in a minute from one client: neither limit is what is tested here.
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    settings.API_FAILED_KEYS_PER_CLIENT = 1_000_000
    # Ferrum sells a handful of products here: every catalog answer is priced by the ERP, and
    # a run of hundreds of calls stays short.
    catalog = CatalogPage.objects.get(path__startswith=world.stores[FERRUM].site.root_page.path)
    catalog.sells, catalog.extra_skus = Sells.ASSORTMENT, "\n".join(ASSORTMENT)
    catalog.save_revision().publish()
    # Nordwerk charges its orders to a cost centre: an order without one (or with another) is
    # ``invalid-cost-centre``.
    CostCentre.objects.create(company=world.companies["C-1001"], code=COST_CENTRES[0])
    for code, quote_id in QUOTE_IDS.items():
        quote = QuoteRequest.objects.create(
            id=quote_id,
            store=world.stores[FERRUM],
            company=world.companies[code],
            key=f"q-contract-{code}",
            state=QuoteState.REQUESTED,
        )
        QuoteLine.objects.create(quote=quote, position=0, sku=SKUS[0], quantity=Decimal(5))
    partner = world.partner_key(codes=["C-1004"], hosts=[FERRUM])
    # Nordwerk's key asks for and accepts quotes too: generated bodies reach the quote service
    # (which writes no more than a request waiting for the outbox; accepting one not answered
    # is refused before the ERP is asked).
    own = world.key("C-1001", FERRUM, scopes=[*ALL_SCOPES, Scope.QUOTES_WRITE])
    return Callers(
        own={"Authorization": f"Bearer {own}"},
        foreign={
            # Great Lakes buys in Hydra only: its key is no key on Ferrum's host.
            "key of another store": {"Authorization": f"Bearer {world.key('C-1006', HYDRA)}"},
            "company not granted": {
                "Authorization": f"Bearer {partner}",
                "Storefleet-Company": "C-1001",
            },
        },
    )


_idempotency_keys = (f"contract-{n:06d}" for n in itertools.count())


def with_idempotency_key(case: schemathesis.Case) -> None:
    """A POST carries an Idempotency-Key unless the case itself has one (or leaves it out on
    purpose: a negative case of an operation that documents the header)."""
    documented = any(
        p.get("in") == "header" and p.get("name", "").lower() == "idempotency-key"
        for p in case.operation.definition.raw.get("parameters", [])
    )
    if case.method.upper() == "POST" and not documented:
        case.headers = {**(case.headers or {}), "Idempotency-Key": next(_idempotency_keys)}


def assert_valid_request_accepted(response: schemathesis.Response, case: schemathesis.Case) -> None:
    """schemathesis's ``positive_data_acceptance``, less what no schema can say: a made-up
    cursor (opaque and signed: 422 naming the cursor), SKUs this store does not sell
    (422 ``unknown-skus``) and a cost centre the company does not keep (422
    ``invalid-cost-centre``) are refused, and so is a quote request the quote service
    judges (``quote-invalid``: SKUs the store does not sell, one twice, a date in the past);
    any other valid request is answered, or not found."""
    # The Idempotency-Key is documented as optional (a missing one is the API's own problem,
    # not the framework's 422) and its rules in its description: a write without a usable
    # key is refused with what to send.
    sent = (case.headers or {}).get("Idempotency-Key")
    usable = sent is not None and 0 < len(sent) <= 255 and sent.isascii() and sent.isprintable()
    if case.method.upper() == "POST" and not usable and response.status_code == 400:
        assert response.json()["code"] == "idempotency-key-required"
        return
    if response.status_code == 422:
        problem = response.json()
        made_up_cursor = problem["code"] == "invalid-request" and any(
            "cursor" in error["loc"] for error in problem.get("errors", [])
        )
        assert made_up_cursor or problem["code"] in (
            "unknown-skus",
            "invalid-cost-centre",
            "quote-invalid",
        ), problem
        return
    assert response.status_code < 400 or response.status_code in (401, 403, 404, 409, 429), (
        response.status_code,
        response.text[:500],
    )


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_its_contract(case: schemathesis.Case, callers: Callers) -> None:
    with_idempotency_key(case)
    # The own key: every check schemathesis has (it resends the case without a key and with a
    # wrong one, and expects 401: ``ignored_auth``).
    response = case.call_and_validate(
        base_url=f"http://{FERRUM}",
        headers=callers.own,
        excluded_checks=[positive_data_acceptance],
    )
    if case.meta is not None and case.meta.generation.mode.is_positive:
        assert_valid_request_accepted(response, case)
    protected = bool(case.operation.definition.raw.get("security"))
    for name, headers in callers.foreign.items():
        response = case.call(base_url=f"http://{FERRUM}", headers=headers)
        case.validate_response(response, checks=CONFORMANCE, headers=headers)
        if protected:
            # Refused before anything is read: 401/403, or 405 for a method the address lacks.
            assert response.status_code in (401, 403, 405), (name, response.status_code)


def test_the_served_document_is_the_tested_one(client, world: World) -> None:
    served = client.get("/api/v1/openapi.json", HTTP_HOST=FERRUM)
    assert served.status_code == 200
    assert served.json() == openapi_document()
    assert served.json()["openapi"] == "3.1.0"

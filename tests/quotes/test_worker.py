"""The path production takes for quotes: the commit sends the outbox task to the broker and a
worker process carries the request into the ERP, then the acceptance (no eager call here; the
other quote tests run the outbox's processing in-process)."""

from __future__ import annotations

import os
import secrets
import time
from decimal import Decimal

import pytest
from django.db import connection

from storefleet.accounts.principal import Principal
from storefleet.outbox.models import Message, State
from storefleet.quotes import services
from storefleet.quotes.kinds import ACCEPT_QUOTE, REQUEST_QUOTE
from storefleet.quotes.models import QuoteRequest, QuoteState
from tests.worker_support import PLATFORM, WorkerProcess, database_url, shared_broker

from .test_services import erp_lines, erp_sale


def wait_for(quote_id: int, state: str, seconds: float = 120) -> QuoteRequest:
    deadline = time.monotonic() + seconds
    while True:
        quote = QuoteRequest.objects.get(id=quote_id)
        if quote.state == state or time.monotonic() > deadline:
            return quote
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_a_worker_carries_a_request_and_its_acceptance_into_the_erp(shop, validity, tmp_path):
    server = shop.server
    with shared_broker(tmp_path) as broker_env:
        env = {
            **os.environ,
            **broker_env,
            "DJANGO_SETTINGS_MODULE": "storefleet.settings.test",
            "PYTHONPATH": str(PLATFORM),
            "DATABASE_URL": database_url(connection.settings_dict),
            "ERP_URL": server.url,
            "ERP_DATABASE": server.database,
            "ERP_USER": server.user,
            "STOREFLEET_ERP_PASSWORD": server.password,
            "ERP_SYNC_PRODUCTS_SECONDS": "3600",
            "ERP_SYNC_CUSTOMERS_SECONDS": "3600",
        }
        worker = WorkerProcess(env, tmp_path / "worker.log", args=("--pool=solo",))
        worker.start()
        try:
            membership = shop.membership("C-1004")
            quote = services.quote_request(
                principal=Principal.for_member(store=shop.store, membership=membership),
                request=services.QuoteRequestInput(
                    token=secrets.token_hex(16),
                    lines=(services.WantedLine("FAS-1003", Decimal(10)),),
                    message="By the worker",
                ),
            )
            quoted = wait_for(quote.id, QuoteState.QUOTED)
            assert quoted.state == QuoteState.QUOTED, worker.log()[-3000:]
            assert erp_sale(shop, quoted.erp_number)["state"] == "quotation"
            services.quote_accept(
                principal=Principal.for_member(store=shop.store, membership=membership),
                quote_id=quote.id,
            )
            ordered = wait_for(quote.id, QuoteState.ORDERED)
        finally:
            worker.stop()
            from storefleet.celery import app

            app.control.purge()
    assert ordered.state == QuoteState.ORDERED, worker.log()[-3000:]
    assert erp_sale(shop, ordered.erp_number)["state"] in ("confirmed", "processing")
    assert [sku for sku, _price, _note in erp_lines(shop, ordered.erp_number)] == ["FAS-1003"]
    for kind in (REQUEST_QUOTE, ACCEPT_QUOTE):
        (message,) = Message.objects.filter(kind=kind)
        assert message.state == State.DONE and message.attempts == 1

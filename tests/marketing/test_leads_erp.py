"""Leads carried into the real reference ERP (Tryton's ``sale.opportunity``, state ``lead``):
once per lead however often the outbox sends it, and late rather than lost when the ERP is away."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from storefleet.erp.errors import ErpUnavailable
from storefleet.erp.types import LeadRequest
from storefleet.marketing import services
from storefleet.marketing.kinds import CREATE_LEAD
from storefleet.marketing.models import Lead
from storefleet.outbox.models import Message, State
from storefleet.outbox.processing import message_process
from storefleet.tenants.selectors import store_for_hostname
from tests.erp.conftest import point_gateway_at
from tests.marketing.conftest import SKU_QUESTION, answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(settings, fresh_erp_server):
    return point_gateway_at(settings, fresh_erp_server)


def _submit(form, **changes) -> Lead:
    store = store_for_hostname("ferrum.localhost")
    assert store is not None
    lead = services.lead_submit(
        store=store, page=form, data=answers(**changes), address="203.0.113.9", language="en"
    )
    assert lead is not None
    return lead


def _opportunities(server, key: str) -> list[dict]:
    return server.client().search_read(
        "sale.opportunity",
        [["reference", "=", f"storefleet:lead:{key}"]],
        ["number", "state", "description", "comment", "party"],
    )


def test_a_lead_becomes_one_erp_lead_however_often_it_is_sent(
    gateway, fresh_erp_server, ferrum_form
):
    lead = _submit(ferrum_form)
    message = Message.objects.get(kind=CREATE_LEAD, subject=str(lead.id))
    outcome = message_process(message_id=message.id)
    assert outcome is not None and outcome.state == State.DONE
    [row] = _opportunities(fresh_erp_server, lead.key)
    assert row["state"] == "lead" and row["party"] is None
    assert row["description"] == "Contact sales: Analytical Engines Ltd"
    for line in (
        "Name: Ada Lovelace",
        "E-mail: ada@analytical.example",
        "Phone: +44 20 1234",
        "Message: We need 20,000 M5 bolts a month.",
        f"{SKU_QUESTION}: FAS-1001",
        "Form: http://ferrum.localhost/contact/",
    ):
        assert line in row["comment"].splitlines()
    lead.refresh_from_db()
    assert (lead.erp_number, lead.erp_state) == (row["number"], "lead") and lead.sent_at
    # A redelivered task, a sweep or a retry after a lost answer: the same key, no second lead.
    again = services.lead_send(Message.objects.get(id=message.id))
    assert again.state == State.DONE
    second = gateway.create_lead(lead=services.lead_request(lead))
    assert (second.number, second.created) == (row["number"], False)
    assert len(_opportunities(fresh_erp_server, lead.key)) == 1


def test_a_lead_sent_while_the_erp_is_down_arrives_once_it_is_back(
    gateway, fresh_erp_server, ferrum_form
):
    lead = _submit(ferrum_form, name="Grace Hopper", company="")
    message = Message.objects.get(kind=CREATE_LEAD, subject=str(lead.id))
    fresh_erp_server.stop()
    try:
        with pytest.raises(ErpUnavailable):
            message_process(message_id=message.id, claim=0)
    finally:
        fresh_erp_server.start()
    cache.delete_many(["erp:breaker:opened_at", "erp:breaker:failures"])
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.PENDING, 1) and message.last_error
    assert Lead.objects.get(id=lead.id).sent_at is None
    assert _opportunities(fresh_erp_server, lead.key) == []

    outcome = message_process(message_id=message.id)
    assert outcome is not None and outcome.state == State.DONE
    [row] = _opportunities(fresh_erp_server, lead.key)
    assert row["description"] == "Contact sales: Grace Hopper"
    assert Lead.objects.get(id=lead.id).erp_number == row["number"]


def test_a_hostile_lead_is_written_as_text(gateway, fresh_erp_server):
    result = gateway.create_lead(
        lead=LeadRequest(
            idempotency_key="hostile-1",
            title="Contact sales",
            contact_name="'); DROP TABLE sale_opportunity; --",
            email="x@y.example",
            company_name="<script>alert(1)</script>" * 20,
            details=(("Message", "\u202e" + "Ω" * 4000),),
        )
    )
    assert result.created and result.state == "lead"
    [row] = _opportunities(fresh_erp_server, "hostile-1")
    assert len(row["description"]) == 120
    assert "Name: '); DROP TABLE sale_opportunity; --" in row["comment"]


def test_a_product_offer_says_its_availability_from_the_erp_beside_a_list_price(
    client, gateway, fresh_erp_server, ferrum
):
    import json
    import re

    from storefleet.catalog.models import AnonymousPrices, CatalogPage
    from storefleet.tenants.models import Store
    from storefleet.tenants.services import store_host_map_invalidate
    from tests.erp.conftest import mirror_master_data

    mirror_master_data(fresh_erp_server)
    Store.objects.filter(pk=ferrum.store.pk).update(erp_warehouse="WH-EU")
    store_host_map_invalidate()
    catalog = CatalogPage(title="Products", slug="catalog", per_page=24)
    ferrum.home.add_child(instance=catalog)
    catalog.save_revision().publish()

    def offer() -> dict | None:
        body = client.get("/catalog/FAS-1001/", HTTP_HOST="ferrum.localhost").content.decode()
        found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
        [product] = [i for i in json.loads(found[0]) if i["@type"] == "Product"]
        return product.get("offers")

    assert offer() is None  # "sign in for your price": neither price nor stock to the world
    catalog.anonymous_prices = AnonymousPrices.LIST_PRICE
    catalog.save_revision().publish()
    listed = offer()
    assert listed is not None
    assert listed["availability"] in (
        "https://schema.org/InStock",
        "https://schema.org/BackOrder",
        "https://schema.org/OutOfStock",
    )

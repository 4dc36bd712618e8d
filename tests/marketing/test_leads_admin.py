"""The store's sales team sees its leads and where each stands in the ERP, in the Wagtail
admin; a brand's editors never see another brand's leads (walls as a matrix)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from storefleet.marketing import services
from storefleet.marketing.models import Lead
from storefleet.outbox.models import Message, State
from storefleet.tenants.selectors import store_for_hostname
from tests.factories import PASSWORD
from tests.marketing.conftest import answers

pytestmark = pytest.mark.django_db


def _lead(host: str, form, name: str) -> Lead:
    store = store_for_hostname(host)
    assert store is not None
    lead = services.lead_submit(
        store=store, page=form, data=answers(name=name), address=None, language="en"
    )
    assert lead is not None
    return lead


@pytest.fixture
def leads(ferrum, hydra, ferrum_form, hydra_form):
    ferrum_lead = _lead("ferrum.localhost", ferrum_form, "Ferrum Prospect")
    hydra_lead = _lead("hydra.localhost", hydra_form, "Hydra Prospect")
    Lead.objects.filter(id=ferrum_lead.id).update(erp_number="OPP-7", erp_state="lead")
    Lead.objects.filter(id=ferrum_lead.id).update(sent_at="2026-01-01T00:00:00Z")
    Message.objects.filter(subject=str(hydra_lead.id)).update(last_error="connection refused")
    return {"ferrum": ferrum_lead, "hydra": hydra_lead}


def _client(client, user):
    client.force_login(user)
    client.defaults["HTTP_HOST"] = "localhost"  # the admin's host
    return client


@pytest.mark.parametrize(
    ("who", "sees", "hidden"),
    [("ferrum", "ferrum", "hydra"), ("hydra", "hydra", "ferrum")],
)
def test_an_editor_sees_their_own_stores_leads_only(
    client, ferrum, hydra, leads, who, sees, hidden
):
    editor = {"ferrum": ferrum, "hydra": hydra}[who].editor
    _client(client, editor)
    body = client.get("/admin/leads/").content.decode()
    assert f"{sees.capitalize()} Prospect" in body
    assert f"{hidden.capitalize()} Prospect" not in body
    assert client.get(f"/admin/leads/{leads[sees].id}/").status_code == 200
    assert client.get(f"/admin/leads/{leads[hidden].id}/").status_code == 404
    # The other store's id as a filter shows nothing, as an unknown one does.
    hidden_store = leads[hidden].store_id
    body = client.get(f"/admin/leads/?store={hidden_store}").content.decode()
    assert "Prospect" not in body
    for junk in ("x", "-1", "9" * 40, "\uff11"):  # the last: a full-width digit one
        assert client.get(f"/admin/leads/?store={junk}&p={junk}").status_code == 200


def test_the_listing_says_where_each_lead_stands_in_the_erp(client, leads):
    admin = get_user_model().objects.create_superuser("it", "it@example.com", PASSWORD)
    body = _client(client, admin).get("/admin/leads/").content.decode()
    assert "Ferrum Prospect" in body and "Hydra Prospect" in body
    assert "OPP-7 (lead)" in body
    assert "Waiting to reach the ERP (connection refused)" in body
    Message.objects.filter(subject=str(leads["hydra"].id)).update(
        state=State.FAILED, last_error="no company"
    )
    detail = client.get(f"/admin/leads/{leads['hydra'].id}/").content.decode()
    assert "Refused by the ERP: no company" in detail


def test_someone_without_a_store_sees_no_leads_and_no_menu(client, leads):
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("agent", "agent@example.com", PASSWORD)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    _client(client, user)
    assert "/admin/leads/" not in client.get("/admin/").content.decode()
    body = client.get("/admin/leads/").content.decode()
    assert "Prospect" not in body and "No leads yet." in body

"""A lead form on the storefront: shown, taken in (kept, acknowledged in the store's language,
owed to the ERP), and what it refuses — bots, floods, hostile input — without a 500 and without
keeping anything."""

from __future__ import annotations

import pytest
from django.core import mail

from storefleet.marketing.kinds import CREATE_LEAD
from storefleet.marketing.models import Lead
from storefleet.outbox.models import Message, State
from storefleet.tenants.models import Store
from storefleet.tenants.services import store_host_map_invalidate
from tests.marketing.conftest import SKU_QUESTION, answers

pytestmark = pytest.mark.django_db

FERRUM = "ferrum.localhost"
HYDRA = "hydra.localhost"


def _post(client, data, host=FERRUM, address="203.0.113.7", path="/contact/"):
    return client.post(path, data, HTTP_HOST=host, REMOTE_ADDR=address)


def test_the_form_asks_who_is_asking_the_editors_questions_and_hides_a_honeypot(
    client, ferrum_form
):
    response = client.get("/contact/", HTTP_HOST=FERRUM)
    body = response.content.decode()
    assert response.status_code == 200
    for name in ("name", "email", "company", "phone", "message", "sample_sku", "homepage"):
        assert f'name="{name}"' in body
    assert SKU_QUESTION in body
    assert 'aria-hidden="true"' in body and 'tabindex="-1"' in body
    # The form carries the visitor's own CSRF token: never kept by the page cache.
    assert "private" in response["Cache-Control"]
    assert "X-Storefleet-Cache" not in client.get("/contact/", HTTP_HOST=FERRUM)


def test_a_submission_is_kept_acknowledged_and_owed_to_the_erp(
    client, ferrum_form, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, answers())
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    lead = Lead.objects.get()
    assert (lead.store.slug, lead.page_id, lead.name, lead.email, lead.company_name) == (
        "ferrum",
        ferrum_form.pk,
        "Ada Lovelace",
        "ada@analytical.example",
        "Analytical Engines Ltd",
    )
    assert lead.form_data["sample_sku"] == "FAS-1001" and "homepage" not in lead.form_data
    message = Message.objects.get(kind=CREATE_LEAD)
    assert (message.subject, message.key, message.state) == (str(lead.id), lead.key, State.PENDING)
    [ack] = mail.outbox
    assert ack.to == ["ada@analytical.example"]
    assert "Hello Ada Lovelace" in ack.body and "Ferrum Industrial Components" in ack.subject


def test_the_acknowledgement_is_in_the_stores_language(
    client, ferrum_form, django_capture_on_commit_callbacks
):
    Store.objects.filter(slug="ferrum").update(default_language="de")
    store_host_map_invalidate()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, answers())
    assert response.status_code == 200
    assert "Vielen Dank" in response.content.decode()
    [ack] = mail.outbox
    assert "Guten Tag Ada Lovelace" in ack.body
    assert "wir haben Ihre Nachricht erhalten" in ack.subject


def test_a_bot_that_fills_in_the_honeypot_is_thanked_and_nothing_is_kept(
    client, ferrum_form, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, answers(homepage="http://spam.example"))
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert not Lead.objects.exists() and not Message.objects.exists() and not mail.outbox


def test_an_address_that_sends_too_much_is_refused_with_when_to_try_again(
    client, ferrum_form, hydra_form, settings
):
    settings.MARKETING_LEAD_RATE_LIMIT = 2
    assert [_post(client, answers()).status_code for _ in range(2)] == [200, 200]
    refused = _post(client, answers(name="Third"))
    assert refused.status_code == 429
    assert "try again in 10 minutes" in refused.content.decode()
    assert Lead.objects.count() == 2 and not Lead.objects.filter(name="Third").exists()
    # Counted per store and address: another visitor, or another store, is not held up.
    assert _post(client, answers(), address="198.51.100.1").status_code == 200
    assert _post(client, answers(), host=HYDRA).status_code == 200
    assert Lead.objects.filter(store__slug="hydra").count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"message": "x" * 5001}, "message"),
        ({"name": "Ada\x00Lovelace"}, "name"),
    ],
)
def test_hostile_or_wrong_input_is_refused_with_what_to_fix_and_nothing_kept(
    client, ferrum_form, changes, field
):
    response = _post(client, answers(**changes))
    assert response.status_code == 400
    assert 'class="form-field__error"' in response.content.decode()
    assert not Lead.objects.exists() and not Message.objects.exists()


def test_a_form_post_with_a_list_for_a_field_or_no_fields_is_no_server_error(client, ferrum_form):
    assert _post(client, {"name": ["a", "b"], "email": ["x@y.example"]}).status_code == 200
    assert _post(client, {}).status_code == 400
    response = client.post(
        "/contact/",
        b"\xff\xfe garbage",
        content_type="application/x-www-form-urlencoded",
        HTTP_HOST=FERRUM,
    )
    assert response.status_code == 400
    assert Lead.objects.count() == 1


def test_a_lead_outlives_its_form_page(client, ferrum_form):
    from storefleet.marketing.services import lead_request

    assert _post(client, answers()).status_code == 200
    ferrum_form.delete()
    lead = Lead.objects.get()
    assert lead.page is None and lead.form_data["sample_sku"] == "FAS-1001"
    request = lead_request(lead)
    assert (request.contact_name, request.source_url) == ("Ada Lovelace", "")
    assert ("sample_sku", "FAS-1001") in request.details

"""Platform IT's ERP screen: what is configured, how calls go, and a connection test."""

from __future__ import annotations

import pytest

from tests.erp.conftest import point_gateway_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform_it(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("it", "it@example.com", "x"))
    return client


def test_test_connection_reports_what_the_erp_has(platform_it, settings, erp_server):
    point_gateway_at(settings, erp_server)
    response = platform_it.post("/admin/erp/", HTTP_HOST="localhost")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Connected" in body
    assert "Ferrum Industrial Components" in body
    assert "<code>WH-EU</code>" in body and "<code>WH-US</code>" in body
    assert "Contract A" in body and "Contract B" in body
    assert "password" not in response.context["connection"]
    # The connection test was counted and timed like every backend call.
    listing = platform_it.get("/admin/erp/", HTTP_HOST="localhost").content.decode()
    assert "<code>test_connection</code>" in listing


def test_an_unreachable_erp_gets_a_clear_message_not_a_crash(platform_it, settings, erp_server):
    point_gateway_at(settings, erp_server)
    settings.ERP_URL = "http://127.0.0.1:9/"  # nothing listens on the discard port
    response = platform_it.post("/admin/erp/", HTTP_HOST="localhost")
    assert response.status_code == 200
    body = response.content.decode()
    assert "The ERP did not answer as expected." in body
    assert "cannot reach the ERP" in body  # the technical cause, for platform IT


def test_marketing_editors_cannot_see_the_erp_screen(client, ferrum):
    client.force_login(ferrum.editor)
    response = client.get("/admin/erp/", HTTP_HOST="localhost")
    assert response.status_code in (302, 403)
    assert (
        "Circuit breaker"
        not in client.get("/admin/erp/", HTTP_HOST="localhost", follow=True).content.decode()
    )


def test_the_call_statistics_show_counts_that_match_their_times(platform_it):
    from django.core.cache import cache

    from storefleet.erp import resilience

    resilience.record("prices", 1200.0, "ok")
    resilience.record("prices", 300.0, "unavailable")
    cache.clear()  # a culled cache once left "0 calls" beside a max of 1.2 s
    body = platform_it.get("/admin/erp/", HTTP_HOST="localhost").content.decode()
    assert (
        "<tr><td><code>prices</code></td><td>2</td><td>1</td><td>750.0</td><td>1200.0</td></tr>"
        in body
    )

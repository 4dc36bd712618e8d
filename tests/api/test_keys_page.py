"""The company admin's API keys page: a key is made for the company in this store, its text
shown once; the list shows prefix, scopes, expiry and last use; revoking stops the key at once.
Buyers who are not admins, and admins of another company, can't reach or revoke it."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model

from storefleet.accounts.models import MemberRole, Membership
from storefleet.api.models import ApiKey, KeyKind

from .conftest import FERRUM, HYDRA, bearer

pytestmark = pytest.mark.django_db

KEY = re.compile(r"sfk_[A-Za-z0-9]{12}_[A-Za-z0-9]{40}")
# An expiry date half a year out, whatever day the suite runs on.
LATER = datetime.date.today() + datetime.timedelta(days=180)


def _make(client, **fields):
    data = {
        "name": "ERP connector",
        "scopes": ["catalog:read", "orders:read"],
        "expires_on": "2099-01-01",
    }
    data.update(fields)
    return client.post("/account/api-keys/", data, HTTP_HOST=FERRUM)


def test_an_admin_makes_a_key_sees_it_once_and_revokes_it(client, world, settings):
    settings.TIME_ZONE = "UTC"
    client.force_login(world.admins["C-1001"])
    company_page = client.get(
        f"/account/companies/{world.companies['C-1001'].id}/", HTTP_HOST=FERRUM
    )
    assert b'href="/account/api-keys/"' in company_page.content
    data = {
        "name": "ERP connector",
        "scopes": ["catalog:read", "orders:read"],
        "expires_on": LATER.isoformat(),
    }
    response = client.post("/account/api-keys/", data, HTTP_HOST=FERRUM)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    (text,) = KEY.findall(response.content.decode())
    key = ApiKey.objects.get()
    assert (key.kind, key.company, key.store_id, key.scopes) == (
        KeyKind.COMPANY,
        world.companies["C-1001"],
        world.stores[FERRUM].id,
        ["catalog:read", "orders:read"],
    )
    assert text.split("_")[1] == key.prefix and text not in key.digest
    # Shown once: the list shows the prefix only.
    listing = client.get("/account/api-keys/", HTTP_HOST=FERRUM).content.decode()
    assert not KEY.findall(listing)
    assert f"sfk_{key.prefix}…" in listing and "catalog:read, orders:read" in listing
    assert "never" in listing and f"{LATER.day} {LATER:%b %Y}" in listing
    assert client.get("/api/v1/orders", HTTP_HOST=FERRUM, **bearer(text)).status_code == 200
    assert "never" not in client.get("/account/api-keys/", HTTP_HOST=FERRUM).content.decode()

    client.post(f"/account/api-keys/{key.id}/revoke/", HTTP_HOST=FERRUM)
    assert ApiKey.objects.get().revoked_at is not None
    assert client.get("/api/v1/orders", HTTP_HOST=FERRUM, **bearer(text)).status_code == 401
    assert "revoked" in client.get("/account/api-keys/", HTTP_HOST=FERRUM).content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"scopes": []}, "This field is required"),
        ({"scopes": ["admin:everything"]}, "Select a valid choice"),
        ({"expires_on": "2001-01-01"}, "Choose a date after today"),
        ({"expires_on": "2099-01-01"}, "at most two years"),
        ({"expires_on": "soon"}, "Enter a valid date"),
    ],
)
def test_a_bad_key_form_says_what_to_fix_and_makes_nothing(client, world, fields, message):
    client.force_login(world.admins["C-1001"])
    response = _make(client, **{"expires_on": LATER.isoformat(), **fields})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApiKey.objects.exists()


def test_an_admin_may_grant_order_placement_and_webhooks(client, world):
    client.force_login(world.admins["C-1001"])
    in_a_month = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    response = _make(client, scopes=["orders:write", "webhooks"], expires_on=in_a_month)
    assert response.status_code in (200, 302), response.content.decode()[:500]
    assert sorted(ApiKey.objects.get().scopes) == ["orders:write", "webhooks"]


def test_buyers_who_are_not_admins_and_other_companies_cant_reach_keys(client, world):
    buyer = get_user_model().objects.create_user("b@x.example", "b@x.example", "x")
    Membership.objects.create(user=buyer, company=world.companies["C-1001"], role=MemberRole.BUYER)
    client.force_login(buyer)
    assert client.get("/account/api-keys/", HTTP_HOST=FERRUM).status_code == 404
    assert _make(client, expires_on=LATER.isoformat()).status_code == 404
    world.key("C-1001", FERRUM)
    key = ApiKey.objects.get()
    # Van der Berg's admin can't revoke Nordwerk's key, nor list it.
    client.force_login(world.admins["C-1004"])
    assert client.post(f"/account/api-keys/{key.id}/revoke/", HTTP_HOST=FERRUM).status_code == 404
    assert key.prefix not in client.get("/account/api-keys/", HTTP_HOST=FERRUM).content.decode()
    # Nordwerk's admin sees the Ferrum key on Ferrum only, not on Hydra.
    client.force_login(world.admins["C-1001"])
    assert key.prefix in client.get("/account/api-keys/", HTTP_HOST=FERRUM).content.decode()
    assert key.prefix not in client.get("/account/api-keys/", HTTP_HOST=HYDRA).content.decode()
    assert ApiKey.objects.get().revoked_at is None


def test_platform_it_makes_a_partner_key_in_the_admin_shown_once(client, world):
    admin = get_user_model().objects.create_superuser("it", "it@example.com", "x")
    client.force_login(admin)
    response = client.post(
        "/django-admin/api/apikey/add/",
        {
            "name": "Distributor",
            "scopes": ["catalog:read"],
            "stores": [world.stores[FERRUM].id],
            "companies": [world.companies["C-1001"].id],
            "expires_at_0": LATER.isoformat(),
            "expires_at_1": "00:00:00",
        },
        HTTP_HOST="localhost",
        follow=True,
    )
    assert response.status_code == 200
    (text,) = KEY.findall(response.content.decode())
    key = ApiKey.objects.get()
    assert key.kind == KeyKind.PARTNER and list(key.companies.all()) == [world.companies["C-1001"]]
    acting = bearer(text, HTTP_STOREFLEET_COMPANY="C-1001")
    assert (
        client.get("/api/v1/catalog/products?sku=BRG-1001", HTTP_HOST=FERRUM, **acting).status_code
        == 200
    )
    assert not KEY.findall(
        client.get(
            f"/django-admin/api/apikey/{key.id}/change/", HTTP_HOST="localhost"
        ).content.decode()
    )

"""The sandbox of a store: one command (``api_sandbox``) or one click (the company admin's API
keys page on a sandbox store) gives a partner a key to the same API on a copy of the store,
launched through the provisioning pipeline from the store's own folder against the reference
ERP. Sandbox keys hold every read and order scope and never act on a store that is not one."""

from __future__ import annotations

import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from storefleet.api.models import ApiKey, Scope
from storefleet.tenants.models import Store
from storefleet.tenants.services import store_host_map_invalidate

from .conftest import FERRUM, World, bearer

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
SANDBOX = "ferrum-sandbox.localhost"


def _sandbox(brands_dir: Path, *args: str) -> str:
    if not (brands_dir / "ferrum").exists():
        shutil.copytree(REPO / "brands" / "ferrum", brands_dir / "ferrum")
    out = StringIO()
    call_command("api_sandbox", "ferrum", *args, stdout=out)
    store_host_map_invalidate()
    return out.getvalue()


def test_one_command_makes_the_sandbox_and_a_key_the_live_store_refuses(
    client, world: World, brands_dir
):
    printed = _sandbox(brands_dir, "--company", "C-1001")

    sandbox = Store.objects.get(slug="ferrum-sandbox")
    assert (sandbox.sandbox, sandbox.status, sandbox.site.hostname) == (True, "live", SANDBOX)
    assert Store.objects.get(slug="ferrum").sandbox is False
    text = re.search(r"Key \(shown once, valid 30 days\): (sfk_\w+)", printed).group(1)
    assert f"Base URL: {sandbox.base_url}/api/v1/" in printed
    assert f"curl -H 'Authorization: Bearer {text}' '{sandbox.base_url}/api/v1/" in printed
    key = ApiKey.objects.get(store=sandbox)
    assert (key.sandbox, key.company.code) == (True, "C-1001")
    assert sorted(key.scopes) == sorted(s.value for s in Scope)

    answer = client.get("/api/v1/catalog/products?sku=BRG-1001", HTTP_HOST=SANDBOX, **bearer(text))
    assert answer.status_code == 200, answer.content[:300]
    assert [item["sku"] for item in answer.json()["items"]] == ["BRG-1001"]
    assert answer.json()["items"][0]["price"]["unit_price"]["currency"] == "EUR"

    refused = client.get("/api/v1/catalog/products?sku=BRG-1001", HTTP_HOST=FERRUM, **bearer(text))
    assert refused.status_code == 401
    # The wall holds even for a key row that names the live store (made or moved by hand).
    ApiKey.objects.filter(pk=key.pk).update(store=world.stores[FERRUM])
    moved = client.get("/api/v1/catalog/products?sku=BRG-1001", HTTP_HOST=FERRUM, **bearer(text))
    assert moved.status_code == 401

    # Again: the sandbox is reused, and a second fresh key is made.
    _sandbox(brands_dir)
    assert Store.objects.filter(slug__startswith="ferrum-sandbox").count() == 1
    assert ApiKey.objects.filter(sandbox=True).count() == 2


def test_the_command_says_what_to_do_for_an_unknown_store_or_company(world: World, brands_dir):
    with pytest.raises(Exception, match="No store 'nowhere'"):
        call_command("api_sandbox", "nowhere", stdout=StringIO())
    with pytest.raises(Exception, match="No company 'C-0000'"):
        _sandbox(brands_dir, "--company", "C-0000")
    assert not Store.objects.filter(sandbox=True).exists()
    assert not ApiKey.objects.filter(sandbox=True).exists()


def test_one_click_on_a_sandbox_store_and_none_on_the_live_one(client, world: World, brands_dir):
    _sandbox(brands_dir)
    ApiKey.objects.all().delete()
    client.force_login(world.admins["C-1001"])

    live_page = client.get("/account/api-keys/", HTTP_HOST=FERRUM)
    assert live_page.status_code == 200
    assert b"data-sandbox-key" not in live_page.content
    refused = client.post("/account/api-keys/", {"action": "sandbox"}, HTTP_HOST=FERRUM)
    assert refused.status_code == 400
    assert not ApiKey.objects.exists()

    page = client.get("/account/api-keys/", HTTP_HOST=SANDBOX)
    assert b"data-sandbox-key" in page.content
    made = client.post("/account/api-keys/", {"action": "sandbox"}, HTTP_HOST=SANDBOX)
    assert made.status_code == 200
    key = ApiKey.objects.get()
    assert (key.sandbox, key.store.slug, key.company.code) == (True, "ferrum-sandbox", "C-1001")
    text = re.search(rb"data-api-key>(sfk_\w+)<", made.content).group(1).decode()
    assert client.get("/api/v1/credit", HTTP_HOST=SANDBOX, **bearer(text)).status_code == 200
    assert client.get("/api/v1/credit", HTTP_HOST=FERRUM, **bearer(text)).status_code == 401

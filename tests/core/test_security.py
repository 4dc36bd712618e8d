"""Security headers (storefleet.security, settings): every response carries the same ones,
whether rendered or answered from a page cache, on the storefront and in the admin; the
storefront's Content-Security-Policy allows no inline script but by nonce, the admin's what
Wagtail needs."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _policy(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    directives = [d.strip().split() for d in response["Content-Security-Policy"].split(";")]
    return {d[0]: d[1:] for d in directives if d}


def _assert_headers(response) -> None:  # type: ignore[no-untyped-def]
    for name, value in HEADERS.items():
        assert response[name] == value, name
    assert "Content-Security-Policy" in response


def test_storefront_pages_fresh_and_cached_carry_the_same_headers(client, ferrum):
    miss = client.get("/", HTTP_HOST="ferrum.localhost")
    hit = client.get("/", HTTP_HOST="ferrum.localhost")
    assert (miss["X-Storefleet-Cache"], hit["X-Storefleet-Cache"]) == ("miss", "hit")
    for response in (miss, hit):
        _assert_headers(response)
    assert _policy(miss) == _policy(hit)
    policy = _policy(hit)
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]


def test_the_storefront_has_no_inline_script(client, ferrum):
    """The strict script-src holds only while the storefront's pages carry no inline script
    (the brand's one script is a file). JSON-LD is a data block, never run (CSP does not
    apply to it), and nothing else may be inline."""
    body = client.get("/", HTTP_HOST="ferrum.localhost").content.decode()
    scripts = re.findall(r"<script(?P<attrs>[^>]*)>", body)
    code = [attrs for attrs in scripts if attrs != ' type="application/ld+json"']
    assert code and all("src=" in attrs for attrs in code)
    assert len(scripts) - len(code) == 1  # the structured data
    assert not re.search(r"\son[a-z]+=", body)


def test_unknown_hosts_and_sign_in_pages_carry_them_too(client, ferrum):
    _assert_headers(client.get("/", HTTP_HOST="nowhere.localhost"))
    _assert_headers(client.get("/account/sign-in/", HTTP_HOST="ferrum.localhost"))
    _assert_headers(client.get("/admin/login/", HTTP_HOST="localhost"))


def test_admin_pages_render_under_the_admins_policy(client, ferrum):
    client.force_login(User.objects.create_superuser("it", "it@example.com", "x"))
    for url in (
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{ferrum.home.pk}/",
        f"/admin/pages/{ferrum.home.pk}/edit/",
        f"/admin/settings/brand/brandsettings/{ferrum.store.site_id}/",
        "/admin/images/",
        "/django-admin/",
    ):
        response = client.get(url, HTTP_HOST="localhost")
        assert response.status_code == 200, url
        _assert_headers(response)
        policy = _policy(response)
        assert policy["script-src"] == ["'self'", "'unsafe-inline'", "'unsafe-eval'"], url

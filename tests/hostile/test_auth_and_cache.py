"""Hostile input to the sign-in forms and the page caches.

Sign-in (storefront and admin): any username and password answer without a server error, an
account that doesn't exist is refused exactly like one that does, and nothing is written but
axes' own records of the attempt (its tables are not among the harness's row counts). Query
strings on cached pages: any junk answers, and a parameter the page doesn't read makes no new
cache entry. And the number of wrong passwords before a lockout, which make bench-security
reports as ``login_attempts_before_lockout`` (the setting
``STOREFLEET_LOGIN_ATTEMPTS_BEFORE_LOCKOUT``)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from storefleet.catalog.models import CatalogPage
from tests.accounts.conftest import make_company
from tests.catalog.factories import catalog_page_make
from tests.factories import PASSWORD
from tests.hostile.harness import (
    check_refusal,
    check_response,
    hostile,
    nothing_written,
    record,
)
from tests.hostile.strategies import hostile_text

pytestmark = pytest.mark.django_db

STORE = "ferrum.localhost"
LOCKED = "Too many failed sign-ins"
# The storefront's sign-in (Django's message) and Wagtail's.
WRONG_PASSWORD = re.compile(r"Please enter a correct|username and password didn")


@pytest.fixture
def buyer(ferrum):  # type: ignore[no-untyped-def]
    return make_company("C-HOST", "Hostile Testing", 777, [ferrum.store]).buyer


def _post(client: Client, url: str, host: str, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(url, {"username": username, "password": password}, HTTP_HOST=host)


def _form_errors(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    form = response.context["form"] if response.context else None
    return {} if form is None else {k: list(v) for k, v in form.errors.items()}


def check_same_refusal_for_unknown_and_known(
    client: Client, url: str, host: str, known: str, username: str, password: str
) -> None:
    # Each example starts with no failures counted, so it sees the ordinary refusal (the
    # lockout is the next test's subject).
    AccessAttempt.objects.all().delete()
    with nothing_written():
        unknown = _post(client, url, host, username, password)
        real = _post(client, url, host, known, password)
    check_refusal(unknown)
    check_refusal(real)
    assert unknown.status_code == real.status_code == 200
    assert "_auth_user_id" not in client.session
    unknown_errors, real_errors = _form_errors(unknown), _form_errors(real)
    assert unknown_errors and real_errors  # each says what was wrong
    if "username" not in unknown_errors:  # a username the form took reached the account check
        assert unknown_errors == real_errors


@hostile
@given(username=hostile_text(), password=hostile_text())
def test_storefront_sign_in_takes_any_fields(client, buyer, username, password):
    check_same_refusal_for_unknown_and_known(
        client, "/account/sign-in/", STORE, buyer.email, username, password
    )


@hostile
@given(username=hostile_text(), password=hostile_text())
def test_admin_login_takes_any_fields(client, ferrum, username, password):
    check_same_refusal_for_unknown_and_known(
        client, "/admin/login/", "localhost", "ferrum.editor", username, password
    )


@pytest.mark.parametrize(
    ("url", "host", "account"),
    [("/account/sign-in/", STORE, "buyer"), ("/admin/login/", "localhost", "ferrum.editor")],
)
def test_wrong_passwords_before_lockout(client, buyer, url, host, account):
    """Counts the wrong passwords one account gets from one client until the lockout; the
    right password is refused after it."""
    username = buyer.email if account == "buyer" else account
    attempts = 0
    while attempts < 100:
        attempts += 1
        response = _post(client, url, host, username, "not-the-password")
        if response.status_code == 429:
            break
        check_refusal(response, says=WRONG_PASSWORD)
    check_refusal(response, says=LOCKED)
    assert attempts == settings.STOREFLEET_LOGIN_ATTEMPTS_BEFORE_LOCKOUT == 5
    record("login_attempts_before_lockout", attempts)
    locked = _post(client, url, host, username, PASSWORD)
    check_refusal(locked, says="try again in 15 minutes")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def _entries() -> int | None:
    """How many entries the cache holds (None for a backend that can't say)."""
    store = getattr(cache, "_cache", None)
    if isinstance(store, dict):  # local memory
        return len(store)
    client = getattr(store, "get_client", None)
    if client is not None:  # Redis
        return int(client().dbsize())
    return None


def _warm(client: Client, path: str) -> None:
    for _ in range(2):
        response = client.get(path, HTTP_HOST=STORE)
    assert response["X-Storefleet-Cache"] == "hit", path


@pytest.fixture
def catalog(ferrum) -> CatalogPage:  # type: ignore[no-untyped-def]
    return catalog_page_make(ferrum.home)


@hostile
@given(
    params=st.lists(st.tuples(hostile_text(max_size=40), hostile_text(max_size=200)), max_size=4)
)
def test_junk_parameters_on_cached_pages_make_no_entries(client, catalog, params):
    reads = CatalogPage.cache_query_parameters
    junk = [(name, value) for name, value in params if name not in reads]
    _warm(client, "/")
    _warm(client, "/catalog/?q=bolt")
    before = _entries()
    for path in ("/?", "/catalog/?q=bolt&"):
        response = client.get(path + urlencode(junk), HTTP_HOST=STORE)
        check_response(response)
        assert response.status_code == 200
        assert response["X-Storefleet-Cache"] == "hit", path + urlencode(junk)
    assert _entries() == before


@hostile
@given(raw=hostile_text())
def test_any_raw_query_string_on_a_cached_page(client, catalog, raw):
    """Whatever bytes come after the ``?``: an answer, and on the home page (which reads no
    parameter) the one cached entry."""
    _warm(client, "/")
    before = _entries()
    # WSGI hands the query string over as bytes decoded as latin-1.
    query = raw.encode("utf-8", "surrogatepass").decode("latin-1")
    response = client.get("/", QUERY_STRING=query, HTTP_HOST=STORE)
    check_response(response)
    assert response["X-Storefleet-Cache"] == "hit"
    assert _entries() == before
    # The catalog reads some parameters: any value answers, and without them the one entry.
    _warm(client, "/catalog/")
    response = client.get("/catalog/", QUERY_STRING=query, HTTP_HOST=STORE)
    check_response(response)
    if not set(QueryDict(query)) & CatalogPage.cache_query_parameters:
        assert response["X-Storefleet-Cache"] == "hit"

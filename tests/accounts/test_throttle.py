"""Sign-in throttling (storefleet.accounts.throttle, django-axes): on the storefront and the
admin, counted by account and client, the same refusal for accounts that exist and that don't,
saying when to try again, and audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, RequestFactory, override_settings

from storefleet.accounts.throttle import client_address
from tests.factories import PASSWORD

from .conftest import FERRUM_HOST

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"
ADMIN_LOGIN = "/admin/login/"
INVALID = "Please enter a correct"
LOCKED = (
    "Too many failed sign-ins. To protect the account, signing in is paused here: "
    "try again in 15 minutes."
)
LIMIT = settings.STOREFLEET_LOGIN_ATTEMPTS_BEFORE_LOCKOUT


def _sign_in(client: Client, username: str, password: str, *, ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(
        SIGN_IN,
        {"username": username, "password": password},
        HTTP_HOST=FERRUM_HOST,
        REMOTE_ADDR=ip,
    )


def _admin_login(client: Client, username: str, password: str, *, ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(
        ADMIN_LOGIN,
        {"username": username, "password": password},
        HTTP_HOST="localhost",
        REMOTE_ADDR=ip,
    )


def _errors(response) -> str:  # type: ignore[no-untyped-def]
    """The form's refusal as the page shows it (the alert above the fields)."""
    return " ".join(str(e) for e in response.context["form"].non_field_errors())


def test_the_limit_is_five_wrong_passwords_per_account_and_client():
    assert LIMIT == 5
    assert settings.AXES_FAILURE_LIMIT == LIMIT


def test_storefront_locks_after_the_limit_and_refuses_even_the_right_password(client, acme):
    email = acme.buyer.email
    for _ in range(LIMIT - 1):
        response = _sign_in(client, email, "wrong-password")
        assert response.status_code == 200
        assert INVALID in _errors(response)

    response = _sign_in(client, email, "wrong-password")
    assert response.status_code == 429
    assert _errors(response) == LOCKED
    body = response.content.decode()
    # The store's own sign-in page, in its look, with the refusal where errors show.
    assert "<title>Sign in · Ferrum Industrial Components</title>" in body
    assert "--brand-primary:" in body
    assert 'role="alert"' in body
    assert body.count("Too many failed sign-ins.") == 1  # said once, not again above the fields

    response = _sign_in(client, email, PASSWORD)
    assert response.status_code == 429
    assert _errors(response) == LOCKED
    assert "_auth_user_id" not in client.session

    # Audited: one attempt record with every failure; each failure logged, the last as locking.
    assert AccessAttempt.objects.get(username=email).failures_since_start == LIMIT
    log = list(AccessFailureLog.objects.filter(username=email).order_by("attempt_time", "id"))
    assert [entry.locked_out for entry in log] == [False] * (LIMIT - 1) + [True]
    assert not AccessLog.objects.exists()


def test_another_client_can_still_sign_in_to_the_locked_account(client, acme):
    email = acme.buyer.email
    for _ in range(LIMIT):
        _sign_in(client, email, "wrong-password", ip="10.0.0.1")
    response = _sign_in(Client(), email, PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302
    assert AccessLog.objects.get(username=email).ip_address == "10.0.0.2"


def test_unknown_and_known_accounts_get_the_same_answers(acme):
    known, unknown = Client(), Client()
    for _ in range(LIMIT + 1):
        a = _sign_in(known, acme.buyer.email, "wrong-password", ip="10.0.0.1")
        b = _sign_in(unknown, "nobody@nowhere.example", "wrong-password", ip="10.0.0.2")
        assert (a.status_code, _errors(a)) == (b.status_code, _errors(b))
    assert (a.status_code, _errors(a)) == (429, LOCKED)


def test_success_clears_the_accounts_failures_from_that_client(client, acme):
    email = acme.buyer.email
    for _ in range(LIMIT - 1):
        _sign_in(client, email, "wrong-password")
    assert _sign_in(client, email, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=email).exists()
    client.logout()
    for _ in range(LIMIT - 1):
        assert _sign_in(client, email, "wrong-password").status_code == 200


def test_signing_in_to_ones_own_account_does_not_clear_failures_on_others(acme):
    """A guesser with one real account must not wipe the count on the account they guess."""
    guesser = Client()
    for _ in range(LIMIT - 1):
        _sign_in(guesser, acme.buyer.email, "wrong-password")
    assert _sign_in(guesser, acme.approver.email, PASSWORD).status_code == 302
    guesser.logout()
    response = _sign_in(guesser, acme.buyer.email, "wrong-password")
    assert (response.status_code, _errors(response)) == (429, LOCKED)


def test_one_client_trying_many_accounts_is_locked_at_the_per_client_limit(acme):
    per_client = settings.SIGN_IN_LOCKOUTS[1][1]
    assert per_client == 20
    client = Client()
    for n in range(per_client - 1):
        assert _sign_in(client, f"guess{n}@example.com", "wrong-password").status_code == 200
    response = _sign_in(client, "guess-last@example.com", "wrong-password")
    assert (response.status_code, _errors(response)) == (429, LOCKED)
    # Even a real account with its right password, from that client.
    assert _sign_in(client, acme.buyer.email, PASSWORD).status_code == 429
    assert _sign_in(Client(), acme.buyer.email, PASSWORD, ip="10.0.0.9").status_code == 302


def test_one_account_tried_from_many_clients_is_locked_at_the_per_account_limit(acme):
    per_account = settings.SIGN_IN_LOCKOUTS[2][1]
    for n in range(per_account - 1):
        response = _sign_in(Client(), acme.buyer.email, "wrong", ip=f"10.1.{n // 200}.{n % 200}")
        assert response.status_code == 200
    response = _sign_in(Client(), acme.buyer.email, "wrong", ip="10.2.0.1")
    assert (response.status_code, _errors(response)) == (429, LOCKED)


def test_admin_login_locks_after_the_limit_with_the_same_message(client, ferrum):
    for _ in range(LIMIT - 1):
        response = _admin_login(client, "ferrum.editor", "wrong-password")
        assert response.status_code == 200
    response = _admin_login(client, "ferrum.editor", "wrong-password")
    assert response.status_code == 429
    assert _errors(response) == LOCKED
    assert LOCKED in response.content.decode()
    response = _admin_login(client, "ferrum.editor", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_admin_login_refuses_unknown_and_known_users_alike(ferrum):
    known, unknown = Client(), Client()
    for _ in range(LIMIT + 1):
        a = _admin_login(known, "ferrum.editor", "wrong-password", ip="10.0.0.1")
        b = _admin_login(unknown, "no.such.user", "wrong-password", ip="10.0.0.2")
        assert (a.status_code, _errors(a)) == (b.status_code, _errors(b))


def test_platform_it_sees_the_lockouts_in_the_admin(client, acme):
    for _ in range(LIMIT):
        _sign_in(client, acme.buyer.email, "wrong-password")
    it = User.objects.create_superuser("it", "it@example.com", "x")
    client.force_login(it)
    for url in ("/django-admin/axes/accessattempt/", "/django-admin/axes/accessfailurelog/"):
        body = client.get(url, HTTP_HOST="localhost").content.decode()
        assert acme.buyer.email in body
    body = client.get("/admin/sign-in-lockouts/", HTTP_HOST="localhost").content.decode()
    assert acme.buyer.email in body


def test_an_editor_does_not_see_the_lockouts(client, ferrum):
    client.force_login(ferrum.editor)
    response = client.get("/admin/sign-in-lockouts/", HTTP_HOST="localhost")
    assert response.status_code in (302, 403)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1", "10.0.0.1"),  # no proxy: the header is the client's word
        (1, "6.6.6.6, 203.0.113.7", "10.0.0.1", "203.0.113.7"),  # what the balancer saw
        (1, "", "10.0.0.1", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1", None),
        (2, "203.0.113.7", "10.0.0.1", "10.0.0.1"),  # fewer hops than proxies: the peer
    ],
)
def test_client_address(proxies, forwarded, remote, expected):
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    with override_settings(STOREFLEET_TRUSTED_PROXIES=proxies):
        assert client_address(request) == expected


def test_the_refusal_names_whole_minutes(client, acme):
    with override_settings(AXES_COOLOFF_TIME=timedelta(minutes=1)):
        for _ in range(LIMIT):
            response = _sign_in(client, acme.buyer.email, "wrong-password")
    assert re.search(r"try again in 1 minute\.", _errors(response))

"""Account self-service on a store: signing in by e-mail or username, "Forgot password?"
(Django's reset flow in the store's name, on the store's own address, throttled, telling
nobody which addresses have accounts), and "Request an account" with its walls."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from storefleet.accounts.models import AccountRequest, AccountRequestStatus, Invitation
from tests.factories import PASSWORD

from .conftest import FERRUM_HOST, HYDRA_HOST, make_company

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Lantern-orchard-77"
LINK = re.compile(r"(https?://\S+/account/password/\S+/)")


# ------------------------------------------------------------------ sign-in
def test_sign_in_is_labelled_for_what_it_takes(client, acme):
    body = client.get("/account/sign-in/", HTTP_HOST=FERRUM_HOST).content.decode()
    assert '<label for="id_username">E-mail or username:</label>' in body
    assert 'href="/account/password/">Forgot password?</a>' in body
    assert 'href="/account/request/">Request an account</a>' in body


@pytest.mark.parametrize(
    "typed", ["ferrum.person", "Person@Nordwerk.Example", "person@nordwerk.example"]
)
def test_sign_in_by_username_or_email_in_any_case(client, acme, typed):
    user = User.objects.create_user("ferrum.person", "person@nordwerk.example", PASSWORD)
    acme.company.memberships.create(user=user)
    response = client.post(
        "/account/sign-in/", {"username": typed, "password": PASSWORD}, HTTP_HOST=FERRUM_HOST
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_an_email_two_accounts_share_signs_in_neither(client, acme):
    for name in ("first.person", "second.person"):
        user = User.objects.create_user(name, "shared@nordwerk.example", PASSWORD)
        acme.company.memberships.create(user=user)
    response = client.post(
        "/account/sign-in/",
        {"username": "shared@nordwerk.example", "password": PASSWORD},
        HTTP_HOST=FERRUM_HOST,
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# ------------------------------------------------------------------ forgot password
def _ask_reset(client: Client, email: str, host: str = FERRUM_HOST):  # type: ignore[no-untyped-def]
    return client.post("/account/password/", {"email": email}, HTTP_HOST=host)


def test_reset_mail_is_branded_and_links_to_the_stores_own_host_and_port(client, acme, settings):
    settings.STOREFLEET_PUBLIC_PORT = 8123
    settings.WAGTAILADMIN_BASE_URL = "http://admin.example:9999"
    response = _ask_reset(client, "ADMIN@c-acme.example")
    assert response.status_code == 302
    assert response["Location"] == "/account/password/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["admin@c-acme.example"]
    assert message.subject == "Choose a new password for Ferrum Industrial Components"
    links = LINK.findall(message.body)
    assert len(links) == 1 and links[0].startswith("http://ferrum.localhost:8123/account/password/")
    assert "admin.example" not in message.body


def test_reset_link_sets_the_password_and_signs_the_buyer_in(client, acme):
    _ask_reset(client, "buyer@c-acme.example")
    link = LINK.findall(mail.outbox[0].body)[0]
    path = link.split("ferrum.localhost", 1)[1]
    form = client.get(path, HTTP_HOST=FERRUM_HOST, follow=True)
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(
        set_password_url,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        HTTP_HOST=FERRUM_HOST,
    )
    assert done.status_code == 302 and done["Location"] == "/account/"
    assert client.session["_auth_user_id"] == str(acme.buyer.pk)
    acme.buyer.refresh_from_db()
    assert acme.buyer.check_password(NEW_PASSWORD)
    # The link works once.
    again = client.get(path, HTTP_HOST=FERRUM_HOST, follow=True).content.decode()
    assert "This link doesn't work any more" in again


def test_the_same_answer_whether_the_address_has_an_account_or_not(client, acme, hydra):
    hydra_only = make_company("C-HYD", "Hydra Only Co", 777, [hydra.store])
    answers = []
    for email in ("buyer@c-acme.example", "nobody@nowhere.example", hydra_only.buyer.email):
        response = _ask_reset(Client(), email)
        answers.append((response.status_code, response["Location"]))
    assert set(answers) == {(302, "/account/password/sent/")}
    # Only the buyer of a company buying here got a message.
    assert [m.to for m in mail.outbox] == [["buyer@c-acme.example"]]


def test_a_reset_link_works_only_for_its_own_user(client, acme, globex):
    """The uid in a link swapped for another company's user finds a broken link, and no
    password changes."""
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    _ask_reset(client, "buyer@c-acme.example")
    link = LINK.findall(mail.outbox[0].body)[0]
    _uid, token = link.rstrip("/").rsplit("/", 2)[-2:]
    other_uid = urlsafe_base64_encode(force_bytes(globex.admin.pk))
    body = client.get(
        f"/account/password/{other_uid}/{token}/", HTTP_HOST=FERRUM_HOST, follow=True
    ).content.decode()
    assert "This link doesn't work any more" in body
    globex.admin.refresh_from_db()
    assert globex.admin.check_password(PASSWORD)


def test_a_reset_link_of_one_store_does_nothing_on_a_store_the_company_does_not_buy_in(
    client, acme, hydra
):
    _ask_reset(client, "buyer@c-acme.example")
    path = LINK.findall(mail.outbox[0].body)[0].split("ferrum.localhost", 1)[1]
    body = client.get(path, HTTP_HOST=HYDRA_HOST, follow=True).content.decode()
    assert "This link doesn't work any more" in body
    assert "_auth_user_id" not in client.session


def test_reset_requests_are_throttled_like_sign_in(client, acme, settings):
    limit = settings.SIGN_IN_LOCKOUTS[0][1]
    for _ in range(limit):
        assert _ask_reset(client, "buyer@c-acme.example").status_code == 302
    refused = _ask_reset(client, "buyer@c-acme.example")
    assert refused.status_code == 429
    assert "Too many requests from here" in refused.content.decode()
    assert len(mail.outbox) == limit
    # Unknown addresses count the same: the refusal tells nothing.
    for _ in range(limit):
        _ask_reset(client, "ghost@nowhere.example")
    assert _ask_reset(client, "ghost@nowhere.example").status_code == 429


# ------------------------------------------------------------------ request an account
def _request_account(
    client: Client, reference: str, email: str = "new.buyer@example.com", host: str = FERRUM_HOST
):  # type: ignore[no-untyped-def]
    return client.post(
        "/account/request/",
        {
            "name": "New Buyer",
            "email": email,
            "company_reference": reference,
            "message": "I order spare parts for line 3.",
        },
        HTTP_HOST=host,
    )


def test_a_request_is_recorded_and_matched_to_the_company(client, acme):
    response = _request_account(client, "c-acme")
    assert response.status_code == 302
    assert response["Location"] == "/account/request/sent/"
    saved = AccountRequest.objects.get()
    assert (saved.company_id, saved.email, saved.status) == (
        acme.company.id,
        "new.buyer@example.com",
        AccountRequestStatus.PENDING,
    )


def test_a_request_for_an_unknown_company_is_recorded_for_agents(client, acme, hydra):
    hydra_only = make_company("C-HYD", "Hydra Only Co", 777, [hydra.store])
    # A company that exists but does not buy in this store is "unknown" here too.
    for reference in ("Nobody GmbH", hydra_only.company.code):
        assert _request_account(client, reference).status_code == 302
    assert list(AccountRequest.objects.values_list("company_reference", "company_id")) == [
        (hydra_only.company.code, None),
        ("Nobody GmbH", None),
    ]


def test_a_request_form_with_errors_saves_nothing(client, acme):
    response = client.post(
        "/account/request/", {"name": "", "email": "not-an-address"}, HTTP_HOST=FERRUM_HOST
    )
    assert response.status_code == 400
    assert AccountRequest.objects.count() == 0


def _decide(client: Client, decision: str, request_id: object, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/account/requests/{decision}/", {"id": request_id, **extra}, HTTP_HOST=FERRUM_HOST
    )


def test_the_admin_approves_and_an_invitation_is_sent(client, acme):
    _request_account(Client(), "Acme Machining")
    client.force_login(acme.admin)
    page = client.get("/account/requests/", HTTP_HOST=FERRUM_HOST).content.decode()
    pending = AccountRequest.objects.get()
    assert f'data-request="{pending.id}"' in page
    response = _decide(client, "approve", pending.id)
    assert response.status_code == 302
    pending.refresh_from_db()
    invitation = Invitation.objects.get(email="new.buyer@example.com")
    assert (pending.status, pending.invitation_id, invitation.company_id) == (
        AccountRequestStatus.APPROVED,
        invitation.id,
        acme.company.id,
    )
    assert mail.outbox[-1].to == ["new.buyer@example.com"]
    assert "http://ferrum.localhost/account/invitations/" in mail.outbox[-1].body


def test_the_admin_declines_with_a_reason_the_person_is_told(client, acme):
    _request_account(Client(), "C-ACME")
    pending = AccountRequest.objects.get()
    client.force_login(acme.admin)
    assert _decide(client, "decline", pending.id, reason="").status_code == 400
    pending.refresh_from_db()
    assert pending.status == AccountRequestStatus.PENDING and mail.outbox == []
    response = _decide(client, "decline", pending.id, reason="We only supply the plant in Ulm.")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == AccountRequestStatus.DECLINED
    assert mail.outbox[-1].to == ["new.buyer@example.com"]
    assert "We only supply the plant in Ulm." in mail.outbox[-1].body
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize("who", ["admin", "approver", "buyer"])
@pytest.mark.parametrize("decision", ["approve", "decline"])
def test_walls_no_one_decides_another_companys_request(client, acme, globex, who, decision):
    """The matrix: Globex's admin, approver and buyer never see nor decide Acme's request (404
    like a missing one); Acme's approver and buyer can't decide their own company's either."""
    _request_account(Client(), "C-ACME")
    pending = AccountRequest.objects.get()
    for world in (globex, acme):
        user = getattr(world, who)
        if world is acme and who == "admin":
            continue
        client.force_login(user)
        listing = client.get("/account/requests/", HTTP_HOST=FERRUM_HOST)
        assert f'data-request="{pending.id}"' not in listing.content.decode()
        response = _decide(client, decision, pending.id, reason="no")
        assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.status == AccountRequestStatus.PENDING
    assert Invitation.objects.count() == 0 and mail.outbox == []


@pytest.mark.parametrize("tampered", ["", "x", "99999999", "-1", "1e3"])
def test_tampered_ids_in_the_decision_form_answer_404(client, acme, tampered):
    _request_account(Client(), "C-ACME")
    client.force_login(acme.admin)
    assert _decide(client, "approve", tampered).status_code == 404
    assert _decide(client, "sideways", AccountRequest.objects.get().id).status_code == 404
    assert AccountRequest.objects.get().status == AccountRequestStatus.PENDING


def test_the_admin_sees_waiting_requests_on_the_dashboard(client, acme):
    _request_account(Client(), "C-ACME")
    client.force_login(acme.admin)
    body = client.get("/account/", HTTP_HOST=FERRUM_HOST).content.decode()
    assert "1 waiting for your decision." in body
    client.force_login(acme.buyer)
    assert (
        "waiting for your decision"
        not in client.get("/account/", HTTP_HOST=FERRUM_HOST).content.decode()
    )


# ------------------------------------------------------------------ the store's service agents
AGENT_PAGE = "/admin/account-requests/"


@pytest.fixture
def agent(ferrum) -> User:  # type: ignore[no-untyped-def]
    from storefleet.service.services import service_agent_add
    from storefleet.tenants.models import Store

    user = User.objects.create_user("ferrum.agent", "agent@storefleet.example", PASSWORD)
    service_agent_add(store=Store.objects.get(pk=ferrum.store.pk), user=user)
    return user


def _agent_post(client: Client, request_id: object, decision: str, **extra: object):  # type: ignore[no-untyped-def]
    return client.post(
        AGENT_PAGE, {"id": request_id, "decision": decision, **extra}, HTTP_HOST=FERRUM_HOST
    )


def test_an_agent_sees_only_the_requests_of_the_stores_they_serve(client, acme, globex, agent):
    _request_account(Client(), "C-ACME", email="a@example.com")
    _request_account(Client(), "C-GLOBEX", email="b@example.com", host=HYDRA_HOST)
    on_ferrum, on_hydra = (
        AccountRequest.objects.get(email="a@example.com"),
        AccountRequest.objects.get(email="b@example.com"),
    )
    client.force_login(agent)
    page = client.get(AGENT_PAGE, HTTP_HOST=FERRUM_HOST).content.decode()
    assert f'data-request="{on_ferrum.id}"' in page
    assert f'data-request="{on_hydra.id}"' not in page
    assert _agent_post(client, on_hydra.id, "approve").status_code == 404
    on_hydra.refresh_from_db()
    assert on_hydra.status == AccountRequestStatus.PENDING and Invitation.objects.count() == 0


def test_an_agent_routes_an_unknown_request_to_a_company_of_the_store(client, acme, hydra, agent):
    hydra_only = make_company("C-HYD", "Hydra Only Co", 777, [hydra.store])
    _request_account(Client(), "Acme, the one in Ulm")
    pending = AccountRequest.objects.get()
    client.force_login(agent)
    # Without a company it can't be approved; with a company that doesn't buy here, 404.
    assert _agent_post(client, pending.id, "approve").status_code == 400
    refused = _agent_post(client, pending.id, "approve", company="not-a-number")
    assert refused.status_code == 400
    assert "Choose the company from the list." in refused.content.decode()
    assert (
        _agent_post(client, pending.id, "approve", company=hydra_only.company.id).status_code == 404
    )
    assert Invitation.objects.count() == 0
    response = _agent_post(client, pending.id, "approve", company=acme.company.id)
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.company_id) == (AccountRequestStatus.APPROVED, acme.company.id)
    invitation = Invitation.objects.get()
    assert (invitation.company_id, invitation.email, invitation.invited_by_id) == (
        acme.company.id,
        "new.buyer@example.com",
        agent.id,
    )
    assert "http://ferrum.localhost/account/invitations/" in mail.outbox[-1].body


def test_an_agent_declines_with_a_reason(client, acme, agent):
    _request_account(Client(), "C-ACME")
    pending = AccountRequest.objects.get()
    client.force_login(agent)
    assert (
        _agent_post(client, pending.id, "decline", reason="Not a customer of ours.").status_code
        == 302
    )
    pending.refresh_from_db()
    assert pending.status == AccountRequestStatus.DECLINED
    assert "Not a customer of ours." in mail.outbox[-1].body


def test_a_decided_request_is_not_decided_again(client, acme, agent):
    _request_account(Client(), "C-ACME")
    pending = AccountRequest.objects.get()
    client.force_login(agent)
    assert _agent_post(client, pending.id, "approve").status_code == 302
    # Gone from the list, and a replayed form finds nothing to decide.
    assert _agent_post(client, pending.id, "decline", reason="late").status_code == 404
    assert Invitation.objects.count() == 1 and len(mail.outbox) == 1


def test_someone_who_is_no_agent_gets_no_request_list(client, acme, ferrum):
    _request_account(Client(), "C-ACME")
    client.force_login(ferrum.editor)
    # Wagtail's admin answers a refused permission by sending the user back to its dashboard.
    for response in (
        client.get(AGENT_PAGE, HTTP_HOST=FERRUM_HOST),
        _agent_post(client, AccountRequest.objects.get().id, "approve"),
    ):
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert AccountRequest.objects.get().status == AccountRequestStatus.PENDING
    assert Invitation.objects.count() == 0


def test_account_requests_are_throttled_like_sign_in(client, acme, settings):
    limit = settings.SIGN_IN_LOCKOUTS[0][1]
    for _ in range(limit):
        assert _request_account(client, "C-ACME").status_code == 302
    refused = _request_account(client, "C-ACME")
    assert refused.status_code == 429
    assert "Too many requests from here" in refused.content.decode()
    assert AccountRequest.objects.count() == limit


def test_the_company_page_links_admins_to_account_requests(client, acme):
    client.force_login(acme.admin)
    page = client.get(f"/account/companies/{acme.company.id}/", HTTP_HOST=FERRUM_HOST)
    assert 'href="/account/requests/">Account requests</a>' in page.content.decode()
    client.force_login(acme.buyer)
    page = client.get(f"/account/companies/{acme.company.id}/", HTTP_HOST=FERRUM_HOST)
    assert "/account/requests/" not in page.content.decode()

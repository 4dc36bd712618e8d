"""Company accounts on the storefront: sign-in per store, the company page, invitations end to
end through the mail outbox, and the walls between companies (by URL and by tampered form)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from storefleet.accounts.models import Invitation, MemberRole, Membership
from tests.factories import PASSWORD

from .conftest import FERRUM_HOST, HYDRA_HOST

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kettle-harbour-42"


def _signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _company_url(world) -> str:  # type: ignore[no-untyped-def]
    return f"/account/companies/{world.company.id}/"


def _state(*worlds) -> tuple:  # type: ignore[no-untyped-def]
    """What the wall tests must find unchanged."""
    return (
        sorted(Membership.objects.values_list("user_id", "company_id", "role")),
        sorted(User.objects.values_list("id", "is_active")),
        sorted(Invitation.objects.values_list("id", "email", "accepted_at")),
    )


def test_sign_in_on_a_store_the_company_buys_in(client, acme):
    response = client.post(
        "/account/sign-in/",
        {"username": "Admin@C-ACME.example", "password": PASSWORD},
        HTTP_HOST=FERRUM_HOST,
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert client.session["_auth_user_id"] == str(acme.admin.pk)
    response = client.get("/account/", HTTP_HOST=FERRUM_HOST)
    assert response.status_code == 200
    assert f'href="{_company_url(acme)}"' in response.content.decode()


def test_no_session_on_a_store_the_company_does_not_buy_in(client, acme, hydra):
    response = client.post(
        "/account/sign-in/",
        {"username": "admin@c-acme.example", "password": PASSWORD},
        HTTP_HOST=HYDRA_HOST,
    )
    assert response.status_code == 200
    assert "your company doesn&#x27;t buy here" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_brand_editor_without_a_company_gets_no_storefront_session(client, ferrum):
    response = client.post(
        "/account/sign-in/",
        {"username": "ferrum.editor", "password": PASSWORD},
        HTTP_HOST=FERRUM_HOST,
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sign_in_page_carries_the_brand_and_csrf(client, acme):
    body = client.get("/account/sign-in/", HTTP_HOST=FERRUM_HOST).content.decode()
    assert "<title>Sign in · Ferrum Industrial Components</title>" in body
    assert "--brand-primary:" in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_header_shows_sign_in_to_visitors_and_the_buyer_navigation_to_members(client, acme):
    body = client.get("/", HTTP_HOST=FERRUM_HOST).content.decode()
    assert 'href="/account/sign-in/">Sign in</a>' in body
    assert 'class="buyer-nav"' not in body
    body = _signed_in(client, acme.buyer).get("/", HTTP_HOST=FERRUM_HOST).content.decode()
    assert '<a href="/account/" data-nav="account">Account</a>' in body
    assert 'href="/account/sign-in/">Sign in</a>' not in body


def test_sign_out(client, acme):
    _signed_in(client, acme.buyer)
    response = client.post("/account/sign-out/", HTTP_HOST=FERRUM_HOST)
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_company_page_for_an_admin(client, acme, globex):
    response = _signed_in(client, acme.admin).get(_company_url(acme), HTTP_HOST=FERRUM_HOST)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Acme Machining</h1>" in body
    assert "Customer number C-ACME" in body
    assert "Acme Machining Warehouse" in body
    assert "Old depot" not in body  # inactive
    assert "Acme Machining Accounts" not in body  # invoice address only
    roles = re.findall(r"<td>([^<]+@c-acme\.example)</td>\s*<td>([^<]+)</td>", body)
    assert sorted(roles) == [
        ("admin@c-acme.example", "Company admin"),
        ("approver@c-acme.example", "Approver"),
        ("buyer@c-acme.example", "Buyer"),
    ]
    assert "Globex" not in body
    assert body.count(">Remove</button>") == 2  # not yourself
    assert "Send invitation" in body


@pytest.mark.parametrize("role", ["buyer", "approver"])
def test_company_page_for_buyers_and_approvers_has_no_invite_or_remove(client, acme, role):
    user = getattr(acme, role)
    body = _signed_in(client, user).get(_company_url(acme), HTTP_HOST=FERRUM_HOST)
    text = body.content.decode()
    assert body.status_code == 200
    assert "Send invitation" not in text
    assert ">Remove</button>" not in text


@pytest.mark.parametrize("role", ["buyer", "approver"])
def test_buyers_and_approvers_cannot_invite_or_remove_by_posting(client, acme, role):
    _signed_in(client, getattr(acme, role))
    before = _state()
    invite = client.post(
        _company_url(acme) + "invitations/",
        {"email": "x@acme.example", "role": "admin"},
        HTTP_HOST=FERRUM_HOST,
    )
    remove = client.post(
        _company_url(acme) + "members/remove/",
        {"id": acme.member(acme.admin).id},
        HTTP_HOST=FERRUM_HOST,
    )
    assert (invite.status_code, remove.status_code) == (403, 403)
    assert "Only a company admin can invite or remove users." in remove.content.decode()
    assert _state() == before
    assert mail.outbox == []


def test_anonymous_visitors_are_sent_to_sign_in(client, acme):
    response = client.get(_company_url(acme), HTTP_HOST=FERRUM_HOST)
    assert response.status_code == 302
    assert response["Location"] == f"/account/sign-in/?next={_company_url(acme)}"


def _wall_requests(acme, globex):  # type: ignore[no-untyped-def]
    """Requests of Acme's admin that reach for Globex's records, by URL and by hidden id."""
    invitation_id = Invitation.objects.get(company=globex.company).id
    member_id = globex.member(globex.buyer).id
    invite = {"email": "spy@acme.example", "role": "admin"}
    a, b = _company_url(acme), _company_url(globex)
    return {
        "company page": ("get", b, {}),
        "address by url": ("get", f"{b}addresses/{globex.ship_to.id}/", {}),
        "address under own company": ("get", f"{a}addresses/{globex.ship_to.id}/", {}),
        "remove by url": ("post", f"{b}members/remove/", {"id": member_id}),
        "remove by hidden id": ("post", f"{a}members/remove/", {"id": member_id}),
        "invite by url": ("post", f"{b}invitations/", invite),
        "withdraw by url": ("post", f"{b}invitations/withdraw/", {"id": invitation_id}),
        "withdraw by hidden id": ("post", f"{a}invitations/withdraw/", {"id": invitation_id}),
    }


WALLS = [
    "company page",
    "address by url",
    "address under own company",
    "remove by url",
    "remove by hidden id",
    "invite by url",
    "withdraw by url",
    "withdraw by hidden id",
]


@pytest.mark.parametrize("wall", WALLS)
def test_walls_between_companies(client, acme, globex, ferrum, wall):
    # Globex has an open invitation Acme must not be able to withdraw.
    _signed_in(client, globex.admin).post(
        _company_url(globex) + "invitations/",
        {"email": "pending@globex.example", "role": "buyer"},
        HTTP_HOST=FERRUM_HOST,
    )
    mail.outbox.clear()
    method, url, data = _wall_requests(acme, globex)[wall]
    before = _state()
    response = getattr(_signed_in(client, acme.admin), method)(url, data, HTTP_HOST=FERRUM_HOST)
    assert response.status_code == 404
    assert "Globex" not in response.content.decode()
    assert _state() == before
    assert mail.outbox == []


def test_own_address_page(client, acme):
    url = f"{_company_url(acme)}addresses/{acme.ship_to.id}/"
    response = _signed_in(client, acme.buyer).get(url, HTTP_HOST=FERRUM_HOST)
    assert response.status_code == 200
    assert "Acme Machining Warehouse street 1" in response.content.decode()
    inactive = f"{_company_url(acme)}addresses/{acme.old_ship_to.id}/"
    assert client.get(inactive, HTTP_HOST=FERRUM_HOST).status_code == 404


def test_forms_need_the_csrf_token(acme):
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme.admin)
    before = _state()
    response = client.post(
        _company_url(acme) + "members/remove/",
        {"id": acme.member(acme.buyer).id},
        HTTP_HOST=FERRUM_HOST,
    )
    assert response.status_code == 403
    assert _state() == before


def test_invitation_from_the_mail_accepted_end_to_end(client, acme):
    response = _signed_in(client, acme.admin).post(
        _company_url(acme) + "invitations/",
        {"email": "New.Approver@acme.example", "role": "approver"},
        HTTP_HOST=FERRUM_HOST,
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["new.approver@acme.example"]
    [link] = re.findall(r"http://\S+", message.body)
    host, path = re.match(r"http://([^/]+)(/\S+)", link).groups()  # type: ignore[union-attr]
    assert host == FERRUM_HOST
    assert path.startswith("/account/invitations/")
    assert (
        "new.approver@acme.example (Approver)"
        in client.get(_company_url(acme), HTTP_HOST=FERRUM_HOST).content.decode()
    )

    invitee = Client()
    page = invitee.get(path, HTTP_HOST=host)
    assert page.status_code == 200
    assert "<h1>Join Acme Machining</h1>" in page.content.decode()
    mismatch = invitee.post(path, {"password1": NEW_PASSWORD, "password2": "other"}, HTTP_HOST=host)
    assert mismatch.status_code == 400
    assert "The two passwords differ." in mismatch.content.decode()
    weak = invitee.post(path, {"password1": "password", "password2": "password"}, HTTP_HOST=host)
    assert "This password is too common." in weak.content.decode()
    assert not User.objects.filter(email="new.approver@acme.example").exists()

    accepted = invitee.post(
        path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, HTTP_HOST=host
    )
    assert accepted.status_code == 302
    user = User.objects.get(email="new.approver@acme.example")
    assert invitee.session["_auth_user_id"] == str(user.pk)
    assert Membership.objects.get(user=user).role == MemberRole.APPROVER
    body = invitee.get(_company_url(acme), HTTP_HOST=host).content.decode()
    assert "Welcome to Acme Machining." in body

    # The same link again, and signing in with the chosen password.
    again = Client().get(path, HTTP_HOST=host)
    assert again.status_code == 404
    assert "This invitation link is not valid" in again.content.decode()
    fresh = Client()
    fresh.post(
        "/account/sign-in/",
        {"username": "new.approver@acme.example", "password": NEW_PASSWORD},
        HTTP_HOST=host,
    )
    assert fresh.session["_auth_user_id"] == str(user.pk)


def test_a_tampered_invitation_link_gets_a_clear_page(client, acme):
    _signed_in(client, acme.admin).post(
        _company_url(acme) + "invitations/",
        {"email": "new@acme.example", "role": "buyer"},
        HTTP_HOST=FERRUM_HOST,
    )
    [path] = re.findall(r"http://ferrum\.localhost(\S+)", mail.outbox[0].body)
    users_before = User.objects.count()
    response = Client().post(
        path.replace("/invitations/", "/invitations/x"),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        HTTP_HOST=FERRUM_HOST,
    )
    assert response.status_code == 404
    assert "Ask your company admin to send you a new invitation." in response.content.decode()
    assert User.objects.count() == users_before


def test_inviting_an_existing_member_is_a_form_error(client, acme):
    before = _state()
    response = _signed_in(client, acme.admin).post(
        _company_url(acme) + "invitations/",
        {"email": "buyer@c-acme.example", "role": "buyer"},
        HTTP_HOST=FERRUM_HOST,
    )
    assert response.status_code == 400
    assert "buyer@c-acme.example is already a member of Acme Machining." in (
        response.content.decode()
    )
    assert _state() == before
    assert mail.outbox == []


def test_removing_a_member_and_not_the_last_admin(client, acme):
    _signed_in(client, acme.admin)
    response = client.post(
        _company_url(acme) + "members/remove/",
        {"id": acme.member(acme.buyer).id},
        HTTP_HOST=FERRUM_HOST,
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(user=acme.buyer).exists()
    before = _state()
    last = client.post(
        _company_url(acme) + "members/remove/",
        {"id": acme.member(acme.admin).id},
        HTTP_HOST=FERRUM_HOST,
    )
    assert last.status_code == 400
    assert "You can&#x27;t remove the company&#x27;s last admin." in last.content.decode()
    assert _state() == before

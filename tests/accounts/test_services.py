"""Services of company accounts: exact results, and failures that leave nothing behind."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from storefleet.accounts import selectors
from storefleet.accounts.models import Invitation, MemberRole, Membership
from storefleet.accounts.services import (
    company_stores_set,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    membership_create,
    membership_remove,
)
from storefleet.errors import ApplicationError

pytestmark = pytest.mark.django_db

SITE_URL = "http://ferrum.localhost/"
NEW_PASSWORD = "Kettle-harbour-42"


def _invite(world, store, *, email="new.buyer@acme.example", role=MemberRole.BUYER, by=None):  # type: ignore[no-untyped-def]
    return invitation_create(
        company=world.company,
        store=store,
        email=email,
        role=role,
        invited_by=by or world.admin,
        site_url=SITE_URL,
    )


def _token_from_outbox() -> str:
    [message] = mail.outbox
    match = re.search(r"http://ferrum\.localhost/account/invitations/([^/\s]+)/", message.body)
    assert match, message.body
    return match.group(1)


def test_company_stores_set_replaces_the_stores_a_company_buys_in(globex, ferrum, hydra):
    assert set(globex.company.stores.all()) == {ferrum.store, hydra.store}
    company_stores_set(company=globex.company, stores=[hydra.store])
    assert list(globex.company.stores.all()) == [hydra.store]
    assert selectors.user_may_buy_in_store(user=globex.buyer, store_id=hydra.store.id)
    assert not selectors.user_may_buy_in_store(user=globex.buyer, store_id=ferrum.store.id)


def test_a_user_belongs_to_one_company_only(acme, globex):
    with pytest.raises(ApplicationError) as error:
        membership_create(company=globex.company, user=acme.buyer, role=MemberRole.ADMIN)
    assert error.value.field == "user"
    assert Membership.objects.get(user=acme.buyer).company == acme.company
    assert Membership.objects.filter(company=globex.company).count() == 3


def test_invitation_is_stored_as_a_digest_and_mailed_with_a_link_on_the_store_host(acme, ferrum):
    invitation = _invite(acme, ferrum.store, email=" New.Buyer@Acme.example ")
    assert (invitation.company, invitation.store, invitation.email, invitation.role) == (
        acme.company,
        ferrum.store,
        "new.buyer@acme.example",
        MemberRole.BUYER,
    )
    assert invitation.invited_by == acme.admin
    assert invitation.accepted_at is None
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        timedelta(days=7), abs=timedelta(seconds=5)
    )
    [message] = mail.outbox
    assert message.to == ["new.buyer@acme.example"]
    assert message.subject == (
        "You are invited to buy for Acme Machining at Ferrum Industrial Components"
    )
    token = _token_from_outbox()
    assert token not in invitation.token_digest
    assert invitation.token_digest == selectors.token_digest(token)


@pytest.mark.parametrize("role", [MemberRole.BUYER, MemberRole.APPROVER])
def test_only_a_company_admin_invites(acme, ferrum, role):
    by = acme.buyer if role == MemberRole.BUYER else acme.approver
    with pytest.raises(ApplicationError) as error:
        _invite(acme, ferrum.store, by=by)
    assert error.value.code == "permission_denied"
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_an_admin_of_another_company_cannot_invite_into_this_one(acme, globex, ferrum):
    with pytest.raises(ApplicationError) as error:
        _invite(acme, ferrum.store, by=globex.admin)
    assert error.value.code == "permission_denied"
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_inviting_into_a_store_the_company_does_not_buy_in_is_refused(acme, hydra):
    with pytest.raises(ApplicationError) as error:
        _invite(acme, hydra.store)
    assert error.value.code == "permission_denied"
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("email", "code", "message"),
    [
        ("BUYER@c-acme.example", "member", "buyer@c-acme.example is already a member of Acme"),
        ("buyer@c-globex.example", "taken", "buyer@c-globex.example already has an account"),
    ],
)
def test_inviting_an_existing_user_is_a_form_error(acme, globex, ferrum, email, code, message):
    with pytest.raises(ApplicationError) as error:
        _invite(acme, ferrum.store, email=email)
    assert (error.value.field, error.value.code) == ("email", code)
    assert error.value.message.startswith(message)
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_inviting_twice_is_refused_while_the_first_invitation_is_open(acme, ferrum):
    first = _invite(acme, ferrum.store)
    with pytest.raises(ApplicationError) as error:
        _invite(acme, ferrum.store, email="NEW.buyer@acme.example")
    assert error.value.code == "invited"
    assert list(Invitation.objects.all()) == [first]
    assert len(mail.outbox) == 1


def test_accepting_makes_a_member_with_the_invited_role(acme, ferrum):
    _invite(acme, ferrum.store, role=MemberRole.APPROVER)
    user = invitation_accept(token=_token_from_outbox(), store=ferrum.store, password=NEW_PASSWORD)
    assert (user.username, user.email, user.is_active) == (
        "new.buyer@acme.example",
        "new.buyer@acme.example",
        True,
    )
    assert user.check_password(NEW_PASSWORD)
    membership = Membership.objects.get(user=user)
    assert (membership.company, membership.role) == (acme.company, MemberRole.APPROVER)
    assert Invitation.objects.get().accepted_at is not None


def test_an_invitation_is_accepted_once(acme, ferrum):
    _invite(acme, ferrum.store)
    token = _token_from_outbox()
    invitation_accept(token=token, store=ferrum.store, password=NEW_PASSWORD)
    with pytest.raises(ApplicationError) as error:
        invitation_accept(token=token, store=ferrum.store, password="Other-harbour-43")
    assert error.value.code == "invalid_invitation"
    assert User.objects.filter(email="new.buyer@acme.example").count() == 1
    assert User.objects.get(email="new.buyer@acme.example").check_password(NEW_PASSWORD)


def test_a_password_the_validators_reject_creates_nothing(acme, ferrum):
    _invite(acme, ferrum.store)
    users_before = User.objects.count()
    with pytest.raises(ApplicationError) as error:
        invitation_accept(token=_token_from_outbox(), store=ferrum.store, password="12345678")
    assert error.value.field == "password1"
    assert "This password is too common." in error.value.message
    assert "This password is entirely numeric." in error.value.message
    assert User.objects.count() == users_before
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.parametrize("case", ["expired", "tampered", "other_store"])
def test_expired_tampered_or_foreign_store_tokens_are_refused(acme, ferrum, hydra, case):
    invitation = _invite(acme, ferrum.store)
    token, store = _token_from_outbox(), ferrum.store
    if case == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    elif case == "tampered":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    else:
        store = hydra.store  # Acme doesn't buy in Hydra
    users_before = User.objects.count()
    with pytest.raises(ApplicationError) as error:
        invitation_accept(token=token, store=store, password=NEW_PASSWORD)
    assert error.value.code == "invalid_invitation"
    assert User.objects.count() == users_before
    assert Invitation.objects.get().accepted_at is None


def test_removing_a_member_deactivates_the_account(acme):
    membership_remove(membership=acme.member(acme.buyer), removed_by=acme.admin)
    assert not Membership.objects.filter(user=acme.buyer).exists()
    acme.buyer.refresh_from_db()
    assert acme.buyer.is_active is False
    assert list(Membership.objects.filter(company=acme.company).values_list("role", flat=True)) == [
        MemberRole.ADMIN,
        MemberRole.APPROVER,
    ]


def test_the_last_admin_cannot_be_removed(acme):
    second = User.objects.create_user("second@c-acme.example", "second@c-acme.example", "x")
    membership_create(company=acme.company, user=second, role=MemberRole.ADMIN)
    membership_remove(membership=acme.member(second), removed_by=acme.admin)
    with pytest.raises(ApplicationError) as error:
        membership_remove(membership=acme.member(acme.admin), removed_by=acme.admin)
    assert error.value.code == "last_admin"
    assert acme.member(acme.admin).role == MemberRole.ADMIN
    acme.admin.refresh_from_db()
    assert acme.admin.is_active is True


@pytest.mark.parametrize("actor", ["buyer", "approver", "other_admin"])
def test_only_the_company_admin_removes_or_withdraws(acme, globex, ferrum, actor):
    by = {"buyer": acme.buyer, "approver": acme.approver, "other_admin": globex.admin}[actor]
    invitation = _invite(acme, ferrum.store)
    with pytest.raises(ApplicationError) as error:
        membership_remove(membership=acme.member(acme.buyer), removed_by=by)
    assert error.value.code == "permission_denied"
    with pytest.raises(ApplicationError):
        invitation_revoke(invitation=invitation, revoked_by=by)
    assert Membership.objects.filter(company=acme.company).count() == 3
    assert User.objects.get(pk=acme.buyer.pk).is_active is True
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_withdrawing_an_invitation_makes_its_link_invalid(acme, ferrum):
    invitation = _invite(acme, ferrum.store)
    invitation_revoke(invitation=invitation, revoked_by=acme.admin)
    assert Invitation.objects.count() == 0
    token = _token_from_outbox()
    assert selectors.invitation_for_token(token=token, store_id=ferrum.store.id) is None


def test_ship_to_addresses_are_the_active_ship_to_addresses_of_the_company(acme, globex):
    assert list(selectors.company_ship_to_addresses(company=acme.company)) == [acme.ship_to]
    assert (
        selectors.company_ship_to_address(company=acme.company, address_id=globex.ship_to.id)
        is None
    )

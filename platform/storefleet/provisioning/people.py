"""The people a store file names: its editors (the store's editors group) and its service agents
(the store's service team), each invited by e-mail once; and taken out of that group again when
the file no longer names them (only the access the file gave: ``PersonAccess``).

"Once" is the platform's own state, not a log: a person already in the store's group is left
alone (a reconcile re-sends nothing); one who is not gets the group and a message, in one
transaction, so a message that cannot be sent leaves no grant behind and the next run tries
again. Someone new gets an account without a password and a link to set one on the platform's
admin (its real origin, ``WAGTAILADMIN_BASE_URL``, built by ``storefleet.origins``); someone who
has an account gets a link to the admin."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from storefleet.service.services import (
    service_agent_add,
    service_agent_remove,
    service_team_name,
)
from storefleet.tenants.models import Store
from storefleet.tenants.services import store_editor_add, store_editor_remove

from .models import PersonAccess
from .storefile import People

PLATFORM_URLCONF = "storefleet.urls_platform"


class Role(enum.StrEnum):
    EDITOR = "editor"
    AGENT = "agent"


@dataclass(frozen=True)
class Invited:
    email: str
    role: Role
    new_account: bool


def _user_for(email: str):
    users = get_user_model()
    return users.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).first()


def people_pending(*, store: Store | None, people: People) -> tuple[Invited, ...]:
    """Whom a run would invite: everyone named who is not in the store's group yet."""
    pending = []
    for role, emails in ((Role.EDITOR, people.editors), (Role.AGENT, people.agents)):
        group = _group(store, role) if store is not None else None
        for email in emails:
            user = _user_for(email)
            if user is not None and group is not None and user.groups.filter(pk=group.pk).exists():
                continue
            pending.append(Invited(email=email, role=role, new_account=user is None))
    return tuple(pending)


def _group(store: Store, role: Role) -> Group | None:
    if role == Role.EDITOR:
        return store.editors_group
    return Group.objects.filter(name=service_team_name(store)).first()


def _admin_url(name: str, *args: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        name, args=args, urlconf=PLATFORM_URLCONF
    )


@dataclass(frozen=True)
class Revoked:
    email: str
    role: Role


def people_revoked(*, store: Store | None, people: People) -> tuple[Revoked, ...]:
    """Whose access a run would take back: people the store file gave access to the store
    (``PersonAccess``) and no longer names."""
    if store is None:
        return ()
    named = {(email, Role.EDITOR) for email in people.editors} | {
        (email, Role.AGENT) for email in people.agents
    }
    return tuple(
        Revoked(email=access.email, role=Role(access.role))
        for access in PersonAccess.objects.filter(store=store).order_by("role", "email")
        if (access.email, Role(access.role)) not in named
    )


def _remember(*, store: Store, user, email: str, role: Role) -> None:
    PersonAccess.objects.get_or_create(
        store=store, user=user, role=role.value, defaults={"email": email}
    )


@transaction.atomic
def person_revoke(*, store: Store, email: str, role: Role) -> Revoked:
    """Take back the access the store file gave ``email`` to ``store`` in ``role``: out of the
    store's editors group or service team. The account stays, and so does whatever the person
    may do in other stores."""
    for access in PersonAccess.objects.select_related("user").filter(
        store=store, email=email, role=role.value
    ):
        if role == Role.EDITOR:
            store_editor_remove(store=store, user=access.user)
        else:  # out of the service team, and any session acting as a buyer ends now
            service_agent_remove(store=store, user=access.user)
        access.delete()
    return Revoked(email=email, role=role)


@transaction.atomic
def person_invite(*, store: Store, email: str, role: Role) -> Invited:
    """Give ``email`` the store's ``role`` and tell them by e-mail (see the module's note)."""
    user = _user_for(email)
    new_account = user is None
    if user is None:
        user = get_user_model().objects.create_user(username=email, email=email)  # no password
    _remember(store=store, user=user, email=email, role=role)
    if role == Role.EDITOR:
        store_editor_add(store=store, user=user)
        what, title = f"edit the pages, theme and media of {store.name}", "an editor"
    else:
        service_agent_add(store=store, user=user)
        what = f"serve the customers of {store.name} in the service console"
        title = "a service agent"
    if user.has_usable_password():
        link = _admin_url("wagtailadmin_home")
        action = "Sign in with your account"
    else:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        link = _admin_url(
            "wagtailadmin_password_reset_confirm", uid, default_token_generator.make_token(user)
        )
        action = "Choose your password"
    send_mail(
        subject=f"You are invited to {store.name} as {title}",
        message=(
            f"Hello,\n\nyou have been invited to {what}.\n\n{action} here:\n{link}\n\n"
            "If you did not expect this, you can ignore this message.\n"
        ),
        from_email=None,
        recipient_list=[email],
    )
    return Invited(email=email, role=role, new_account=new_account)


@dataclass(frozen=True)
class PeopleApplied:
    invited: tuple[Invited, ...]
    revoked: tuple[Revoked, ...]


def store_people_apply(*, store: Store, people: People) -> PeopleApplied:
    """Make the store's people what its file says: invite everyone named who is not in the
    store's group yet; remember that the file names those who are (so that removing them
    from the file takes their access back); take back the access the file gave to anyone it
    no longer names."""
    invited = [
        person_invite(store=store, email=pending.email, role=pending.role)
        for pending in people_pending(store=store, people=people)
    ]
    for role, emails in ((Role.EDITOR, people.editors), (Role.AGENT, people.agents)):
        for email in emails:
            user = _user_for(email)
            if user is not None:
                _remember(store=store, user=user, email=email, role=role)
    revoked = [
        person_revoke(store=store, email=gone.email, role=gone.role)
        for gone in people_revoked(store=store, people=people)
    ]
    return PeopleApplied(invited=tuple(invited), revoked=tuple(revoked))

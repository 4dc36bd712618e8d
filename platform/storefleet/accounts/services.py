"""Writes to customer companies: mirroring the ERP's customers and their addresses, the stores
a company may buy in, and its users (invitations, memberships)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from storefleet import dates
from storefleet.brand.buyer_cache import buyer_pages_changed, company_pages_changed
from storefleet.erp.types import CustomerRecord
from storefleet.errors import ApplicationError
from storefleet.tenants.locale import store_locale
from storefleet.tenants.models import Store
from storefleet.tenants.selectors import StoreRecord

from .models import (
    AccountRequest,
    AccountRequestStatus,
    Address,
    Company,
    Invitation,
    MemberRole,
    Membership,
)
from .selectors import (
    account_request_may_decide,
    company_for_reference,
    invitation_for_token,
    token_digest,
)

INVITATION_VALIDITY = timedelta(days=7)

COMPANY_FIELDS = [
    "code",
    "name",
    "price_list",
    "payment_term",
    "credit_limit",
    "credit_currency",
    "active",
    "erp_write_date",
]
ADDRESS_FIELDS = [
    "company",
    "name",
    "street",
    "postal_code",
    "city",
    "country",
    "is_invoice",
    "is_ship_to",
    "active",
]


@transaction.atomic
def companies_upsert(*, records: Sequence[CustomerRecord]) -> int:
    """Create or update companies and their addresses by ERP id. Idempotent; an address the
    ERP no longer lists for a company is deactivated, never deleted (orders point at it)."""
    if not records:
        return 0
    Company.objects.bulk_create(
        [
            Company(
                erp_id=record.erp_id,
                code=record.code,
                name=record.name,
                price_list=record.price_list or "",
                payment_term=record.payment_term or "",
                credit_limit=record.credit_limit.amount if record.credit_limit else None,
                credit_currency=record.credit_limit.currency if record.credit_limit else "",
                active=True,
                erp_write_date=record.erp_write_date,
            )
            for record in records
        ],
        update_conflicts=True,
        unique_fields=["erp_id"],
        update_fields=[*COMPANY_FIELDS, "synced_at"],
    )
    company_ids = dict(
        Company.objects.filter(erp_id__in=[r.erp_id for r in records]).values_list("erp_id", "id")
    )
    addresses = [
        Address(
            erp_id=address.erp_id,
            company_id=company_ids[record.erp_id],
            name=address.name,
            street=address.street,
            postal_code=address.postal_code,
            city=address.city,
            country=address.country,
            is_invoice=address.invoice,
            is_ship_to=address.delivery,
            active=address.active,
        )
        for record in records
        for address in record.addresses
    ]
    Address.objects.bulk_create(
        addresses, update_conflicts=True, unique_fields=["erp_id"], update_fields=ADDRESS_FIELDS
    )
    listed = [a.erp_id for a in addresses]
    Address.objects.filter(company_id__in=company_ids.values()).exclude(erp_id__in=listed).update(
        active=False
    )
    return len(records)


@transaction.atomic
def company_stores_set(*, company: Company, stores: Iterable[Store]) -> None:
    """Let the company buy in exactly these stores (its users may sign in to them, and only
    to them)."""
    company.stores.set(list(stores))
    company_pages_changed(company_id=company.pk)  # their cached pages were for these stores


@transaction.atomic
def store_companies_set(
    *, store: Store, companies: Iterable[Company]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Let exactly ``companies`` buy in ``store`` (the provisioning pipeline applies a store
    file's ``[customers]`` this way); their other stores are left alone. Returns the codes
    opened and closed, each sorted."""
    wanted = {company.pk: company.code for company in companies}
    current = dict(store.companies.values_list("pk", "code"))
    added = sorted(code for pk, code in wanted.items() if pk not in current)
    removed = sorted(code for pk, code in current.items() if pk not in wanted)
    store.companies.remove(*[pk for pk in current if pk not in wanted])
    store.companies.add(*[pk for pk in wanted if pk not in current])
    for pk in set(current) ^ set(wanted):  # the cached pages of each company whose stores change
        company_pages_changed(company_id=pk)
    return tuple(added), tuple(removed)


@transaction.atomic
def membership_create(
    *, company: Company, user: User, role: MemberRole = MemberRole.BUYER
) -> Membership:
    """Make an existing user a member of the company (platform staff set up a company's first
    admin this way; everyone else arrives by invitation)."""
    if Membership.objects.filter(user_id=user.pk).exists():
        raise ApplicationError(
            _("This user already belongs to a company; a user can belong to one company only."),
            field="user",
        )
    membership = Membership.objects.create(company=company, user=user, role=role)
    buyer_pages_changed(user_id=user.pk)  # pages kept while the user bought for nobody
    return membership


def _admin_membership(*, user: User, company: Company) -> Membership:
    membership = Membership.objects.filter(user_id=user.pk, company=company).first()
    if membership is None or membership.role != MemberRole.ADMIN or not user.is_active:
        raise ApplicationError(
            _("Only a company admin can invite or remove users. Ask your company admin."),
            code="permission_denied",
        )
    return membership


@transaction.atomic
def invitation_create(
    *,
    company: Company,
    store: Store | StoreRecord,
    email: str,
    role: MemberRole,
    invited_by: User,
    site_url: str,
) -> Invitation:
    """A company admin invites someone by e-mail to join the company with this role.

    The message links to ``site_url`` (the store's own address, as the admin used it). It is
    sent inside the transaction: if it can't be sent, no invitation is left behind that nobody
    received."""
    _admin_membership(user=invited_by, company=company)
    return _invitation_send(
        company=company,
        store=store,
        email=email,
        role=role,
        invited_by=invited_by,
        site_url=site_url,
    )


def _invitation_send(
    *,
    company: Company,
    store: Store | StoreRecord,
    email: str,
    role: MemberRole,
    invited_by: User,
    site_url: str,
) -> Invitation:
    """The invitation itself, once the caller has checked who may invite (a company admin, or
    a service agent approving an account request)."""
    if not company.stores.filter(id=store.id).exists():
        raise ApplicationError(
            _("Your company doesn't buy in this store."), code="permission_denied"
        )
    email = email.strip().lower()
    existing = get_user_model().objects.filter(email__iexact=email).first()
    if existing is not None:
        if Membership.objects.filter(user_id=existing.pk, company=company).exists():
            raise ApplicationError(
                _("%(email)s is already a member of %(company)s.")
                % {"email": email, "company": company.name},
                field="email",
                code="member",
            )
        raise ApplicationError(
            _(
                "%(email)s already has an account and can't be invited. Ask them for another "
                "address, or contact us."
            )
            % {"email": email},
            field="email",
            code="taken",
        )
    pending = Invitation.objects.filter(
        company=company, email=email, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).first()
    if pending is not None:
        raise ApplicationError(
            _(
                "%(email)s has already been invited; the invitation is valid until %(until)s. "
                "Withdraw it first to send a new one."
            )
            % {"email": email, "until": dates.format_day(pending.expires_at)},
            field="email",
            code="invited",
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        company=company,
        store_id=store.id,
        email=email,
        role=role,
        token_digest=token_digest(token),
        invited_by=invited_by,
        expires_at=timezone.now() + INVITATION_VALIDITY,
    )
    link = site_url.rstrip("/") + reverse("accounts:invitation_accept", args=[token])
    context = {"invitation": invitation, "store": store, "link": link}
    # In the store's language and zone, whoever sends it (a company admin on the storefront,
    # an agent in the admin).
    with store_locale(store):
        send_mail(
            subject=_("You are invited to buy for %(company)s at %(store)s")
            % {"company": company.name, "store": store.name},
            message=render_to_string("accounts/email/invitation.txt", context),
            from_email=None,
            recipient_list=[email],
        )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, revoked_by: User) -> None:
    """A company admin withdraws an invitation that hasn't been accepted."""
    _admin_membership(user=revoked_by, company=invitation.company)
    if invitation.accepted_at is not None:
        raise ApplicationError(_("This invitation has already been accepted."))
    invitation.delete()


@transaction.atomic
def invitation_accept(*, token: str, store: Store | StoreRecord, password: str) -> User:
    """The invitee chooses a password and becomes a member: one transaction, so a rejected
    password or a token used twice leaves no account behind."""
    found = invitation_for_token(token=token, store_id=store.id)
    # Lock the row so two tabs submitting the same invitation make one account.
    invitation = (
        Invitation.objects.select_for_update().filter(pk=found.pk, accepted_at__isnull=True).first()
        if found is not None
        else None
    )
    if invitation is None:
        raise ApplicationError(
            _(
                "This invitation link is not valid: it may have expired or already been used. "
                "Ask your company admin for a new invitation."
            ),
            code="invalid_invitation",
        )
    user_model = get_user_model()
    if user_model.objects.filter(email__iexact=invitation.email).exists():
        raise ApplicationError(
            _("%(email)s already has an account. Sign in instead.") % {"email": invitation.email},
            code="invalid_invitation",
        )
    user = user_model(username=invitation.email, email=invitation.email)
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), field="password1") from error
    user.set_password(password)
    user.save()
    Membership.objects.create(company=invitation.company, user=user, role=invitation.role)
    buyer_pages_changed(user_id=user.pk)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


@transaction.atomic
def membership_remove(*, membership: Membership, removed_by: User) -> None:
    """A company admin removes a user from the company. The account is deactivated, not deleted
    (orders will point at it); it can no longer sign in anywhere. The last admin stays."""
    _admin_membership(user=removed_by, company=membership.company)
    if membership.role == MemberRole.ADMIN:
        admins = (
            Membership.objects.select_for_update()
            .filter(company_id=membership.company_id, role=MemberRole.ADMIN)
            .count()
        )
        if admins <= 1:
            raise ApplicationError(
                _("You can't remove the company's last admin. Invite another company admin first."),
                code="last_admin",
            )
    user = membership.user
    membership.delete()
    user.is_active = False
    user.save(update_fields=["is_active"])
    buyer_pages_changed(user_id=user.pk)  # their kept pages showed the company's prices


def password_set(*, user: User, password: str) -> User:
    """Give the user a new password (the reset link's form validated it): their sessions no
    longer verify, and their cached pages, kept for those sessions, are retired."""
    user.set_password(password)
    user.save(update_fields=["password"])
    buyer_pages_changed(user_id=user.pk)
    return user


def user_pages_retire(*, user_ids: Iterable[int]) -> None:
    """Retire the cached pages of users the admin's user screens changed or delete (whom they
    buy for, whether they may sign in): called by the admin, which writes users directly."""
    for user_id in user_ids:
        if user_id is not None:
            buyer_pages_changed(user_id=user_id)


@transaction.atomic
def account_request_create(
    *, store: Store | StoreRecord, name: str, email: str, company_reference: str, message: str
) -> AccountRequest:
    """Record a person's request to buy for a company on this store. The company is matched
    among those buying here by customer number or exact name; no match is recorded all the
    same (the store's agents route it). Nothing is said back about what matched: the answer
    is the same for every request, so the form tells nobody which companies buy here."""
    reference = company_reference.strip()
    return AccountRequest.objects.create(
        store_id=store.id,
        name=name.strip(),
        email=email.strip().lower(),
        company_reference=reference,
        company=company_for_reference(reference=reference, store_id=store.id),
        message=message.strip(),
    )


def _check_decider(*, account_request: AccountRequest, user: User) -> None:
    if account_request.status != AccountRequestStatus.PENDING:
        raise ApplicationError(
            _("This request has already been decided. Reload the page to see its state."),
            code="decided",
        )
    if not account_request_may_decide(user=user, account_request=account_request):
        raise ApplicationError(
            _("Only the company's admin or the store's service team can decide this request."),
            code="permission_denied",
        )


@transaction.atomic
def account_request_approve(
    *,
    account_request: AccountRequest,
    approved_by: User,
    site_url: str,
    company: Company | None = None,
    role: MemberRole = MemberRole.BUYER,
) -> Invitation:
    """Approve a request: the person gets an invitation (the same e-mail and link as a company
    admin's) for the request's company, or for ``company`` when an agent routes a request
    that named none the store knows. ``company`` must buy in the request's store and be one
    the approver may decide for; a request's own company is never replaced."""
    locked = AccountRequest.objects.select_for_update().get(pk=account_request.pk)
    if company is not None and locked.company_id not in (None, company.pk):
        raise ApplicationError(_("This request is for another company."), code="permission_denied")
    if locked.company_id is None:
        if company is None:
            raise ApplicationError(
                _("Choose the company this person buys for before approving."), field="company"
            )
        locked.company = company
    _check_decider(account_request=locked, user=approved_by)
    invitation = _invitation_send(
        company=locked.company,  # type: ignore[arg-type]
        store=locked.store,
        email=locked.email,
        role=role,
        invited_by=approved_by,
        site_url=site_url,
    )
    locked.status = AccountRequestStatus.APPROVED
    locked.decided_by = approved_by
    locked.decided_at = timezone.now()
    locked.invitation = invitation
    locked.save()
    return invitation


@transaction.atomic
def account_request_decline(
    *, account_request: AccountRequest, declined_by: User, reason: str
) -> AccountRequest:
    """Decline a request and tell the person why, by e-mail, in the same transaction (a
    decline nobody was told of is not recorded)."""
    locked = AccountRequest.objects.select_for_update().get(pk=account_request.pk)
    _check_decider(account_request=locked, user=declined_by)
    reason = reason.strip()
    if not reason:
        raise ApplicationError(
            _("Say why the request is declined: the person is told."), field="reason"
        )
    locked.status = AccountRequestStatus.DECLINED
    locked.decided_by = declined_by
    locked.decided_at = timezone.now()
    locked.decline_reason = reason
    locked.save()
    with store_locale(locked.store):
        send_mail(
            subject=_("Your account request at %(store)s") % {"store": locked.store.name},
            message=render_to_string(
                "accounts/email/account_request_declined.txt",
                {"account_request": locked, "store": locked.store},
            ),
            from_email=None,
            recipient_list=[locked.email],
        )
    return locked

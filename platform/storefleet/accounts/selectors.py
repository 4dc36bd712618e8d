"""Reads of customer companies.

Everything a storefront user may see is reached through :func:`company_for_member`, which
answers only with the user's own company and only on a store that company may buy in; the
selectors below it take that company, so a record of another company is never found."""

from __future__ import annotations

import hashlib

from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import (
    AccountRequest,
    AccountRequestStatus,
    Address,
    Company,
    Invitation,
    MemberRole,
    Membership,
)


def company_list() -> QuerySet[Company]:
    return Company.objects.prefetch_related("addresses")


def company_counts_by_store() -> dict[int, int]:
    """How many active customer companies may buy in each store (store id → count), in one
    query: the platform's Stores page shows whom each store serves."""
    rows = (
        Company.objects.filter(active=True, stores__isnull=False)
        .values("stores")
        .annotate(count=Count("id"))
    )
    return {row["stores"]: row["count"] for row in rows}


def store_company_codes(*, store_id: int) -> set[str]:
    """The codes of the companies that may buy in the store (the provisioning plan compares
    them with those its store file declares)."""
    return set(Company.objects.filter(stores__id=store_id).values_list("code", flat=True))


def company_by_code(code: str) -> Company | None:
    return Company.objects.filter(code=code).prefetch_related("addresses").first()


def user_may_buy_in_store(*, user: User, store_id: int) -> bool:
    """Whether the user belongs to an active company that may buy in this store."""
    return Membership.objects.filter(
        user_id=user.pk,
        company__active=True,
        company__stores__id=store_id,
    ).exists()


def company_for_member(
    *, user: AbstractBaseUser | AnonymousUser, store_id: int, company_id: int | None = None
) -> Membership | None:
    """The user's membership (with its company) when the company may buy in this store and,
    if ``company_id`` is given, is that company; else None (the caller answers 404). One query
    (every signed-in page and the buyers' page cache ask it)."""
    if not user.is_authenticated or not user.is_active:
        return None
    found = Membership.objects.select_related("company").filter(
        user_id=user.pk, company__active=True, company__stores__id=store_id
    )
    if company_id is not None:
        found = found.filter(company_id=company_id)
    return found.order_by().first()  # one at most: a user has one membership


def company_members(*, company: Company) -> QuerySet[Membership]:
    return Membership.objects.filter(company=company).select_related("user")


def company_member(*, company: Company, membership_id: int) -> Membership | None:
    return company_members(company=company).filter(id=membership_id).first()


def company_ship_to_addresses(*, company: Company) -> QuerySet[Address]:
    """The ERP's active ship-to addresses of this company."""
    return Address.objects.filter(company=company, is_ship_to=True, active=True)


def company_ship_to_address(*, company: Company, address_id: int) -> Address | None:
    return company_ship_to_addresses(company=company).filter(id=address_id).first()


def company_pending_invitations(*, company: Company) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        company=company, accepted_at__isnull=True, expires_at__gt=timezone.now()
    )


def company_pending_invitation(*, company: Company, invitation_id: int) -> Invitation | None:
    return company_pending_invitations(company=company).filter(id=invitation_id).first()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(*, token: str, store_id: int) -> Invitation | None:
    """The open invitation this token stands for, if it may be accepted on this store: not
    used, not expired, and its company may buy here. None for anything else (tampered too)."""
    return (
        Invitation.objects.select_related("company")
        .filter(
            token_digest=token_digest(token),
            accepted_at__isnull=True,
            expires_at__gt=timezone.now(),
            company__active=True,
            company__stores__id=store_id,
        )
        .first()
    )


def is_company_admin(membership: Membership) -> bool:
    return membership.role == MemberRole.ADMIN


def sign_in_attempts(*, limit: int = 200) -> list[AccessAttempt]:
    """The failure counters axes holds now (within the cool-off), most recent first."""
    return list(AccessAttempt.objects.order_by("-attempt_time")[:limit])


def sign_in_failures(*, limit: int = 200) -> list[AccessFailureLog]:
    """The latest failed sign-ins, each marked if it locked signing in."""
    return list(AccessFailureLog.objects.order_by("-attempt_time")[:limit])


def username_for_sign_in(identifier: str) -> str:
    """The username to authenticate for what was typed in the sign-in form: a username as
    it is, or an e-mail address (any case) of exactly one user. An address several accounts
    share, or none has, is passed on as typed, and fails like a wrong password."""
    identifier = identifier.strip()
    if "@" not in identifier:
        return identifier.lower()
    users = list(
        User.objects.filter(email__iexact=identifier).values_list("username", flat=True)[:2]
    )
    if len(users) == 1:
        return users[0]
    return identifier.lower()


def company_for_reference(*, reference: str, store_id: int) -> Company | None:
    """The active company buying in this store whose customer number or name is
    ``reference`` (any case); None for no match or an ambiguous one."""
    if not reference:
        return None
    found = list(
        Company.objects.filter(active=True, stores__id=store_id)
        .filter(Q(code__iexact=reference) | Q(name__iexact=reference))
        .distinct()[:2]
    )
    return found[0] if len(found) == 1 else None


def company_account_requests(*, company: Company) -> QuerySet[AccountRequest]:
    """The company's pending account requests, whichever store they were made on."""
    return AccountRequest.objects.filter(
        company=company, status=AccountRequestStatus.PENDING
    ).select_related("store")


def company_account_request(*, company: Company, request_id: int) -> AccountRequest | None:
    return company_account_requests(company=company).filter(id=request_id).first()


def agent_account_requests(*, user: User) -> QuerySet[AccountRequest]:
    """Pending requests made on the stores the agent serves, routed or not."""
    from storefleet.service.selectors import agent_stores

    return AccountRequest.objects.filter(
        store__in=agent_stores(user), status=AccountRequestStatus.PENDING
    ).select_related("store", "company")


def agent_account_request(*, user: User, request_id: int) -> AccountRequest | None:
    return agent_account_requests(user=user).filter(id=request_id).first()


def account_request_may_decide(*, user: User, account_request: AccountRequest) -> bool:
    """A company admin for their own company's requests; a service agent for requests made
    on a store they serve, to a company buying there."""
    from storefleet.service.selectors import agent_stores

    if not user.is_active:
        return False
    company_id = account_request.company_id
    if (
        company_id is not None
        and Membership.objects.filter(
            user_id=user.pk, company_id=company_id, role=MemberRole.ADMIN, company__active=True
        ).exists()
    ):
        return True
    if not agent_stores(user).filter(id=account_request.store_id).exists():
        return False
    return (
        company_id is None
        or Company.objects.filter(id=company_id, stores__id=account_request.store_id).exists()
    )


def store_companies(*, store_id: int) -> QuerySet[Company]:
    """The active companies buying in this store (what an agent may route a request to)."""
    return Company.objects.filter(active=True, stores__id=store_id).order_by("name")

"""What a service agent does for a customer company: cancel an order, file a return for
shipped lines, resend an order confirmation, and act as one of the company's buyers on a
storefront. Each goes through the same services the buyers use, with the agent's ``Principal``
(``selectors.agent_principal``), and leaves one ``ServiceAction`` behind; a call that changes
nothing (an order already cancelled, a return form sent twice) records nothing again.

Acting as a buyer is a storefront session as a member of the company, handed from the admin to
the store's host by a signed, single-use link that is good for two minutes; the session itself
ends after ``SERVICE_ACTING_MINUTES``, on "stop", or when an agent signs out of it, and its
start and stop are audited."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group, Permission, User
from django.core import signing
from django.db import transaction
from django.utils import timezone

from storefleet.accounts.models import Company, Membership
from storefleet.accounts.principal import Principal
from storefleet.errors import ApplicationError
from storefleet.ordering import notifications
from storefleet.ordering.cancel import CancelOutcome, order_cancel
from storefleet.ordering.models import Order, OrderStatus, ReturnRequest
from storefleet.ordering.order_ref import NotFound
from storefleet.ordering.returns.refresh import returns_refresh
from storefleet.ordering.returns.services import ReturnReasonGiven, ReturnWanted, return_request
from storefleet.ordering.sales_mirror import sales_refresh
from storefleet.tenants.models import Store

from .models import ActingSession, ActionKind, ServiceAction, ServiceTeam
from .selectors import (
    SETTLED,
    agent_principal,
    agent_scope,
    company_shown_returns,
    company_shown_sales,
    company_stores_for_agent,
)

HANDOVER_SALT = "storefleet.service.acting"
HANDOVER_SECONDS = 120


# ------------------------------------------------------------------ teams
def service_team_name(store: Store) -> str:
    return f"{store.name} service agents"


@transaction.atomic
def service_team_ensure(*, store: Store) -> ServiceTeam:
    """The store's service-agents group with the admin and console permissions (made once)."""
    team = ServiceTeam.objects.filter(store=store).select_related("group").first()
    if team is not None:
        return team
    group, _ = Group.objects.get_or_create(name=service_team_name(store))
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        Permission.objects.get(content_type__app_label="service", codename="access_console"),
    )
    return ServiceTeam.objects.create(store=store, group=group)


def service_team_delete(*, store: Store) -> None:
    """Remove the store's service team and its group (``provisioning.stores.store_close``
    calls this)."""
    team = ServiceTeam.objects.filter(store=store).first()
    if team is not None:
        group = team.group
        team.delete()
        group.delete()


def service_agent_add(*, store: Store, user: User) -> None:
    """Make ``user`` an agent of this store (and of no other)."""
    user.groups.add(service_team_ensure(store=store).group)


LOST_ACCESS = "agent lost access"


@transaction.atomic
def service_agent_remove(*, store: Store, user: User) -> int:
    """Take ``user`` out of this store's service team and end, at once, every session in
    which they act as a buyer in this store (what they may do in other stores stays).
    Returns how many sessions were ended."""
    team = ServiceTeam.objects.filter(store=store).select_related("group").first()
    if team is not None:
        user.groups.remove(team.group)
    open_sessions = ActingSession.objects.filter(
        agent=user, store=store, stopped_at__isnull=True
    ).values_list("id", flat=True)
    ended = 0
    for session_id in list(open_sessions):
        acting_stop(session_id=session_id, reason=LOST_ACCESS)
        ended += 1
    return ended


# ------------------------------------------------------------------ audit
def _agent_name(agent: User) -> str:
    full = getattr(agent, "get_full_name", lambda: "")()
    username = agent.get_username()
    return f"{full} ({username})" if full else username


def _record(
    *,
    agent: User,
    company: Company,
    action: ActionKind,
    target: str = "",
    detail: str = "",
    store_id: int | None = None,
) -> ServiceAction:
    return ServiceAction.objects.create(
        agent_id=agent.pk,
        agent_name=_agent_name(agent)[:255],
        company=company,
        store_id=store_id,
        action=action,
        target=target[:64],
        detail=detail,
    )


# ------------------------------------------------------------------ order actions
def _console_agent(principal: Principal) -> User:
    """The agent a console principal names (``selectors.agent_principal``)."""
    if principal.agent is None:
        raise ValueError("A console action is taken by an agent: use agent_principal.")
    return principal.agent


def agent_order_cancel(*, principal: Principal, number: str) -> CancelOutcome:
    """Cancel the company's order ``number`` for it (``cancel.order_cancel`` with the agent's
    principal: the agent is who cancelled, within the stores the agent serves). Raises its
    ``ApplicationError``s; records the cancel once, under the web order's store (none for a
    sale entered in the ERP, which is the company's in every store)."""
    agent, company = _console_agent(principal), principal.company
    outcome = order_cancel(principal=principal, number=number)
    if not outcome.already_cancelled:
        _record(
            store_id=principal.scope.orders()
            .filter(number=outcome.number)
            .values_list("store_id", flat=True)
            .first(),
            agent=agent,
            company=company,
            action=ActionKind.ORDER_CANCEL,
            target=outcome.number,
            detail="taken out of the outbox before the ERP heard of it"
            if outcome.before_erp
            else "cancelled in the ERP",
        )
    return outcome


def agent_return_create(
    *,
    principal: Principal,
    number: str,
    lines: Sequence[ReturnWanted],
    reason: ReturnReasonGiven,
    submit_token: str,
) -> ReturnRequest:
    """File a return of shipped lines of the company's order for it
    (``returns.services.return_request`` with the agent's principal: the agent is who asked,
    within the stores the agent serves); once per ``submit_token``, recorded once."""
    agent, company = _console_agent(principal), principal.company
    made = return_request(
        principal=principal,
        number=number,
        lines=lines,
        reason=reason,
        submit_token=submit_token,
    )
    if not ServiceAction.objects.filter(
        company=company, action=ActionKind.RETURN_CREATE, target=made.number
    ).exists():
        summary = ", ".join(
            f"{line.quantity.normalize():f} {line.sku}" for line in made.lines.all()
        )
        _record(
            agent=agent,
            company=company,
            action=ActionKind.RETURN_CREATE,
            target=made.number,
            detail=f"order {made.order_number}: {summary} ({made.get_reason_display()})",
            store_id=made.store_id,
        )
    return made


def agent_confirmation_resend(*, agent: User, company: Company, order: Order) -> str:
    """E-mail the order's confirmation to the buyer who placed it again; returns the address."""
    if not agent_scope(user=agent, company=company).orders().filter(id=order.id).exists():
        raise NotFound
    if order.status != OrderStatus.CONFIRMED:
        raise ApplicationError(
            f"Order {order.number} is not confirmed by the ERP, so there is no confirmation to "
            "resend.",
            code="not_confirmed",
        )
    email = order.placed_by.email if order.placed_by else ""
    if not email:
        raise ApplicationError(
            f"Order {order.number} has no buyer e-mail address to send the confirmation to.",
            code="no_recipient",
        )
    notifications.order_outcome(order=order, resend=True)
    _record(
        agent=agent,
        company=company,
        action=ActionKind.CONFIRMATION_RESEND,
        target=order.number,
        detail=f"sent to {email}",
        store_id=order.store_id,
    )
    return email


# ------------------------------------------------------------------ acting as a buyer
def acting_minutes() -> int:
    return int(getattr(settings, "SERVICE_ACTING_MINUTES", 30))


@dataclass(frozen=True, slots=True)
class ActingStart:
    session: ActingSession
    token: str  # for the store host's hand-over URL


def acting_start(
    *,
    agent: User,
    company: Company,
    member_id: int,
    store_id: int,
    back_url: str = "",
) -> ActingStart:
    """Open a session in which the agent acts as the member ``member_id`` of the company in
    one of its stores the agent serves; returns the single-use hand-over token."""
    membership = (
        Membership.objects.filter(company=company, id=member_id).select_related("user").first()
    )
    if membership is None or not membership.user.is_active:
        raise ApplicationError("Choose an active member of the company to act as.", code="member")
    if membership.user.is_staff or membership.user.is_superuser:
        raise ApplicationError("Staff accounts can't be acted as.", code="member")
    store = next(
        (s for s in company_stores_for_agent(user=agent, company=company) if s.id == store_id),
        None,
    )
    if store is None:
        raise ApplicationError("Choose a store the company buys in and you serve.", code="store")
    if not company.active:
        raise ApplicationError(f"{company.name} is inactive: nobody can sign in for it.")
    with transaction.atomic():
        # One session per agent: starting again replaces (stops) the earlier one, so none is
        # left open without its agent.
        earlier = ActingSession.objects.filter(agent_id=agent.pk, stopped_at__isnull=True)
        for session_id in earlier.values_list("id", flat=True):
            acting_stop(session_id=session_id, reason="replaced")
        session = ActingSession.objects.create(
            agent_id=agent.pk,
            company=company,
            member=membership.user,
            store=store,
            nonce=secrets.token_urlsafe(24),
            expires_at=timezone.now() + datetime.timedelta(minutes=acting_minutes()),
            back_url=back_url[:500],
        )
        _record(
            agent=agent,
            company=company,
            action=ActionKind.ACTING_START,
            target=membership.user.email[:64],
            detail=f"as {membership.user.email} in {store.name}, for at most "
            f"{acting_minutes()} minutes",
            store_id=store.id,
        )
    token = signing.dumps({"s": session.id, "n": session.nonce}, salt=HANDOVER_SALT)
    return ActingStart(session=session, token=token)


def acting_enter(*, token: str, store_id: int) -> ActingSession:
    """The session a hand-over token opens on this store's host: only once, within two
    minutes, on the store it was made for, while it has not expired or been stopped."""
    expired = ApplicationError(
        "This link has expired or was already used: start acting for the company again from "
        "the service console.",
        code="handover",
    )
    try:
        data = signing.loads(token, salt=HANDOVER_SALT, max_age=HANDOVER_SECONDS)
    except signing.BadSignature as error:
        raise expired from error
    now = timezone.now()
    taken = ActingSession.objects.filter(
        id=data.get("s"),
        nonce=data.get("n"),
        store_id=store_id,
        entered_at__isnull=True,
        stopped_at__isnull=True,
        expires_at__gt=now,
    ).update(entered_at=now)
    if not taken:
        raise expired
    return ActingSession.objects.select_related("agent", "company", "member", "store").get(
        id=data["s"]
    )


def acting_stop(*, session_id: int, reason: str = "stopped") -> ActingSession | None:
    """End an acting session (once; a second stop records nothing). ``reason``: "stopped"
    (the agent's button), "expired", "signed out", "replaced" (the agent started another)."""
    now = timezone.now()
    with transaction.atomic():
        ended = ActingSession.objects.filter(id=session_id, stopped_at__isnull=True).update(
            stopped_at=now, stop_reason=reason[:32]
        )
        session = (
            ActingSession.objects.select_related("agent", "company", "member", "store")
            .filter(id=session_id)
            .first()
        )
        if not ended or session is None:
            return session
        minutes = max(1, round((now - session.started_at).total_seconds() / 60))
        _record(
            agent=session.agent,
            company=session.company,
            action=ActionKind.ACTING_STOP,
            target=session.member.email[:64],
            detail=f"{reason} after {minutes} min in {session.store.name}",
            store_id=session.store_id,
        )
    return session


def company_refresh(*, user: User | AnonymousUser, company: Company) -> bool:
    """Bring what the console's company page shows up to date from the ERP (through the
    gateway's cache): the shown sales still moving and the filed returns. False when the ERP
    could not be reached: the page then shows the mirror and says so."""
    principal = agent_principal(user=user, company=company)
    fresh = True
    shown = company_shown_sales(scope=principal.scope)
    moving = [r.number for r in shown if r.progress not in SETTLED]
    if moving:
        fresh = sales_refresh(numbers=moving, customer=company.code)
    if not returns_refresh(returns=company_shown_returns(principal=principal)):
        fresh = False
    return fresh

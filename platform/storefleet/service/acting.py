"""The storefront side of acting as a buyer: the hand-over view that opens the session on the
store's host, the stop view, the middleware that keeps the session in bounds on every request
(time limit, store, no password or company-user changes), and the banner's context.

The session is an ordinary sign-in as the member, plus ``ACTING_KEY`` naming the
``ActingSession``: the middleware checks that record on each request, so a stop from anywhere
(or the clock) ends it at once."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from storefleet.errors import ApplicationError

from .models import ActingSession
from .selectors import agent_stores
from .services import LOST_ACCESS, acting_enter, acting_stop

ACTING_KEY = "service_acting"
# What an agent acting as a buyer may not do: change passwords, or the company's users.
BLOCKED_URL_NAMES = {
    "accounts:invitation_create",
    "accounts:invitation_revoke",
    "accounts:member_remove",
    "accounts:invitation_accept",
}
BLOCKED_NAMESPACES = {"admin", "wagtailadmin"}


@require_GET
def acting_handover(request: HttpRequest, token: str) -> HttpResponse:
    """Open the acting session the admin's single-use link stands for, on this store."""
    store = getattr(request, "store", None)
    if store is None:
        raise Http404
    try:
        session = acting_enter(token=token, store_id=store.id)
    except ApplicationError as error:
        return render(request, "service/acting_ended.html", {"message": error.message}, status=403)
    back = session.back_url
    last_login = session.member.last_login
    login(request, session.member, backend="django.contrib.auth.backends.ModelBackend")
    # The contacts' "last sign-in" is the buyer's own, not the agent's visit.
    type(session.member).objects.filter(pk=session.member.pk).update(last_login=last_login)
    request.session[ACTING_KEY] = {"id": session.id, "back": back}
    messages.info(request, f"You are acting for {session.company.name} as {session.member.email}.")
    return HttpResponseRedirect("/account/")


@require_POST
def acting_stop_view(request: HttpRequest) -> HttpResponse:
    data = request.session.get(ACTING_KEY) or {}
    back = data.get("back", "")
    if data.get("id"):
        acting_stop(session_id=data["id"], reason="stopped")
    logout(request)
    if back:  # written by the admin when the session started, never taken from the request
        return HttpResponseRedirect(back)
    return render(
        request,
        "service/acting_ended.html",
        {"message": "You stopped acting for the company.", "back": back},
    )


class ActingMiddleware:
    """Keeps an acting session in bounds; put it after authentication and messages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        data = session.get(ACTING_KEY) if session is not None else None
        if not data:
            return self.get_response(request)
        acting = (
            ActingSession.objects.select_related("agent", "company", "store", "member")
            .filter(id=data.get("id"))
            .first()
        )
        store = getattr(request, "store", None)
        now = timezone.now()
        if (
            acting is None
            or acting.stopped_at is not None
            or acting.expires_at <= now
            or store is None
            or store.id != acting.store_id
            or request.user.pk != acting.member_id
            or not _still_agent(acting)
        ):
            if acting is not None and acting.stopped_at is None:
                acting_stop(session_id=acting.id, reason=_end_reason(acting, now))
            logout(request)
            return render(
                request,
                "service/acting_ended.html",
                {
                    "message": "Your session acting for the company has ended; you are signed "
                    "out of the store.",
                    "back": data.get("back", ""),
                },
            )
        name = _url_name(request)
        if name == "accounts:logout":
            acting_stop(session_id=acting.id, reason="signed out")
        elif name in BLOCKED_URL_NAMES or (name.split(":")[0] in BLOCKED_NAMESPACES):
            return render(
                request,
                "service/acting_refused.html",
                {"service_acting": acting, "acting_back": data.get("back", "")},
                status=403,
            )
        request.service_acting = acting  # type: ignore[attr-defined]
        request.service_acting_back = data.get("back", "")  # type: ignore[attr-defined]
        return self.get_response(request)


def _still_agent(acting: ActingSession) -> bool:
    """Whether the agent still serves the store they act in (taken out of its service team,
    by the admin or a store file, ends the session even if they serve other stores)."""
    return agent_stores(acting.agent).filter(pk=acting.store_id).exists()


def _end_reason(acting: ActingSession, now: datetime.datetime) -> str:
    if acting.expires_at <= now:
        return "expired"
    if not _still_agent(acting):
        return LOST_ACCESS
    return "left the store"


def _url_name(request: HttpRequest) -> str:
    if "password" in request.path_info.lower():
        return "admin:password"
    try:
        match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
    except Resolver404:
        return ""
    return match.view_name or ""


def acting_context(request: HttpRequest) -> dict[str, Any]:
    """The banner's data on storefront pages (nothing outside an acting session)."""
    acting = getattr(request, "service_acting", None)
    if acting is None:
        return {}
    return {"service_acting": acting, "acting_back": getattr(request, "service_acting_back", "")}

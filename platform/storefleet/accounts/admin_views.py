"""Admin screens of accounts: platform IT's sign-in lockouts (who is being throttled now, and
the latest failed sign-ins: django-axes' records; storefleet.accounts.throttle), and the
service team's account requests."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from storefleet.errors import ApplicationError

from . import selectors, services
from .forms import DeclineForm, IdForm, RouteForm

# Platform IT holds it (superusers); brand editors, agents and managers don't.
VIEW_PERMISSION = "axes.view_accessattempt"


@require_GET
def sign_in_lockouts(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    return TemplateResponse(
        request,
        "accounts/admin/sign_in_lockouts.html",
        {
            "attempts": selectors.sign_in_attempts(),
            "failures": selectors.sign_in_failures(),
            "lockouts": settings.SIGN_IN_LOCKOUTS,
            "cool_off": settings.AXES_COOLOFF_TIME,
        },
    )


def _agent(request: HttpRequest) -> User:
    from storefleet.service.selectors import is_agent

    user = request.user
    if not isinstance(user, User) or not is_agent(user):
        raise PermissionDenied
    return user


def _agent_requests_page(
    request: HttpRequest, agent: User, *, error: str = "", status: int = 200
) -> HttpResponse:
    pending = list(selectors.agent_account_requests(user=agent))
    for item in pending:
        # Where a request named no company the store knows, the agent routes it to one of
        # the store's companies.
        item.route_choices = (  # type: ignore[attr-defined]
            selectors.store_companies(store_id=item.store_id) if item.company_id is None else []
        )
    return TemplateResponse(
        request,
        "accounts/admin/account_requests.html",
        {"requests": pending, "error": error},
        status=status,
    )


def agent_account_requests(request: HttpRequest) -> HttpResponse:
    """The service team's list of people asking for an account on the stores they serve:
    approve (routing a request to a company where it named none known) or decline."""
    agent = _agent(request)
    if request.method != "POST":
        return _agent_requests_page(request, agent)
    decision = request.POST.get("decision")
    form = RouteForm(request.POST) if decision == "approve" else DeclineForm(request.POST)
    ids = IdForm(request.POST)
    found = ids.is_valid() and selectors.agent_account_request(
        user=agent, request_id=ids.cleaned_data["id"]
    )
    if not found or decision not in ("approve", "decline"):
        raise Http404("No such request among the stores you serve.")
    if not form.is_valid():
        error = (
            "Choose the company from the list."
            if decision == "approve"
            else "Say why the request is declined."
        )
        return _agent_requests_page(request, agent, error=error, status=400)
    try:
        if decision == "approve":
            company = None
            company_id = form.cleaned_data.get("company")
            if company_id:
                company = (
                    selectors.store_companies(store_id=found.store_id).filter(id=company_id).first()
                )
                if company is None:
                    raise Http404("No such company in this store.")
            invitation = services.account_request_approve(
                account_request=found,
                approved_by=agent,
                company=company,
                site_url=f"{found.store.base_url}/",
            )
            messages.success(request, f"Invitation sent to {invitation.email}.")
        else:
            services.account_request_decline(
                account_request=found, declined_by=agent, reason=form.cleaned_data["reason"]
            )
            messages.success(request, f"The request of {found.email} was declined.")
    except ApplicationError as error:
        status = 403 if error.code == "permission_denied" else 400
        return _agent_requests_page(request, agent, error=error.message, status=status)
    return redirect("accounts_agent_requests")

"""Storefront views of company accounts, on store hosts under /account/.

Every view that shows or changes company data finds the company through
``company_for_member``: another company's id in a URL or a hidden field answers 404, the same
as an id that doesn't exist, so nothing tells a user what other companies have."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from storefleet.errors import ApplicationError

from . import selectors, services
from .forms import IdForm, InvitationAcceptForm, InvitationForm, StoreAuthenticationForm
from .models import MemberRole, Membership

account_required = login_required(login_url=reverse_lazy("accounts:login"))


class StoreLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = StoreAuthenticationForm

    def dispatch(self, request: HttpRequest, *args, **kwargs):
        if getattr(request, "store", None) is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_default_redirect_url(self) -> str:
        return reverse("accounts:home")


class StoreLogoutView(LogoutView):
    next_page = "/"


def _membership(request: HttpRequest, company_id: int | None = None) -> Membership:
    membership = selectors.company_for_member(
        user=request.user,
        store_id=request.store.id,  # type: ignore[attr-defined]
        company_id=company_id,
    )
    if membership is None:
        raise Http404
    return membership


def _company_page(
    request: HttpRequest,
    membership: Membership,
    *,
    invite_form: InvitationForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    company = membership.company
    is_admin = selectors.is_company_admin(membership)
    context = {
        "membership": membership,
        "company": company,
        "is_admin": is_admin,
        "members": selectors.company_members(company=company),
        "addresses": selectors.company_ship_to_addresses(company=company),
        "invitations": selectors.company_pending_invitations(company=company) if is_admin else [],
        "invite_form": (invite_form or InvitationForm()) if is_admin else None,
        "error": error,
    }
    return render(request, "accounts/company.html", context, status=status)


@account_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("accounts:company", company_id=_membership(request).company_id)


@account_required
def company_detail(request: HttpRequest, company_id: int) -> HttpResponse:
    return _company_page(request, _membership(request, company_id))


@account_required
def address_detail(request: HttpRequest, company_id: int, address_id: int) -> HttpResponse:
    membership = _membership(request, company_id)
    address = selectors.company_ship_to_address(company=membership.company, address_id=address_id)
    if address is None:
        raise Http404
    return render(
        request, "accounts/address.html", {"company": membership.company, "address": address}
    )


def _refused(
    request: HttpRequest,
    membership: Membership,
    error: ApplicationError,
    invite_form: InvitationForm | None = None,
) -> HttpResponse:
    status = 403 if error.code == "permission_denied" else 400
    return _company_page(
        request, membership, invite_form=invite_form, error=error.message, status=status
    )


@account_required
@require_POST
def invitation_create(request: HttpRequest, company_id: int) -> HttpResponse:
    membership = _membership(request, company_id)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return _company_page(request, membership, invite_form=form, status=400)
    try:
        invitation = services.invitation_create(
            company=membership.company,
            store=request.store,  # type: ignore[attr-defined]
            email=form.cleaned_data["email"],
            role=MemberRole(form.cleaned_data["role"]),
            invited_by=membership.user,
            site_url=f"{request.store.base_url}/",  # type: ignore[attr-defined]
        )
    except ApplicationError as error:
        if error.field:
            form.add_error(error.field, error.message)
            return _company_page(request, membership, invite_form=form, status=400)
        return _refused(request, membership, error, invite_form=form)
    messages.success(request, f"Invitation sent to {invitation.email}.")
    return redirect("accounts:company", company_id=company_id)


@account_required
@require_POST
def invitation_revoke(request: HttpRequest, company_id: int) -> HttpResponse:
    membership = _membership(request, company_id)
    form = IdForm(request.POST)
    invitation = form.is_valid() and selectors.company_pending_invitation(
        company=membership.company, invitation_id=form.cleaned_data["id"]
    )
    if not invitation:
        raise Http404
    try:
        services.invitation_revoke(invitation=invitation, revoked_by=membership.user)
    except ApplicationError as error:
        return _refused(request, membership, error)
    messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect("accounts:company", company_id=company_id)


@account_required
@require_POST
def member_remove(request: HttpRequest, company_id: int) -> HttpResponse:
    membership = _membership(request, company_id)
    form = IdForm(request.POST)
    member = form.is_valid() and selectors.company_member(
        company=membership.company, membership_id=form.cleaned_data["id"]
    )
    if not member:
        raise Http404
    try:
        services.membership_remove(membership=member, removed_by=membership.user)
    except ApplicationError as error:
        return _refused(request, membership, error)
    messages.success(request, f"{member.user.email} was removed from {membership.company.name}.")
    return redirect("accounts:company", company_id=company_id)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    store = request.store  # type: ignore[attr-defined]
    invitation = selectors.invitation_for_token(token=token, store_id=store.id)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token, store=store, password=form.cleaned_data["password1"]
            )
        except ApplicationError as error:
            if not error.field:
                return render(request, "accounts/invitation_invalid.html", status=404)
            form.add_error(error.field, error.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {invitation.company.name}.")
            return redirect("accounts:home")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=status,
    )

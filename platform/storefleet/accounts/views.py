"""Storefront views of company accounts, on store hosts under /account/.

Every view that shows or changes company data finds the company through
``company_for_member``: another company's id in a URL or a hidden field answers 404, the same
as an id that doesn't exist, so nothing tells a user what other companies have."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import (
    INTERNAL_RESET_SESSION_TOKEN,
    LoginView,
    LogoutView,
    PasswordResetConfirmView,
    PasswordResetView,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storefleet.errors import ApplicationError
from storefleet.tenants.locale import language_origin

from . import selectors, services
from .dashboard import buyer_home
from .forms import (
    AccountRequestForm,
    DeclineForm,
    IdForm,
    InvitationAcceptForm,
    InvitationForm,
    StoreAuthenticationForm,
    StorePasswordResetForm,
)
from .models import MemberRole, Membership
from .throttle import form_lockout_message, form_request_allowed

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

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


def _store_or_404(request: HttpRequest) -> Any:
    store = getattr(request, "store", None)
    if store is None:
        raise Http404
    return store


class StorePasswordResetView(PasswordResetView):
    """ "Forgot password?" on a store: Django's reset flow, the e-mail in the store's name with
    its link on the store's own canonical address (never the admin's base URL), throttled
    like sign-in. The answer is the same whether the address has an account here or not."""

    template_name = "accounts/password_reset.html"
    form_class = StorePasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.store = _store_or_404(request)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "store_id": self.store.id}

    def form_valid(self, form: StorePasswordResetForm) -> HttpResponse:
        if not form_request_allowed(
            self.request, door="password_reset", identifier=form.cleaned_data["email"]
        ):
            form.add_error(None, form_lockout_message())
            return self.render_to_response(self.get_context_data(form=form), status=429)
        # The host of the language the buyer asked in (a language's own host, or the store's):
        # the link's path is reversed in that language.
        origin = language_origin(self.store, translation.get_language() or "")
        self.extra_email_context = {"store": self.store, "origin": origin}
        return super().form_valid(form)


def password_reset_done(request: HttpRequest) -> HttpResponse:
    _store_or_404(request)
    return render(request, "accounts/password_reset_done.html")


class StorePasswordResetConfirmView(PasswordResetConfirmView):
    """The link from the e-mail: valid only for the user it was made for, and only for a user
    whose company buys in this store. A buyer of this store is signed in afterwards."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:home")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.store = _store_or_404(request)
        return super().dispatch(request, *args, **kwargs)

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        if user is None or not selectors.user_may_buy_in_store(user=user, store_id=self.store.id):
            return None
        return user

    def form_valid(self, form: Any) -> HttpResponse:
        user = services.password_set(user=form.user, password=form.cleaned_data["new_password1"])
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        login(self.request, user, backend=MODEL_BACKEND)
        messages.success(self.request, _("Your new password is set, and you are signed in."))
        return redirect("accounts:home")


def account_request(request: HttpRequest) -> HttpResponse:
    """ "Request an account": anyone may ask to buy for a company in this store. Every valid
    request gets the same answer, whether the company is known here or not."""
    store = _store_or_404(request)
    form = AccountRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if not form_request_allowed(
                request, door="account_request", identifier=form.cleaned_data["email"]
            ):
                form.add_error(None, form_lockout_message())
                status = 429
            else:
                services.account_request_create(store=store, **form.cleaned_data)
                return redirect("accounts:account_request_done")
    return render(request, "accounts/account_request.html", {"form": form}, status=status)


def account_request_done(request: HttpRequest) -> HttpResponse:
    _store_or_404(request)
    return render(request, "accounts/account_request_done.html")


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


def _url_or_none(name: str) -> str | None:
    """The address of a URL name, or None where it does not exist (yet) on this host."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@account_required
def home(request: HttpRequest) -> HttpResponse:
    """The buyer's home after sign-in: recent orders, credit and open invoices, saved lists
    and shortcuts."""
    from storefleet.accounts.navigation import CATALOG, NavEntry, entry_href

    membership = _membership(request)
    store = request.store  # type: ignore[attr-defined]
    is_admin = selectors.is_company_admin(membership)
    context = {
        "company": membership.company,
        "home": buyer_home(membership=membership, store_id=store.id),
        "catalog_url": entry_href(NavEntry("catalog", "Catalog", CATALOG), request),
        "lists_url": _url_or_none("lists:index"),
        "pending_requests": (
            selectors.company_account_requests(company=membership.company).count()
            if is_admin
            else 0
        ),
    }
    return render(request, "accounts/dashboard.html", context)


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
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
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
    messages.success(
        request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
    )
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
    messages.success(
        request,
        _("%(email)s was removed from %(company)s.")
        % {"email": member.user.email, "company": membership.company.name},
    )
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
            messages.success(
                request, _("Welcome to %(company)s.") % {"company": invitation.company.name}
            )
            return redirect("accounts:home")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=status,
    )


def _admin_of_store_company(request: HttpRequest) -> Membership:
    membership = _membership(request)
    if not selectors.is_company_admin(membership):
        raise Http404
    return membership


def _requests_page(
    request: HttpRequest, membership: Membership, *, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "accounts/account_requests.html",
        {
            "company": membership.company,
            "requests": selectors.company_account_requests(company=membership.company),
            "error": error,
        },
        status=status,
    )


@account_required
def account_requests(request: HttpRequest) -> HttpResponse:
    """A company admin's list of people asking to join the company."""
    return _requests_page(request, _admin_of_store_company(request))


@account_required
@require_POST
def account_request_decide(request: HttpRequest, decision: str) -> HttpResponse:
    """Approve (an invitation is sent) or decline (the reason is e-mailed) one of the
    company's requests; a request id of another company answers 404."""
    if decision not in ("approve", "decline"):
        raise Http404
    membership = _admin_of_store_company(request)
    form = DeclineForm(request.POST) if decision == "decline" else IdForm(request.POST)
    id_ok = IdForm(request.POST)
    found = id_ok.is_valid() and selectors.company_account_request(
        company=membership.company, request_id=id_ok.cleaned_data["id"]
    )
    if not found:
        raise Http404
    if not form.is_valid():
        return _requests_page(
            request, membership, error="Say why the request is declined.", status=400
        )
    store = request.store  # type: ignore[attr-defined]
    try:
        if decision == "approve":
            invitation = services.account_request_approve(
                account_request=found, approved_by=membership.user, site_url=f"{store.base_url}/"
            )
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
        else:
            services.account_request_decline(
                account_request=found,
                declined_by=membership.user,
                reason=form.cleaned_data["reason"],
            )
            messages.success(
                request, _("The request of %(email)s was declined.") % {"email": found.email}
            )
    except ApplicationError as error:
        status = 403 if error.code == "permission_denied" else 400
        return _requests_page(request, membership, error=error.message, status=status)
    return redirect("accounts:requests")

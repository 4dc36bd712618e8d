"""The company admin's API keys page on a store's account pages: make a key (its text shown
once, on the answer to the form), list the company's keys made in this store, revoke one."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from storefleet.accounts.models import Company, Membership
from storefleet.accounts.selectors import company_for_member, is_company_admin
from storefleet.errors import ApplicationError
from storefleet.tenants.models import Store

from .keys import GRANTABLE_SCOPES, MAX_LIFETIME_DAYS, api_key_create, api_key_revoke, company_keys
from .models import KeyKind
from .sandbox import sandbox_key_create

account_required = login_required(login_url=reverse_lazy("accounts:login"))


class KeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("The system that will use it, e.g. 'SAP Ariba'."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("It may"),
        choices=[(s.value, s.label) for s in GRANTABLE_SCOPES],
        widget=forms.CheckboxSelectMultiple,
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("At most two years from today."),
    )

    def clean_expires_on(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if value <= today:
            raise forms.ValidationError(_("Choose a date after today."))
        if value > today + datetime.timedelta(days=MAX_LIFETIME_DAYS):
            raise forms.ValidationError(_("Choose a date at most two years from today."))
        return value


def _admin(request: HttpRequest) -> tuple[Membership, Company, int]:
    store = getattr(request, "store", None)
    if store is None:
        raise Http404
    membership = company_for_member(user=request.user, store_id=store.id)
    if membership is None or not is_company_admin(membership):
        raise Http404("Only your company's administrators manage API keys.")
    return membership, membership.company, store.id


@account_required
def key_list(request: HttpRequest) -> HttpResponse:
    _membership, company, store_id = _admin(request)
    created = None
    form = KeyForm(request.POST or None, initial={"scopes": [GRANTABLE_SCOPES[0].value]})
    status = 200
    store = Store.objects.get(pk=store_id)
    sandbox_error = ""
    if request.method == "POST":
        if getattr(request, "service_acting", None):
            raise Http404  # an agent acting for the buyer never takes a key home
        if request.POST.get("action") == "sandbox":
            # One click on a sandbox store: a key with every read and order scope, for 30 days.
            form = KeyForm(initial={"scopes": [GRANTABLE_SCOPES[0].value]})
            try:
                created = sandbox_key_create(
                    store=store, company=company, created_by=request.user
                ).text
            except ApplicationError as error:
                sandbox_error = error.message
                status = 400
        elif form.is_valid():
            end = datetime.datetime.combine(
                form.cleaned_data["expires_on"],
                datetime.time.max,
                tzinfo=timezone.get_current_timezone(),
            )
            try:
                _key, created = api_key_create(
                    name=form.cleaned_data["name"],
                    kind=KeyKind.COMPANY,
                    scopes=form.cleaned_data["scopes"],
                    expires_at=end,
                    company=company,
                    store=store,
                    created_by=request.user,
                )
            except ApplicationError as error:
                sandbox_error = error.message
                status = 400
            else:
                form = KeyForm(initial={"scopes": [GRANTABLE_SCOPES[0].value]})
        else:
            status = 400
    response = render(
        request,
        "api/keys.html",
        {
            "company": company,
            "keys": company_keys(company=company, store_id=store_id),
            "form": form,
            "created": created,
            "now": timezone.now(),
            "sandbox": store.sandbox,
            "sandbox_error": sandbox_error,
        },
        status=status,
    )
    response["Cache-Control"] = "private, no-store"  # the page may hold a key's text
    return response


@account_required
@require_POST
def key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    _membership, company, _store_id = _admin(request)
    if not api_key_revoke(key_id=key_id, company=company):
        raise Http404("No such key")
    return redirect("api_keys")

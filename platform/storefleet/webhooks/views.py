"""The company admin's webhooks page on a store's account pages, next to the API keys page:
subscribe an endpoint (its signing secret shown once, on the answer to the form), rotate the
secret, enable a disabled one, delete one; the recent deliveries, each resendable."""

from __future__ import annotations

import contextlib
import re

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from storefleet.accounts.models import Company
from storefleet.accounts.selectors import company_for_member, is_company_admin
from storefleet.errors import ApplicationError

from . import selectors, services
from .events import RESERVED, Event
from .models import Subscription

account_required = login_required(login_url=reverse_lazy("accounts:login"))
RECENT = 50


class SubscriptionForm(forms.Form):
    url = forms.URLField(
        label=_("Endpoint URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("An https address of your system on the internet."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(e.value, e.value) for e in Event if e not in RESERVED],
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    watched_skus = forms.CharField(
        label=_("SKUs to watch"),
        required=False,
        max_length=40000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For price_or_availability.changed: the SKUs whose price or availability you "
            "watch, separated by commas or on lines of their own."
        ),
    )

    def clean_watched_skus(self) -> list[str]:
        text = self.cleaned_data.get("watched_skus", "")
        return [sku for sku in re.split(r"[\s,;]+", text) if sku]


def _admin(request: HttpRequest) -> tuple[Company, int]:
    store = getattr(request, "store", None)
    if store is None:
        raise Http404
    membership = company_for_member(user=request.user, store_id=store.id)
    if membership is None or not is_company_admin(membership):
        raise Http404("Only your company's administrators manage webhooks.")
    if request.method == "POST" and getattr(request, "service_acting", None):
        raise Http404  # an agent acting for the buyer never takes a secret home
    return membership.company, store.id


def _own(company: Company, store_id: int, subscription_id: int) -> Subscription:
    found = (
        selectors.company_subscriptions(company=company, store_id=store_id)
        .filter(id=subscription_id)
        .first()
    )
    if found is None:
        raise Http404("No such subscription")
    return found


def _page(request: HttpRequest, company: Company, store_id: int, **context: object) -> HttpResponse:
    response = render(
        request,
        "webhooks/subscriptions.html",
        {
            "company": company,
            "subscriptions": selectors.company_subscriptions(company=company, store_id=store_id),
            "deliveries": selectors.caller_deliveries(company=company, store_id=store_id)
            .select_related("subscription")
            .order_by("-id")[:RECENT],
            "form": context.pop("form", None) or SubscriptionForm(),
            **context,
        },
        status=int(context.pop("status", 200)),  # type: ignore[call-overload]
    )
    response["Cache-Control"] = "private, no-store"  # the page may hold a secret
    return response


@account_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    company, store_id = _admin(request)
    if request.method != "POST":
        return _page(request, company, store_id)
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        return _page(request, company, store_id, form=form, status=400)
    try:
        _made, secret = services.subscription_create(
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            description=form.cleaned_data["description"],
            watched_skus=form.cleaned_data["watched_skus"],
            company=company,
            store_id=store_id,
            created_by=request.user,
        )
    except ApplicationError as error:
        field = error.field if error.field in ("url", "watched_skus") else None
        form.add_error("url" if error.field is None else field, error.message)
        return _page(request, company, store_id, form=form, status=400)
    return _page(request, company, store_id, secret=secret)


@account_required
@require_POST
def subscription_rotate(request: HttpRequest, subscription_id: int) -> HttpResponse:
    company, store_id = _admin(request)
    secret = services.subscription_secret_rotate(
        subscription=_own(company, store_id, subscription_id)
    )
    return _page(request, company, store_id, secret=secret)


@account_required
@require_POST
def subscription_enable(request: HttpRequest, subscription_id: int) -> HttpResponse:
    company, store_id = _admin(request)
    services.subscription_enable(subscription=_own(company, store_id, subscription_id))
    return redirect("webhooks")


@account_required
@require_POST
def subscription_delete(request: HttpRequest, subscription_id: int) -> HttpResponse:
    company, store_id = _admin(request)
    services.subscription_delete(subscription=_own(company, store_id, subscription_id))
    return redirect("webhooks")


@account_required
@require_POST
def delivery_resend(request: HttpRequest, delivery_id: int) -> HttpResponse:
    company, store_id = _admin(request)
    delivery = (
        selectors.caller_deliveries(company=company, store_id=store_id)
        .select_related("subscription")
        .filter(id=delivery_id)
        .first()
    )
    if delivery is None:
        raise Http404("No such delivery")
    # A disabled subscription's delivery is not sent again: the page says it is disabled.
    with contextlib.suppress(ApplicationError):
        services.delivery_resend(delivery=delivery)
    return redirect("webhooks")

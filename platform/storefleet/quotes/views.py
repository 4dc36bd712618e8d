"""Storefront views of quotes on a store's host: the buyer's quote list, a quote, the request
form (empty, or from the cart) and the acceptance. Another company's quote answers 404, like
one that doesn't exist."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from storefleet.accounts.access import buyer_required, store_buyer
from storefleet.accounts.models import Membership
from storefleet.accounts.selectors import company_ship_to_addresses
from storefleet.erp.errors import ErpUnavailable
from storefleet.errors import ApplicationError
from storefleet.tenants.selectors import StoreRecord

from . import cart, negotiation, selectors, services
from .forms import CommentForm, QuoteRequestForm, parse_lines
from .models import QuoteRequest

EMPTY_ROWS = 3
MAX_NUMBER_LENGTH = 64


@buyer_required
@never_cache
def quote_list(request: HttpRequest) -> HttpResponse:
    store, membership = store_buyer(request)
    listing = selectors.quote_list(store=store, company=membership.company)
    return render(request, "quotes/quote_list.html", {"listing": listing})


@buyer_required
@never_cache
@require_http_methods(["GET", "POST"])
def quote_new(request: HttpRequest) -> HttpResponse:
    store, membership = store_buyer(request)
    company = membership.company
    errors: list[str] = []
    rows: list[dict[str, str]] = []
    if request.method == "POST":
        form = QuoteRequestForm(request.POST)
        lines, errors = parse_lines(request.POST)
        errors += [str(e) for field_errors in form.errors.values() for e in field_errors]
        if not errors:
            try:
                quote = services.quote_request(
                    store=store,
                    membership=membership,
                    request=services.QuoteRequestInput(
                        token=form.cleaned_data["token"],
                        lines=tuple(lines),
                        requested_date=form.cleaned_data["requested_date"],
                        message=form.cleaned_data["message"] or "",
                        ship_to_id=form.cleaned_data["ship_to"],
                    ),
                )
            except ApplicationError as error:
                errors.append(error.message)
            else:
                messages.success(
                    request,
                    _("Thank you: your quote request is on its way to our sales team."),
                )
                return redirect("quotes:quote", quote_id=quote.id)
        token = request.POST.get("token", "")[:32]
        rows = [
            {
                "sku": sku[:64],
                "quantity": quantity[:40],
                "target_price": target[:40],
                "note": note[:500],
            }
            for sku, quantity, target, note in zip(
                request.POST.getlist("sku")[:100],
                request.POST.getlist("quantity")[:100],
                request.POST.getlist("target_price")[:100],
                request.POST.getlist("note")[:100],
                strict=False,
            )
        ]
        values = {
            "requested_date": request.POST.get("requested_date", "")[:20],
            "message": request.POST.get("message", "")[: services.MAX_MESSAGE],
            "ship_to": request.POST.get("ship_to", "")[:20],
        }
    else:
        token = secrets.token_hex(16)
        if request.GET.get("from") == "cart":
            rows = [
                {
                    "sku": sku,
                    "quantity": f"{quantity.normalize():f}",
                    "target_price": "",
                    "note": "",
                }
                for sku, quantity in cart.cart_rows(store=store, membership=membership)
            ]
        values = {"requested_date": "", "message": "", "ship_to": ""}
    rows += [{"sku": "", "quantity": "", "target_price": "", "note": ""}] * EMPTY_ROWS
    return render(
        request,
        "quotes/quote_form.html",
        {
            "token": token,
            "rows": rows,
            "values": values,
            "errors": errors,
            "addresses": company_ship_to_addresses(company=company).order_by("id"),
        },
        status=400 if errors else 200,
    )


@buyer_required
@never_cache
def quote_detail(request: HttpRequest, quote_id: int) -> HttpResponse:
    store, membership = store_buyer(request)
    view = negotiation.quote_open(store=store, company=membership.company, quote_id=quote_id)
    if view is None:
        raise Http404
    return _render_quote(request, view)


@buyer_required
@never_cache
def erp_quote_detail(request: HttpRequest, number: str) -> HttpResponse:
    store, membership = store_buyer(request)
    if len(number) > MAX_NUMBER_LENGTH:
        raise Http404
    try:
        view = selectors.erp_quote_view(store=store, company=membership.company, number=number)
    except ErpUnavailable:
        messages.error(
            request, _("Our ERP is not answering right now. Try again in a few minutes.")
        )
        return redirect("quotes:list")
    if view is None:
        raise Http404
    if view.quote is not None:  # the buyer has acted on it: its page has the negotiation
        return redirect("quotes:quote", quote_id=view.quote.id)
    return _render_quote(request, view)


def _render_quote(
    request: HttpRequest,
    view: selectors.QuoteView,
    *,
    error: str = "",
    comment: str = "",
    status: int = 200,
) -> HttpResponse:
    expired_note = (
        services.expired_message(view.expires)
        if view.status == selectors.QuoteStatus.EXPIRED and view.expires
        else ""
    )
    return render(
        request,
        "quotes/quote_detail.html",
        {
            "view": view,
            "expired_note": expired_note,
            "versions": tuple(reversed(view.versions)),  # the newest first
            "action_error": error,
            "comment": comment,
            "max_comment": negotiation.MAX_COMMENT,
        },
        status=status,
    )


@buyer_required
@require_POST
def quote_accept(request: HttpRequest, quote_id: int) -> HttpResponse:
    store, membership = store_buyer(request)
    return _accept(request, store, membership, quote_id=quote_id)


@buyer_required
@require_POST
def erp_quote_accept(request: HttpRequest, number: str) -> HttpResponse:
    store, membership = store_buyer(request)
    if len(number) > MAX_NUMBER_LENGTH:
        raise Http404
    return _accept(request, store, membership, erp_number=number)


def _accept(
    request: HttpRequest,
    store: StoreRecord,
    membership: Membership,
    *,
    quote_id: int | None = None,
    erp_number: str | None = None,
) -> HttpResponse:
    try:
        quote: QuoteRequest = services.quote_accept(
            store=store, membership=membership, quote_id=quote_id, erp_number=erp_number
        )
    except ApplicationError as error:
        if error.code == "not_found":
            raise Http404 from error
        messages.error(request, error.message)
        if quote_id is not None:
            return redirect("quotes:quote", quote_id=quote_id)
        return redirect("quotes:erp_quote", number=erp_number)
    messages.success(
        request, _("Thank you: your acceptance is on its way to our ERP, which confirms the order.")
    )
    return redirect(reverse("quotes:quote", kwargs={"quote_id": quote.id}))


@buyer_required
@require_POST
def quote_revise(request: HttpRequest, quote_id: int) -> HttpResponse:
    store, membership = store_buyer(request)
    return _negotiate(request, store, membership, "revise", quote_id=quote_id)


@buyer_required
@require_POST
def erp_quote_revise(request: HttpRequest, number: str) -> HttpResponse:
    store, membership = store_buyer(request)
    if len(number) > MAX_NUMBER_LENGTH:
        raise Http404
    return _negotiate(request, store, membership, "revise", erp_number=number)


@buyer_required
@require_POST
def quote_decline(request: HttpRequest, quote_id: int) -> HttpResponse:
    store, membership = store_buyer(request)
    return _negotiate(request, store, membership, "decline", quote_id=quote_id)


@buyer_required
@require_POST
def erp_quote_decline(request: HttpRequest, number: str) -> HttpResponse:
    store, membership = store_buyer(request)
    if len(number) > MAX_NUMBER_LENGTH:
        raise Http404
    return _negotiate(request, store, membership, "decline", erp_number=number)


def _negotiate(
    request: HttpRequest,
    store: StoreRecord,
    membership: Membership,
    action: str,
    *,
    quote_id: int | None = None,
    erp_number: str | None = None,
) -> HttpResponse:
    """Ask for a revision or decline; a problem shows on the quote's page with what the buyer
    typed, nothing recorded."""
    form = CommentForm(request.POST)
    comment = request.POST.get("comment", "")[: negotiation.MAX_COMMENT * 2]
    error = ""
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        act = (
            negotiation.quote_revision_request if action == "revise" else negotiation.quote_decline
        )
        try:
            quote: QuoteRequest = act(
                store=store,
                membership=membership,
                comment=form.cleaned_data["comment"] or "",
                quote_id=quote_id,
                erp_number=erp_number,
            )
        except ApplicationError as failure:
            if failure.code == "not_found":
                raise Http404 from failure
            error = failure.message
        else:
            messages.success(
                request,
                _("Thank you: our sales team has your request and answers with a new version.")
                if action == "revise"
                else _("You declined this quote. Our sales team has been told."),
            )
            return redirect("quotes:quote", quote_id=quote.id)
    if quote_id is not None:
        view = negotiation.quote_open(store=store, company=membership.company, quote_id=quote_id)
    else:
        try:
            view = selectors.erp_quote_view(
                store=store, company=membership.company, number=erp_number or ""
            )
        except ErpUnavailable:
            view = None
    if view is None:
        raise Http404
    return _render_quote(request, view, error=error, comment=comment, status=400)

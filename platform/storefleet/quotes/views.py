"""Storefront views of quotes on a store's host: the buyer's quote list, a quote, the request
form (empty, or prefilled from the cart, a saved list, quick order or a product page) with its
attachment, and the acceptance. Another company's quote (or list) answers 404, like one that
doesn't exist."""

from __future__ import annotations

import secrets
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from storefleet.accounts.access import buyer_required
from storefleet.accounts.principal import Principal
from storefleet.accounts.selectors import company_ship_to_addresses
from storefleet.approvals.selectors import quote_approval
from storefleet.erp.errors import ErpUnavailable
from storefleet.errors import ApplicationError

from . import attachments, negotiation, selectors, services, sources
from .forms import CommentForm, QuoteRequestForm, parse_lines
from .models import MAX_LINES, QuoteRequest

EMPTY_ROWS = 3
MAX_NUMBER_LENGTH = 64
MAX_ID_LENGTH = 12
# What the form's fields (up to 100 rows, the message) take besides the attachment, generously.
MAX_FORM_BYTES = 512 * 1024


@buyer_required
@never_cache
def quote_list(request: HttpRequest) -> HttpResponse:
    listing = selectors.quote_list(principal=Principal.for_buyer(request))
    return render(request, "quotes/quote_list.html", {"listing": listing})


@buyer_required
@never_cache
@require_http_methods(["GET", "POST"])
def quote_new(request: HttpRequest) -> HttpResponse:
    principal = Principal.for_buyer(request)
    company = principal.company
    errors: list[str] = []
    rows: list[dict[str, str]] = []
    too_large = request.method == "POST" and _body_too_large(request)
    if too_large:
        # Refused without parsing the form here; what was typed is not shown again, and
        # nothing is saved. (The CSRF middleware has read the body by now: keeping a huge
        # upload off the disk is for a body limit in front of the app.)
        errors.append(attachments.too_large_message())
        token = secrets.token_hex(16)
        values = {"requested_date": "", "message": "", "ship_to": ""}
    elif request.method == "POST":
        form = QuoteRequestForm(request.POST)
        lines, errors = parse_lines(request.POST)
        errors += [str(e) for field_errors in form.errors.values() for e in field_errors]
        upload = None
        file = request.FILES.get("attachment")
        if file is not None and not errors:
            try:
                upload = attachments.upload_read(
                    name=file.name or "", size=file.size, chunks=file.chunks()
                )
            except ApplicationError as error:
                errors.append(error.message)
        if not errors:
            try:
                quote = services.quote_request(
                    principal=principal,
                    request=services.QuoteRequestInput(
                        token=form.cleaned_data["token"],
                        lines=tuple(lines),
                        requested_date=form.cleaned_data["requested_date"],
                        message=form.cleaned_data["message"] or "",
                        ship_to_id=form.cleaned_data["ship_to"],
                        attachment=upload,
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
        rows = _prefill(request, principal)
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
            "accept": attachments.ACCEPT,
            "max_attachment_mb": attachments.MAX_BYTES // (1024 * 1024),
        },
        status=413 if too_large else 400 if errors else 200,
    )


def _body_too_large(request: HttpRequest) -> bool:
    """Whether the request's body is larger than an attachment and the form's fields can be."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # Django refuses a malformed length itself
    return length > attachments.MAX_BYTES + MAX_FORM_BYTES


def _prefill(request: HttpRequest, principal: Principal) -> list[dict[str, str]]:
    """The rows a request starts with: the cart's (``from=cart``), a saved list's
    (``from=list&list=<id>``, one the buyer may see, else 404), or lines given as ``sku`` and
    ``quantity`` pairs (a product page, quick order, renewing an expired quote). Only a
    prefill: the form is judged when it is sent."""
    source = request.GET.get("from", "")
    found: list[tuple[str, str]]
    if source == "cart":
        found = [(sku, _quantity_text(q)) for sku, q in sources.cart_rows(principal=principal)]
    elif source == "list":
        list_id = request.GET.get("list", "")
        if not list_id.isdigit() or len(list_id) > MAX_ID_LENGTH:
            raise Http404
        listed = sources.list_rows(principal=principal, list_id=int(list_id))
        if listed is None:
            raise Http404
        found = [(sku, _quantity_text(q)) for sku, q in listed]
    else:
        found = list(
            zip(
                (sku.strip()[:64] for sku in request.GET.getlist("sku")[: MAX_LINES + 1]),
                (q.strip()[:40] for q in request.GET.getlist("quantity")[: MAX_LINES + 1]),
                strict=False,
            )
        )
    if len(found) > MAX_LINES:
        messages.warning(
            request,
            _("A quote request takes at most %(count)s lines: the first %(count)s are below.")
            % {"count": MAX_LINES},
        )
    return [
        {"sku": sku, "quantity": quantity, "target_price": "", "note": ""}
        for sku, quantity in found[:MAX_LINES]
        if sku
    ]


def _quantity_text(quantity: Decimal) -> str:
    return f"{quantity.normalize():f}"


@buyer_required
@never_cache
def quote_attachment(request: HttpRequest, quote_id: int) -> HttpResponse:
    """The file attached to one of the company's quotes in this store, as a download."""
    attachment = selectors.quote_attachment(
        principal=Principal.for_buyer(request), quote_id=quote_id
    )
    if attachment is None:
        raise Http404
    return attachments.attachment_response(attachment)


@buyer_required
@never_cache
def quote_detail(request: HttpRequest, quote_id: int) -> HttpResponse:
    view = negotiation.quote_open(principal=Principal.for_buyer(request), quote_id=quote_id)
    if view is None:
        raise Http404
    return _render_quote(request, view)


@buyer_required
@never_cache
def erp_quote_detail(request: HttpRequest, number: str) -> HttpResponse:
    principal = Principal.for_buyer(request)
    if len(number) > MAX_NUMBER_LENGTH:
        raise Http404
    try:
        view = selectors.erp_quote_view(principal=principal, number=number)
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
    renew_url = ""
    if expired_note:
        # Renewing is asking again for the same lines: the request form, prefilled with them.
        lines: list[tuple[str, Decimal]] = (
            [(line.sku, line.quantity) for line in view.quotation.lines]
            if view.quotation is not None
            else [(line.sku, line.quantity) for line in view.quote.lines.all()]
            if view.quote is not None
            else []
        )
        query = [
            (k, v) for sku, q in lines for k, v in (("sku", sku), ("quantity", _quantity_text(q)))
        ]
        renew_url = reverse("quotes:new") + ("?" + urlencode(query) if query else "")
    return render(
        request,
        "quotes/quote_detail.html",
        {
            "view": view,
            "expired_note": expired_note,
            "renew_url": renew_url,
            "attachment": selectors.attachment_of(view.quote) if view.quote else None,
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
    return _accept(request, Principal.for_buyer(request), quote_id=quote_id)


@buyer_required
@require_POST
def erp_quote_accept(request: HttpRequest, number: str) -> HttpResponse:
    principal = Principal.for_buyer(request)
    if len(number) > MAX_NUMBER_LENGTH:
        raise Http404
    return _accept(request, principal, erp_number=number)


def _accept(
    request: HttpRequest,
    principal: Principal,
    *,
    quote_id: int | None = None,
    erp_number: str | None = None,
) -> HttpResponse:
    try:
        quote: QuoteRequest = services.quote_accept(
            principal=principal, quote_id=quote_id, erp_number=erp_number
        )
    except ApplicationError as error:
        if error.code == "not_found":
            raise Http404 from error
        messages.error(request, error.message)
        if quote_id is not None:
            return redirect("quotes:quote", quote_id=quote_id)
        return redirect("quotes:erp_quote", number=erp_number)
    approval = quote_approval(quote_id=quote.id, company=quote.company)
    if approval is not None and approval.pending:  # held: the ERP hears of it once approved
        messages.success(
            request,
            _(
                "Thank you: your acceptance waits for your company's approval; once approved, "
                "it goes to our ERP, which confirms the order."
            ),
        )
    else:
        messages.success(
            request,
            _("Thank you: your acceptance is on its way to our ERP, which confirms the order."),
        )
    return redirect(reverse("quotes:quote", kwargs={"quote_id": quote.id}))


@buyer_required
@require_POST
def quote_revise(request: HttpRequest, quote_id: int) -> HttpResponse:
    return _negotiate(request, Principal.for_buyer(request), "revise", quote_id=quote_id)


@buyer_required
@require_POST
def erp_quote_revise(request: HttpRequest, number: str) -> HttpResponse:
    principal = Principal.for_buyer(request)
    if len(number) > MAX_NUMBER_LENGTH:
        raise Http404
    return _negotiate(request, principal, "revise", erp_number=number)


@buyer_required
@require_POST
def quote_decline(request: HttpRequest, quote_id: int) -> HttpResponse:
    return _negotiate(request, Principal.for_buyer(request), "decline", quote_id=quote_id)


@buyer_required
@require_POST
def erp_quote_decline(request: HttpRequest, number: str) -> HttpResponse:
    principal = Principal.for_buyer(request)
    if len(number) > MAX_NUMBER_LENGTH:
        raise Http404
    return _negotiate(request, principal, "decline", erp_number=number)


def _negotiate(
    request: HttpRequest,
    principal: Principal,
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
                principal=principal,
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
        view = negotiation.quote_open(principal=principal, quote_id=quote_id)
    else:
        try:
            view = selectors.erp_quote_view(principal=principal, number=erp_number or "")
        except ErpUnavailable:
            view = None
    if view is None:
        raise Http404
    return _render_quote(request, view, error=error, comment=comment, status=400)

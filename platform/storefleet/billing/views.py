"""Storefront views of billing on a store's host: credit and open invoices, paying them, the
payment's status, the sandbox provider's hosted page, and the providers' webhooks.

Every buyer view finds the company through ``company_for_member`` and reaches payments only
through selectors scoped to it: another company's payment answers 404, like a missing one."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from storefleet.accounts.access import buyer_required
from storefleet.accounts.principal import Principal
from storefleet.erp.errors import ErpUnavailable
from storefleet.errors import ApplicationError
from storefleet.money import Money

from . import selectors, services
from .forms import invoice_choices
from .models import PaymentStatus
from .providers import InvalidEvent, get_provider
from .providers.sandbox import OUTCOMES, SandboxProvider

logger = logging.getLogger("storefleet.billing")


@buyer_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    principal = Principal.for_buyer(request)
    try:
        statement = selectors.account_statement(principal=principal)
    except ErpUnavailable:
        statement = None
    payments = selectors.payment_list(
        company=principal.company, store_id=principal.require_store().id
    )[:10]
    from .statements import invoice_history

    try:
        history = invoice_history(principal=principal, limit=50)
    except ErpUnavailable:
        history = None
    return render(
        request,
        "billing/invoice_list.html",
        {
            "statement": statement,
            "payments": payments,
            "company": principal.company,
            "history": history,
        },
    )


@buyer_required
def statement_document(request: HttpRequest) -> HttpResponse:
    """The company's statement of account and invoice history as a PDF."""
    from .statements import statement_of_account_pdf

    principal = Principal.for_buyer(request)
    try:
        pdf = statement_of_account_pdf(principal=principal)
    except ErpUnavailable:
        messages.error(
            request,
            _(
                "We can't reach our accounting system right now, so the statement can't be made: "
                "please try again in a few minutes."
            ),
        )
        return redirect("billing:invoices")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="statement-of-account.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@buyer_required
def invoice_document(request: HttpRequest, number: str) -> HttpResponse:
    """One of the company's invoices as a PDF (open or paid); 404 for anything else."""
    principal = Principal.for_buyer(request)
    try:
        pdf = selectors.invoice_document_pdf(principal=principal, number=number)
    except ErpUnavailable:
        messages.error(
            request,
            _(
                "We can't reach our accounting system right now, so the invoice document can't be "
                "made: please try again in a few minutes."
            ),
        )
        return redirect("billing:invoices")
    if pdf is None:
        raise Http404("No such invoice")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="invoice-{number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@buyer_required
@require_POST
def payment_create(request: HttpRequest) -> HttpResponse:
    principal = Principal.for_buyer(request)
    store = principal.require_store()
    # The provider sends the buyer back here: the store's canonical address (https behind TLS).
    detail = store.base_url + reverse("billing:payment", args=["REF"])
    try:
        payment = services.payment_start(
            principal=principal,
            choices=invoice_choices(request.POST),
            urls=services.ReturnUrls(
                success=detail.replace("REF", "{reference}"),
                cancel=store.base_url + reverse("billing:invoices"),
            ),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("billing:invoices")
    return HttpResponseRedirect(payment.checkout_url)


@buyer_required
def payment_detail(request: HttpRequest, reference: str) -> HttpResponse:
    principal = Principal.for_buyer(request)
    payment = selectors.payment_for_company(
        company=principal.company, store_id=principal.require_store().id, reference=reference
    )
    if payment is None:
        raise Http404("No such payment")
    return render(
        request, "billing/payment_detail.html", {"payment": payment, "statuses": PaymentStatus}
    )


@buyer_required
def sandbox_page(request: HttpRequest, session_id: str) -> HttpResponse:
    """The sandbox provider's hosted page (TEST ONLY): Pay or Decline sends the signed event
    the provider would send, through the same webhook handling."""
    if settings.BILLING_PROVIDER != "sandbox":
        raise Http404
    principal = Principal.for_buyer(request)
    payment = selectors.payment_for_session(
        company=principal.company,
        store_id=principal.require_store().id,
        provider="sandbox",
        session_id=session_id,
    )
    if payment is None:
        raise Http404("No such payment session")
    if request.method == "POST":
        outcome = request.POST.get("outcome", "")
        if outcome not in OUTCOMES or payment.status != PaymentStatus.PENDING:
            return redirect("billing:payment", payment.reference)
        provider = get_provider("sandbox")
        assert isinstance(provider, SandboxProvider)
        signed = provider.event_sign(
            outcome=outcome,
            session_id=session_id,
            payment_id=payment.id,
            amount=Money(payment.amount, payment.currency),
        )
        services.payment_webhook_receive(
            provider_name="sandbox", payload=signed.payload, signature=signed.signature
        )
        if outcome == "decline":
            messages.error(request, _("The payment was declined: nothing was charged."))
        return redirect("billing:payment", payment.reference)
    return render(request, "billing/sandbox_page.html", {"payment": payment})


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, provider: str) -> HttpResponse:
    """A provider's event about a payment session. Answers 400 to an unsigned or unreadable
    one, 200 to everything else (a duplicate included), so the provider stops resending."""
    if provider != settings.BILLING_PROVIDER:
        raise Http404
    try:
        services.payment_webhook_receive(
            provider_name=provider,
            payload=request.body,
            signature=request.headers.get("Stripe-Signature", ""),
        )
    except InvalidEvent as error:
        logger.warning("webhook from %s refused: %s", provider, error)
        return HttpResponse("invalid event", status=400, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")

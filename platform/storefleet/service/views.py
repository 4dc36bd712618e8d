"""The service agents' console in the Wagtail admin: find a company, its page, and the actions
(each a confirmed POST). Views parse input, call one selector or service, and render; every
company URL answers 404 for a company outside the agent's stores."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from storefleet.accounts.models import Company
from storefleet.billing.selectors import invoice_document_pdf
from storefleet.erp.errors import ErpError
from storefleet.errors import ApplicationError
from storefleet.ordering.models import OrderStatus
from storefleet.ordering.order_page import order_page, order_page_refresh
from storefleet.ordering.returns.selectors import SeveralSales, return_form
from storefleet.ordering.returns.services import ReturnInvalid
from storefleet.tenants.selectors import store_record

from . import selectors, services
from .forms import ActingStartForm, NumberForm, ReturnCreateForm, SearchForm


def _agent(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not selectors.is_agent(user):
        raise PermissionDenied
    return user


def _company(request: HttpRequest, company_id: int) -> Company:
    _agent(request)
    company = selectors.company_for_agent(user=request.user, company_id=company_id)
    if company is None:
        raise Http404("No such company among those you serve.")
    return company


def _company_url(company: Company) -> str:
    return reverse("service_company", args=[company.id])


@require_GET
def company_search(request: HttpRequest) -> HttpResponse:
    _agent(request)
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = selectors.company_search(user=request.user, query=query)
    page = Paginator(results, selectors.SEARCH_PER_PAGE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "service/search.html",
        {
            "form": form,
            "query": query,
            "page": page,
            "stores": selectors.agent_stores(request.user),
        },
    )


@require_GET
def company_detail(request: HttpRequest, company_id: int) -> HttpResponse:
    company = _company(request, company_id)
    fresh = services.company_refresh(user=request.user, company=company)
    page = selectors.company_page(user=request.user, company=company, fresh=fresh)
    return TemplateResponse(request, "service/company.html", {"page": page, "company": company})


def _confirm(
    request: HttpRequest, company: Company, *, title: str, text: str, fields: dict[str, str]
) -> HttpResponse:
    return TemplateResponse(
        request,
        "service/confirm.html",
        {"company": company, "title": title, "text": text, "fields": fields},
    )


@require_GET
def order_detail(request: HttpRequest, company_id: int, number: str) -> HttpResponse:
    """One order of the company: its stage and what can be done, lines, shipments, invoices
    and returns; 404 for an order outside the agent's stores."""
    company = _company(request, company_id)
    principal = selectors.agent_principal(user=request.user, company=company)
    fresh = order_page_refresh(principal=principal, number=number)
    page = order_page(principal=principal, number=number, fresh=fresh)
    if page is None:
        raise Http404("No such order of this company.")
    store = selectors.order_page_store(user=request.user, company=company, page=page)
    return TemplateResponse(
        request, "service/order.html", {"page": page, "company": company, "store": store}
    )


def _order_url(company: Company, number: str) -> str:
    return reverse("service_order", args=[company.id, number])


@require_http_methods(["GET", "POST"])
def order_cancel(request: HttpRequest, company_id: int) -> HttpResponse:
    company = _company(request, company_id)
    form = NumberForm(request.POST or request.GET)
    if not form.is_valid():
        messages.error(request, "Say which order to cancel.")
        return HttpResponseRedirect(_company_url(company))
    number = form.cleaned_data["number"]
    if request.method == "GET":
        return _confirm(
            request,
            company,
            title=f"Cancel order {number}?",
            text=f"Order {number} of {company.name} is cancelled in the ERP (or taken out of the "
            "queue if it has not reached it yet). This can't be undone.",
            fields={"number": number},
        )
    try:
        outcome = services.agent_order_cancel(
            principal=selectors.agent_principal(user=_agent(request), company=company),
            number=number,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if outcome.already_cancelled:
            messages.info(request, f"Order {outcome.number} was already cancelled.")
        else:
            messages.success(request, f"Order {outcome.number} is cancelled.")
    return HttpResponseRedirect(_company_url(company))


@require_http_methods(["GET", "POST"])
def confirmation_resend(request: HttpRequest, company_id: int) -> HttpResponse:
    company = _company(request, company_id)
    form = NumberForm(request.POST or request.GET)
    order = (
        selectors.company_order_for_agent(
            user=request.user, company=company, number=form.cleaned_data["number"]
        )
        if form.is_valid()
        else None
    )
    if order is None:
        raise Http404("No such web order of this company.")
    if request.method == "GET":
        to = order.placed_by.email if order.placed_by else "nobody (no buyer on record)"
        return _confirm(
            request,
            company,
            title=f"Resend the confirmation of order {order.number}?",
            text=f"The order confirmation e-mail goes again to {to}.",
            fields={"number": order.number},
        )
    try:
        email = services.agent_confirmation_resend(
            agent=_agent(request), company=company, order=order
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The confirmation of order {order.number} went to {email}.")
    return HttpResponseRedirect(_company_url(company))


@require_http_methods(["GET", "POST"])
def return_create(request: HttpRequest, company_id: int, number: str) -> HttpResponse:
    company = _company(request, company_id)
    principal = selectors.agent_principal(user=_agent(request), company=company)
    try:
        sale = return_form(principal=principal, number=number)
    except SeveralSales as error:
        messages.error(request, error.message + " Use the number of one of its ERP sales.")
        return HttpResponseRedirect(_company_url(company))
    except ApplicationError as error:
        if error.code == "not_found":
            raise Http404(error.message) from error
        messages.error(request, error.message)
        return HttpResponseRedirect(_company_url(company))
    form = ReturnCreateForm(request.POST or None, rows=sale.rows)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.agent_return_create(
                principal=principal,
                number=number,
                lines=form.wanted(),
                reason=form.reason_given(),
                submit_token=form.cleaned_data["submit_token"],
            )
        except ReturnInvalid as invalid:
            fields = {row.sku: f"qty_{i}" for i, row in enumerate(sale.rows)}
            for key, message in invalid.errors.items():
                form.add_error(fields.get(key) if key != "reason" else "reason", message)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"Return {made.number} of order {made.order_number} is filed and on its way to "
                "the ERP.",
            )
            return HttpResponseRedirect(_company_url(company) + "#returns")
    return TemplateResponse(
        request,
        "service/return.html",
        {"company": company, "sale": sale, "form": form, "number": number},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def invoice_document(request: HttpRequest, company_id: int, number: str) -> HttpResponse:
    company = _company(request, company_id)
    stores = selectors.company_stores_for_agent(user=request.user, company=company)
    if not stores:
        raise Http404
    try:
        pdf = invoice_document_pdf(
            principal=selectors.agent_principal(user=_agent(request), company=company),
            store=store_record(stores[0]),
            number=number,
        )
    except ErpError as error:
        messages.error(request, f"{error.message} The invoice can't be fetched right now.")
        return HttpResponseRedirect(_company_url(company))
    if pdf is None:
        raise Http404("No such invoice of this company.")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{number}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
def acting_start(request: HttpRequest, company_id: int) -> HttpResponse:
    company = _company(request, company_id)
    page_members = [
        (m.id, f"{m.user.email} ({m.get_role_display()})")
        for m in selectors.company_members(company=company)
        if m.user.is_active
    ]
    stores = selectors.company_stores_for_agent(user=request.user, company=company)
    form = ActingStartForm(
        request.POST or None,
        members=page_members,
        stores=[(s.id, s.name) for s in stores],
    )
    if request.method == "POST" and form.is_valid():
        try:
            started = services.acting_start(
                agent=_agent(request),
                company=company,
                member_id=form.cleaned_data["member"],
                store_id=form.cleaned_data["store"],
                back_url=request.build_absolute_uri(_company_url(company)),
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            base = started.session.store.base_url
            return HttpResponseRedirect(
                # The storefront's URLs: the admin may be on a platform host, which lacks them.
                base
                + reverse(
                    "service:acting_handover", urlconf="storefleet.urls", args=[started.token]
                )
            )
    return TemplateResponse(
        request,
        "service/acting_start.html",
        {
            "company": company,
            "form": form,
            "minutes": services.acting_minutes(),
            "no_members": not page_members,
            "waiting_status": OrderStatus.RECEIVED,
        },
    )

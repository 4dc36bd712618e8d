"""Storefront views of cancellations and returns on a store's host: cancel an order (confirm,
then do), request a return of shipped lines, and the company's returns.

They parse input and call the services and selectors of ``cancel``, ``actions`` and
``returns`` with the buyer's ``Principal`` (their company in this store, named as who acted),
as the service console and the API call them; so another company's number, or a web order of
the company's other store, answers 404 like one that does not exist."""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from storefleet.accounts.access import buyer_required
from storefleet.accounts.principal import Principal
from storefleet.errors import ApplicationError

from .actions import OrderActions, order_actions
from .cancel import cancellation_for
from .cancel import order_cancel as cancel_order
from .models import ReturnReason
from .order_ref import NotFound, OrderRef, order_ref
from .returns import selectors as return_selectors
from .returns.refresh import returns_refresh
from .returns.services import ReturnInvalid, ReturnReasonGiven, ReturnWanted, return_request

MAX_LINES = 200


@buyer_required
def order_cancel(request: HttpRequest, number: str) -> HttpResponse:
    """GET: what cancelling means, and a button. POST: cancel (idempotent)."""
    principal = Principal.for_buyer(request)
    company = principal.company
    if request.method == "POST":
        try:
            outcome = cancel_order(principal=principal, number=number)
        except NotFound as missing:
            raise Http404("No such order") from missing
        except ApplicationError as error:
            return render(
                request,
                "ordering/cancel_confirm.html",
                {
                    "number": number,
                    "error": error,
                    "company": company,
                    # Not asked again of an ERP that has just not answered.
                    "actions": _actions_or_none(principal, number)
                    if error.code != "erp_unavailable"
                    else None,
                },
                status=409 if error.code != "erp_unavailable" else 503,
            )
        if outcome.already_cancelled:
            messages.info(
                request,
                gettext("Order %(number)s is already cancelled.") % {"number": outcome.number},
            )
        else:
            messages.success(
                request, gettext("Order %(number)s is cancelled.") % {"number": outcome.number}
            )
        return redirect("ordering:cancel", number=number)
    try:
        ref = order_ref(principal=principal, number=number)
    except ApplicationError:
        ref = OrderRef(number=number, order=None, erp_numbers=())  # shown, then retried
    if ref is None:
        raise Http404("No such order")
    cancellation = cancellation_for(principal=principal, number=number)
    return render(
        request,
        "ordering/cancel_confirm.html",
        {
            "number": number,
            "cancellation": cancellation,
            "company": company,
            "actions": _actions_or_none(principal, number),
        },
    )


def _actions_or_none(principal: Principal, number: str) -> OrderActions | None:
    """What the order allows now, so a refused cancel offers a return only when one is
    possible (no circle between the two); None when it can't be told."""
    try:
        return order_actions(principal=principal, number=number, ask_erp=True)
    except ApplicationError:
        return None


def _wanted(post: QueryDict, skus: list[str]) -> tuple[list[ReturnWanted], dict[str, str]]:
    lines = []
    errors = {}
    for sku in skus:
        raw = (post.get(f"qty-{sku}", "") or "").strip()
        if not raw:
            continue
        try:
            quantity = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            errors[sku] = f"{sku}: enter a number."
            continue
        if not quantity.is_finite():
            errors[sku] = f"{sku}: enter a number."
            continue
        lines.append(ReturnWanted(sku, quantity))
    return lines, errors


@buyer_required
def order_return(request: HttpRequest, number: str) -> HttpResponse:
    """The order's shipped lines with what can still be returned; POST requests the return."""
    principal = Principal.for_buyer(request)
    company = principal.company
    if request.method == "POST":
        done = return_selectors.return_for_token(
            principal=principal, token=request.POST.get("submit_token", "")
        )
        if done is not None:
            return redirect("ordering:return", number=done.number)
    try:
        form = return_selectors.return_form(principal=principal, number=number)
    except NotFound as missing:
        raise Http404("No such order") from missing
    except return_selectors.SeveralSales as several:
        return render(
            request,
            "ordering/return_form.html",
            {"number": number, "sales": several.ref.erp_numbers, "company": company},
        )
    except ApplicationError as error:
        return render(
            request,
            "ordering/return_form.html",
            {"number": number, "error": error, "company": company},
            status=503 if error.code == "erp_unavailable" else 200,
        )
    errors: dict[str, str] = {}
    quantities: dict[str, str] = {}
    reason = reason_text = ""
    token = request.POST.get("submit_token", "") if request.method == "POST" else ""
    if request.method == "POST":
        skus = [row.sku for row in form.rows][:MAX_LINES]
        lines, errors = _wanted(request.POST, skus)
        quantities = {sku: request.POST.get(f"qty-{sku}", "") for sku in skus}
        reason = request.POST.get("reason", "")
        reason_text = request.POST.get("reason_text", "")
        if not errors:
            try:
                created = return_request(
                    principal=principal,
                    number=number,
                    lines=lines,
                    reason=ReturnReasonGiven(reason, reason_text),
                    submit_token=token,
                )
            except ReturnInvalid as invalid:
                errors = invalid.errors
            except ApplicationError as error:
                errors = {"": error.message}
            else:
                messages.success(
                    request,
                    gettext("Return %(number)s is requested; we'll pass it to our ERP right away.")
                    % {"number": created.number},
                )
                return redirect("ordering:return", number=created.number)
    rows = [
        {"row": row, "value": quantities.get(row.sku, ""), "error": errors.get(row.sku, "")}
        for row in form.rows
    ]
    return render(
        request,
        "ordering/return_form.html",
        {
            "number": number,
            "form": form,
            "rows": rows,
            "errors": errors,
            "general_error": errors.get(""),
            "reason_error": errors.get("reason"),
            "reason": reason,
            "reason_text": reason_text,
            "reasons": ReturnReason.choices,
            "submit_token": token or secrets.token_urlsafe(24),
            "company": company,
        },
        status=400 if errors else 200,
    )


@buyer_required
def return_list(request: HttpRequest) -> HttpResponse:
    principal = Principal.for_buyer(request)
    page = Paginator(return_selectors.return_list(principal=principal), 25).get_page(
        request.GET.get("page")
    )
    fresh = returns_refresh(returns=list(page.object_list))
    return render(
        request,
        "ordering/return_list.html",
        {"page": page, "fresh": fresh, "company": principal.company},
    )


@buyer_required
def return_detail(request: HttpRequest, number: str) -> HttpResponse:
    principal = Principal.for_buyer(request)
    found = return_selectors.return_for_company(principal=principal, number=number)
    if found is None:
        raise Http404("No such return")
    fresh = returns_refresh(returns=[found])
    return render(
        request,
        "ordering/return_detail.html",
        {
            "item": found,
            "fresh": fresh,
            "company": principal.company,
        },
    )

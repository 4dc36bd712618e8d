"""Storefront views of approvals: the admin's rules page, the approver's waiting orders and
the decision on one. Another company's order or rule answers 404, like a missing one; so does
the page for a member who is not an approver (or not an admin, for the rules)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from storefleet.accounts.access import buyer_required
from storefleet.accounts.principal import Principal
from storefleet.errors import ApplicationError

from . import chain, selectors, services
from .forms import BudgetForm, CostCentreForm, DecisionForm, RuleForm


def _rules_page(
    request: HttpRequest,
    principal: Principal,
    *,
    sent: RuleForm | CostCentreForm | BudgetForm | None = None,
) -> HttpResponse:
    """The rules page; ``sent``, a form that was refused, is shown back in its place (400)."""
    company = principal.company
    currency = principal.require_store().currency
    return render(
        request,
        "approvals/rules.html",
        {
            "form": sent if isinstance(sent, RuleForm) else RuleForm(company=company),
            "centre_form": sent if isinstance(sent, CostCentreForm) else CostCentreForm(),
            "budget_form": sent
            if isinstance(sent, BudgetForm)
            else BudgetForm(company=company, initial={"month": timezone.localdate()}),
            "rules": selectors.company_rules(principal=principal),
            "budgets": selectors.budgets_this_month(company=company, currency=currency),
            "centres": selectors.company_cost_centres(company=company),
            "currency": currency,
            "company": company,
        },
        status=400 if sent is not None and sent.errors else 200,
    )


def _rules_form_post(
    request: HttpRequest,
    principal: Principal,
    form: RuleForm | CostCentreForm | BudgetForm,
    *,
    write: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """One of the rules page's forms, sent: a valid one is written by ``write`` (a refusal
    shows on the form, nothing saved) and the page is shown again with ``done``; an invalid
    one is shown back on the page, with a 400."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, done)
            return redirect("approvals:rules")
    return _rules_page(request, principal, sent=form)


@buyer_required
@never_cache
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    principal = Principal.for_buyer(request)
    services.require_admin(principal)
    if request.method != "POST":
        return _rules_page(request, principal)
    form = RuleForm(request.POST, company=principal.company)
    return _rules_form_post(
        request,
        principal,
        form,
        write=lambda data: services.rule_add(
            principal=principal,
            kind=data["kind"],
            threshold=data["threshold"],
            role=data["role"],
            buyer_id=data["buyer"].id if data["buyer"] else None,
            steps=form.steps(),
        ),
        done=_("The approval rule is set."),
    )


@buyer_required
@require_POST
def rule_remove(request: HttpRequest, rule_id: int) -> HttpResponse:
    services.rule_remove(principal=Principal.for_buyer(request), rule_id=rule_id)
    messages.success(request, _("The approval rule is removed."))
    return redirect("approvals:rules")


@buyer_required
@never_cache
@require_POST
def cost_centre_add(request: HttpRequest) -> HttpResponse:
    principal = Principal.for_buyer(request)
    services.require_admin(principal)
    return _rules_form_post(
        request,
        principal,
        CostCentreForm(request.POST),
        write=lambda data: services.cost_centre_add(
            principal=principal, code=data["code"], name=data["name"]
        ),
        done=_("The cost centre is added."),
    )


@buyer_required
@require_POST
def cost_centre_remove(request: HttpRequest, centre_id: int) -> HttpResponse:
    services.cost_centre_remove(principal=Principal.for_buyer(request), centre_id=centre_id)
    messages.success(request, _("The cost centre is removed."))
    return redirect("approvals:rules")


@buyer_required
@never_cache
@require_POST
def budget_set(request: HttpRequest) -> HttpResponse:
    principal = Principal.for_buyer(request)
    services.require_admin(principal)
    return _rules_form_post(
        request,
        principal,
        BudgetForm(request.POST, company=principal.company),
        write=lambda data: services.budget_set(
            principal=principal,
            centre_id=data["cost_centre"].id,
            month=data["month"],
            amount=data["amount"],
        ),
        done=_("The budget is set."),
    )


@buyer_required
@never_cache
def waiting(request: HttpRequest) -> HttpResponse:
    principal = Principal.for_buyer(request)
    return render(
        request,
        "approvals/waiting.html",
        {
            "waiting": selectors.waiting_approvals(principal=principal),
            "decided": selectors.decided_approvals(principal=principal),
            "me": principal.user,
        },
    )


@buyer_required
@never_cache
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, number: str) -> HttpResponse:
    principal = Principal.for_buyer(request)
    services.require_approver(principal)
    approval = services.approval_or_404(principal=principal, number=number)
    outcome = None
    error = ""
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if not form.is_valid():
            error = _("Choose to approve or reject, with a comment of at most 1000 characters.")
        else:
            data = form.cleaned_data
            try:
                if data["decision"] == "reject":
                    services.order_reject(
                        principal=principal, number=number, comment=data["comment"]
                    )
                    messages.success(request, _("Order rejected: the buyer is told."))
                    return redirect("approvals:waiting")
                outcome = services.order_approve(
                    principal=principal,
                    number=number,
                    comment=data["comment"],
                    confirm_token=data["confirm_token"],
                )
            except ApplicationError as problem:
                error = problem.message
            else:
                if outcome.finished:
                    messages.success(request, _("Approved: it is on its way to our ERP."))
                    return redirect("approvals:waiting")
                if outcome.approved or outcome.already:
                    messages.success(
                        request, _("Your step is approved: it now waits on the next step.")
                    )
                    return redirect("approvals:waiting")
    approval.refresh_from_db()
    view = selectors.approval_view(request=approval)
    return render(
        request,
        "approvals/decide.html",
        {
            "approval": approval,
            "view": view,
            "order": approval.order,
            "quote": approval.quote,
            "lines": selectors.approval_lines(request=approval),
            "steps": view.steps,
            "outcome": outcome,
            "error": error,
            "own": principal.user is not None and chain.placer_id(approval) == principal.user.pk,
            "mine": selectors.may_decide_now(principal=principal, request=approval),
        },
        status=400 if error else 200,
    )

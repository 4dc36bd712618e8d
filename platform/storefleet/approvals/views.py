"""Storefront views of approvals: the admin's rules page, the approver's waiting orders and
the decision on one. Another company's order or rule answers 404, like a missing one; so does
the page for a member who is not an approver (or not an admin, for the rules)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from storefleet.accounts.access import buyer_required
from storefleet.accounts.principal import Principal
from storefleet.errors import ApplicationError

from . import selectors, services
from .forms import DecisionForm, RuleForm


@buyer_required
@never_cache
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    principal = Principal.for_buyer(request)
    services.require_admin(principal)
    form = RuleForm(request.POST if request.method == "POST" else None, company=principal.company)
    if request.method == "POST" and form.is_valid():
        buyer = form.cleaned_data["buyer"]
        try:
            services.rule_add(
                principal=principal,
                threshold=form.cleaned_data["threshold"],
                role=form.cleaned_data["role"],
                buyer_id=buyer.id if buyer else None,
            )
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("The approval rule is set."))
            return redirect("approvals:rules")
    return render(
        request,
        "approvals/rules.html",
        {
            "form": form,
            "rules": selectors.company_rules(principal=principal),
            "currency": principal.require_store().currency,
            "company": principal.company,
        },
        status=400 if form.errors else 200,
    )


@buyer_required
@require_POST
def rule_remove(request: HttpRequest, rule_id: int) -> HttpResponse:
    services.rule_remove(principal=Principal.for_buyer(request), rule_id=rule_id)
    messages.success(request, _("The approval rule is removed."))
    return redirect("approvals:rules")


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
                if outcome.approved or outcome.already:
                    messages.success(request, _("Order approved: it is on its way to our ERP."))
                    return redirect("approvals:waiting")
    approval.refresh_from_db()
    order = approval.order
    return render(
        request,
        "approvals/decide.html",
        {
            "approval": approval,
            "order": order,
            "lines": list(order.lines.all()),
            "steps": list(approval.steps.select_related("by")),
            "outcome": outcome,
            "error": error,
            "own": principal.user is not None and order.placed_by_id == principal.user.pk,
        },
        status=400 if error else 200,
    )

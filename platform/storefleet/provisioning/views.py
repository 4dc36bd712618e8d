"""The "Launch a store" wizard in the Wagtail admin: pick a template, answer its questions
(warehouse, price list, currency and categories picked from what the ERP has), see the plan,
launch, watch the run, open the store; and the Stores page: every store, its last run, and
each run's steps. Views parse input, call the provisioning services and selectors, and render;
all of it needs the ``provisioning.launch_store`` permission (regional managers, platform IT)."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from storefleet.brand.colours import theme_contrast_failures
from storefleet.errors import ApplicationError

from . import services
from .forms import LaunchForm
from .models import ProvisioningRun
from .plan import Plan, plan_launch_from_template
from .rendering import AnswersInvalid, template_get, template_list
from .selectors import (
    RunProgress,
    run_progress,
    store_row,
    store_rows,
    store_runs,
    wizard_options,
)

LAUNCH_PERMISSION = "provisioning.launch_store"


def _require_launcher(request: HttpRequest) -> None:
    if not request.user.has_perm(LAUNCH_PERMISSION):
        raise PermissionDenied


def store_url(request: HttpRequest, hostname: str) -> str:
    """The store's home page on this installation: its host, on the port the admin is on."""
    port = request.get_port()
    default = "443" if request.is_secure() else "80"
    return f"{request.scheme}://{hostname}{'' if port == default else ':' + port}/"


@require_GET
def launch_index(request: HttpRequest) -> HttpResponse:
    _require_launcher(request)
    return TemplateResponse(
        request, "provisioning/launch_index.html", {"templates": template_list()}
    )


@require_http_methods(["GET", "POST"])
def launch_form(request: HttpRequest, template: str) -> HttpResponse:
    _require_launcher(request)
    try:
        site_template = template_get(name=template)
    except ApplicationError as error:
        raise Http404(error.message) from None
    erp = wizard_options()
    form = LaunchForm(request.POST or None, template=site_template, options=erp.options)
    plan: Plan | None = None
    if request.method == "POST" and form.is_valid():
        check_erp = form.cleaned_data["check_erp"]
        try:
            if "launch" in request.POST:
                run = services.store_launch_from_template(
                    template=template,
                    answers=form.answers(),
                    requested_by=request.user,
                    check_erp=check_erp,
                )
                return redirect("provisioning_run", run_id=run.pk)
            plan = plan_launch_from_template(
                template=template, answers=form.answers(), check_erp=check_erp
            )
            form.plan_refused(plan.problems)
        except AnswersInvalid as error:
            form.answers_refused(error.problems)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    return TemplateResponse(
        request,
        "provisioning/launch_form.html",
        {
            "template": site_template,
            "form": form,
            "plan": plan,
            "plan_problems": form.plan_problem_links(plan.problems) if plan else [],
            "plan_warnings": form.plan_problem_links(plan.warnings) if plan else [],
            "erp_unavailable": erp.unavailable,
            "erp_options": erp.options,
            "contrast_failures": theme_contrast_failures(**form.colour_values())
            if len(form.colour_values()) == 4
            else [],
            "contrast_url": reverse("provisioning_contrast"),
        },
    )


@require_GET
def contrast_json(request: HttpRequest) -> JsonResponse:
    """The contrast verdict for the colours being picked, as the storefront would draw them:
    the wizard asks on every change. Anything that is not #RRGGBB is left to the format check."""
    _require_launcher(request)
    colours = {
        name: request.GET.get(name, "")[:7] for name in ("primary", "accent", "dark", "light")
    }
    failures = theme_contrast_failures(**colours)
    return JsonResponse({"failures": [asdict(f) for f in failures]})


@require_GET
def store_index(request: HttpRequest) -> HttpResponse:
    _require_launcher(request)
    rows = store_rows()
    return TemplateResponse(
        request,
        "provisioning/store_index.html",
        {"rows": [(row, store_url(request, row.hostname) if row.hostname else "") for row in rows]},
    )


@require_GET
def store_detail(request: HttpRequest, slug: str) -> HttpResponse:
    _require_launcher(request)
    row = store_row(slug=slug)
    if row is None:
        raise Http404(f"There is no store '{slug}'.")
    return TemplateResponse(
        request,
        "provisioning/store_detail.html",
        {
            "row": row,
            "runs": store_runs(slug=slug),
            "store_url": store_url(request, row.hostname) if row.hostname else "",
        },
    )


def _progress(run_id: int) -> RunProgress:
    try:
        return run_progress(run_id=run_id)
    except ProvisioningRun.DoesNotExist:
        raise Http404(f"There is no provisioning run {run_id}.") from None


@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    _require_launcher(request)
    progress = _progress(run_id)
    return TemplateResponse(
        request,
        "provisioning/run.html",
        {
            "progress": progress,
            "store_url": store_url(request, progress.hostname) if progress.hostname else "",
            "progress_url": reverse("provisioning_run_progress", args=[run_id]),
        },
    )


@require_GET
def run_progress_json(request: HttpRequest, run_id: int) -> JsonResponse:
    _require_launcher(request)
    progress = _progress(run_id)
    return JsonResponse({**asdict(progress), "finished": progress.finished})


@require_POST
def run_resume(request: HttpRequest, run_id: int) -> HttpResponse:
    _require_launcher(request)
    run = ProvisioningRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404(f"There is no provisioning run {run_id}.")
    try:
        services.run_resume(run=run)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("provisioning_run", run_id=run_id)

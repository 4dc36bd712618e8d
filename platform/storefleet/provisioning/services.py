"""Writes of the provisioning pipeline: start a run from a plan, execute one step, resume.

The same services run from the CLI, the admin's launch wizard and ``reconcile``; steps run as a
Celery chain (one task per step, taking the run id) or, with ``inline``, in this process through
the same chain (``demo_stores`` runs before any worker is up)."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import traceback
from collections.abc import Mapping
from pathlib import Path

from celery import chain
from django.db import transaction
from django.utils import timezone

from storefleet.errors import ApplicationError

from .models import ProvisioningRun, RunStatus, RunStep, StepStatus
from .plan import Plan, plan_destroy, plan_launch, plan_suspend
from .rendering import brand_render
from .steps import STEPS
from .storefile import brands_dir

logger = logging.getLogger("storefleet.provisioning")

DONE = (StepStatus.SUCCEEDED, StepStatus.UNCHANGED, StepStatus.SKIPPED)


@transaction.atomic
def run_create(*, plan: Plan, requested_by=None, check_erp: bool = True) -> ProvisioningRun:
    """Record a run for ``plan`` with its steps pending. Refuses a plan with problems, and a
    second run while one for the same store is unfinished."""
    if not plan.ok:
        raise ApplicationError(
            "The plan has problems; fix them first: " + " ".join(plan.problems), code="plan"
        )
    busy = ProvisioningRun.objects.filter(
        slug=plan.slug, status__in=(RunStatus.PENDING, RunStatus.RUNNING)
    ).first()
    if busy is not None:
        raise ApplicationError(
            f"Run {busy.pk} ({busy.action}) for '{plan.slug}' is not finished yet; wait for it.",
            code="busy",
        )
    run = ProvisioningRun.objects.create(
        slug=plan.slug,
        action=plan.action,
        folder=plan.folder,
        plan=plan.as_dict(),
        check_erp=check_erp,
        requested_by=requested_by if getattr(requested_by, "pk", None) else None,
    )
    RunStep.objects.bulk_create(
        RunStep(run=run, position=index, name=name)
        for index, (name, _label, _function) in enumerate(STEPS[plan.action], start=1)
    )
    return run


def _chain(run: ProvisioningRun):
    from .tasks import run_step

    names = run.steps.exclude(status__in=DONE).values_list("name", flat=True)
    return chain(*(run_step.si(run.pk, name) for name in names))


def run_start(*, run: ProvisioningRun, inline: bool = False) -> ProvisioningRun:
    """Queue the run's unfinished steps as a Celery chain (once the transaction commits), or
    execute them here, in order, with ``inline``."""
    if inline:
        _chain(run).apply()
        run.refresh_from_db()
    else:
        transaction.on_commit(lambda: _chain(run).apply_async())
    return run


def run_resume(*, run: ProvisioningRun, inline: bool = False) -> ProvisioningRun:
    """Start a failed run again from its failed step; the steps before it are not repeated."""
    with transaction.atomic():
        run = ProvisioningRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.FAILED:
            raise ApplicationError(
                f"Run {run.pk} has not failed ({run.status}); nothing to resume."
            )
        run.steps.filter(status=StepStatus.FAILED).update(status=StepStatus.PENDING, error="")
        run.status, run.error, run.finished_at = RunStatus.PENDING, "", None
        run.save(update_fields=["status", "error", "finished_at"])
    return run_start(run=run, inline=inline)


def _fail(run: ProvisioningRun, step: RunStep, message: str, log: str = "") -> None:
    now = timezone.now()
    step.status, step.error, step.finished_at = StepStatus.FAILED, message, now
    if log:
        step.log = "\n".join(filter(None, (step.log, log)))
    step.save(update_fields=["status", "error", "finished_at", "log"])
    run.status, run.error, run.finished_at = RunStatus.FAILED, f"{step.name}: {message}", now
    run.save(update_fields=["status", "error", "finished_at"])


def run_step_execute(*, run_id: int, name: str) -> str:
    """Execute one step of a run, recording status, timings, log and error.

    A step of a failed run, or one already done, is not executed again (a redelivered task or a
    leftover of a stopped chain): that is what makes the Celery tasks safe to repeat."""
    with transaction.atomic():
        run = ProvisioningRun.objects.select_for_update().get(pk=run_id)
        step = run.steps.get(name=name)
        if run.status in (RunStatus.FAILED, RunStatus.SUCCEEDED) or step.status in DONE:
            return step.status
        now = timezone.now()
        step.status, step.started_at, step.finished_at = StepStatus.RUNNING, now, None
        step.attempts += 1
        step.save(update_fields=["status", "started_at", "finished_at", "attempts"])
        run.status = RunStatus.RUNNING
        run.started_at = run.started_at or now
        run.save(update_fields=["status", "started_at"])
    function = {n: f for n, _label, f in STEPS[run.action]}[name]
    try:
        outcome = function(run)
    except ApplicationError as error:
        _fail(run, step, error.message)
        return StepStatus.FAILED
    except Exception as error:  # a bug or an outage: recorded on the run, resumable
        logger.exception("provisioning run %s step %s failed", run.pk, name)
        _fail(run, step, f"{type(error).__name__}: {error}", traceback.format_exc())
        return StepStatus.FAILED
    step.status, step.finished_at = outcome.status, timezone.now()
    step.log = "\n".join(outcome.log)
    step.save(update_fields=["status", "finished_at", "log"])
    if not run.steps.exclude(status__in=DONE).exists():
        run.status, run.finished_at = RunStatus.SUCCEEDED, timezone.now()
        run.save(update_fields=["status", "finished_at"])
    return step.status


def _launch_or_refuse(
    plan: Plan, *, requested_by, check_erp: bool, inline: bool
) -> ProvisioningRun:
    run = run_create(plan=plan, requested_by=requested_by, check_erp=check_erp)
    return run_start(run=run, inline=inline)


def store_launch(
    *, path: Path, requested_by=None, check_erp: bool = True, inline: bool = False
) -> ProvisioningRun:
    """Plan ``brands/<slug>/`` and, if the plan has no problems, run the launch pipeline.
    Applying a folder whose store is already live records a run in which nothing changes."""
    plan = plan_launch(path=path, check_erp=check_erp)
    return _launch_or_refuse(plan, requested_by=requested_by, check_erp=check_erp, inline=inline)


def store_suspend(*, slug: str, requested_by=None, inline: bool = False) -> ProvisioningRun:
    """Take a store offline (its host answers 503); its content and settings are kept."""
    return _launch_or_refuse(
        plan_suspend(slug=slug), requested_by=requested_by, check_erp=False, inline=inline
    )


def store_teardown(*, slug: str, requested_by=None, inline: bool = False) -> ProvisioningRun:
    """Destroy a store and everything only it owned, in the platform and its infrastructure."""
    return _launch_or_refuse(
        plan_destroy(slug=slug), requested_by=requested_by, check_erp=False, inline=inline
    )


def store_launch_from_template(
    *,
    template: str,
    answers: Mapping[str, str],
    requested_by=None,
    check_erp: bool = True,
    inline: bool = False,
) -> ProvisioningRun:
    """Render ``template`` with ``answers`` into ``brands/<slug>/`` and launch it (the wizard's
    "Launch"): the same folder and pipeline as ``cookiecutter`` followed by ``storefleet launch``.

    The folder is rendered beside the brands directory's folders under a hidden name and
    renamed into place (atomically, so two launches of one slug cannot both win); if the plan
    then has problems or the run cannot be recorded, the folder is removed again and nothing is
    created. Raises ``AnswersInvalid`` for refused answers, ``ApplicationError`` otherwise."""
    root = brands_dir()
    root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".launch-", dir=root))
    try:
        rendered = brand_render(template=template, answers=answers, output_dir=scratch)
        target = root / rendered.name
        taken = ApplicationError(
            f"The folder {target} already exists: a store '{rendered.name}' is declared "
            "already; choose another short name (slug).",
            field="slug",
            code="taken",
        )
        if target.exists():
            raise taken
        try:
            os.rename(rendered, target)
        except OSError:
            raise taken from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    try:
        return store_launch(
            path=target, requested_by=requested_by, check_erp=check_erp, inline=inline
        )
    except Exception:  # a refused plan, a busy store, or the database: leave no folder behind
        shutil.rmtree(target, ignore_errors=True)
        raise

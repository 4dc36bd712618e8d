"""Reads about provisioning runs."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from .models import ProvisioningRun
from .steps import STEPS


@dataclass(frozen=True)
class StepProgress:
    name: str
    label: str
    status: str
    seconds: float | None
    log: str
    error: str


@dataclass(frozen=True)
class RunProgress:
    id: int
    slug: str
    action: str
    status: str
    error: str
    hostname: str
    steps: tuple[StepProgress, ...]

    @property
    def finished(self) -> bool:
        return self.status in ("failed", "succeeded")


def run_progress(*, run_id: int) -> RunProgress:
    run = ProvisioningRun.objects.get(pk=run_id)
    labels = {name: label for name, label, _f in STEPS[run.action]}
    return RunProgress(
        id=run.pk,
        slug=run.slug,
        action=run.action,
        status=run.status,
        error=run.error,
        hostname=run.plan.get("hostname", ""),
        steps=tuple(
            StepProgress(s.name, labels[s.name], s.status, s.seconds, s.log, s.error)
            for s in run.steps.all()
        ),
    )


def run_list(*, slug: str | None = None) -> QuerySet[ProvisioningRun]:
    runs = ProvisioningRun.objects.all()
    return runs.filter(slug=slug) if slug else runs


def run_latest_failed(*, slug: str) -> ProvisioningRun | None:
    latest = ProvisioningRun.objects.filter(slug=slug).first()
    return latest if latest is not None and latest.status == "failed" else None

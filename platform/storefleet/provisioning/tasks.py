"""Celery tasks of the provisioning pipeline: one per step, taking the run id."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="provisioning.run_step", acks_late=True)
def run_step(run_id: int, name: str) -> str:
    """Execute step ``name`` of run ``run_id``. Idempotent: a step already done, or of a run
    that failed, is not executed again, so a redelivery (acks_late) is harmless."""
    return services.run_step_execute(run_id=run_id, name=name)

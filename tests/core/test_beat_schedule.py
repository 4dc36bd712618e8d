"""Every task on the beat schedule can be sent as configured: Celery refuses to send a task
whose soft time limit (its own, or the global default) is above its hard one, and beat only
logs "Couldn't apply scheduled task", so the job silently never runs."""

from __future__ import annotations

import pytest
from django.conf import settings

from storefleet.celery import app


@pytest.mark.parametrize("entry", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_scheduled_task_limits_let_it_be_sent(entry: str) -> None:
    app.loader.import_default_modules()  # autodiscovery, as a worker or beat does at start
    task = app.tasks[settings.CELERY_BEAT_SCHEDULE[entry]["task"]]
    soft = task.soft_time_limit or app.conf.task_soft_time_limit
    hard = task.time_limit or app.conf.task_time_limit
    assert soft is None or hard is None or soft <= hard, (
        f"{entry}: soft_time_limit {soft} > time_limit {hard}: beat could never send it"
    )

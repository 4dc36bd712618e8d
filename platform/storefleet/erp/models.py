"""What the ERP integration records about itself: where each incremental sync stands."""

from django.db import models


class SyncState(models.Model):
    """The cursor of one incremental sync (``products``, ``customers``)."""

    name = models.CharField(max_length=40, unique=True)
    cursor_write_date = models.DateTimeField(null=True, blank=True)
    cursor_erp_id = models.PositiveBigIntegerField(default=0)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_count = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class CallStat(models.Model):
    """How one backend operation has been doing, across every web and worker process since the
    platform started counting: one row per operation, a request's calls added to them with one
    statement (``erp.stats``). In the database, not the cache: a file cache culls entries at
    random, which left counts at 0 beside a max of seconds."""

    operation = models.CharField(max_length=60, unique=True)
    count = models.PositiveBigIntegerField(default=0)
    errors = models.PositiveBigIntegerField(default=0)
    total_us = models.PositiveBigIntegerField(default=0)
    max_ms = models.FloatField(default=0.0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.operation

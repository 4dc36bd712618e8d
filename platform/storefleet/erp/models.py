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

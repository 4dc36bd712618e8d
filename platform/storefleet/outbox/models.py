"""Work owed to the ERP, one row per thing that must reach it (an order to submit, a return to
file, a payment to record), written in the same transaction as the thing itself.

The outbox knows nothing of orders or payments: a message names its ``kind`` (whose handler
the owning app registers, ``storefleet.outbox.registry``), its ``subject`` (the owning app's
id of what it is about) and the ``key`` the ERP dedupes by. A worker takes a message up with
one conditional UPDATE and holds it for a lease; the sweeper re-sends what nobody holds."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    PENDING = "pending", _("Waiting to reach the ERP")
    DONE = "done", _("Done")
    FAILED = "failed", _("Refused by the ERP")
    CANCELLED = "cancelled", _("Withdrawn before it was sent")


class Message(models.Model):
    kind = models.CharField(max_length=32)
    subject = models.CharField(max_length=64)
    # The ERP's idempotency key: the same key never makes two writes there.
    key = models.CharField(max_length=128)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    # How often a run took the message up; a task carries the count it was sent at (its claim).
    attempts = models.PositiveIntegerField(default=0)
    # Until when the run that took it up last holds it (empty: never taken up).
    leased_until = models.DateTimeField(null=True, blank=True)
    # From when the sweeper may send it again: a run's lease, or the grace of a fresh message
    # whose task is on its way.
    next_try_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject"], name="one_message_per_subject"),
            models.UniqueConstraint(fields=["kind", "key"], name="one_message_per_key"),
        ]
        indexes = [models.Index(fields=["state", "next_try_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}"

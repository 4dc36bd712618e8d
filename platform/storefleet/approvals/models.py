"""Approval rules a company's admin sets, and the approval an order a rule caught waits for.

An order a rule catches is placed held (``OrderStatus.HELD``): no outbox message, so the ERP
never hears of it until an approver approves it. Every step (requested, approved, rejected,
prices confirmed) is an ``ApprovalStep``: who, when, what they said."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from storefleet.accounts.models import MemberRole

MAX_THRESHOLD = 10**9  # far above any order; keeps a hostile form's number in the column


class ApprovalRule(models.Model):
    """Orders of the company above ``threshold`` (in ``currency``, the store's) need approval;
    only those of ``role`` or of ``buyer`` when given."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    threshold = models.DecimalField(max_digits=14, decimal_places=2)
    role = models.CharField(max_length=20, blank=True, choices=MemberRole.choices)
    buyer = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company", "threshold", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__gte=0), name="approval_threshold_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"above {self.threshold} {self.currency} ({self.company_id})"


class ApprovalState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ApprovalRequest(models.Model):
    """The approval one held order waits for (one per order)."""

    order = models.OneToOneField("ordering.Order", on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(ApprovalRule, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(
        max_length=16, choices=ApprovalState.choices, default=ApprovalState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True, max_length=1000)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "state"])]

    def __str__(self) -> str:
        return f"approval of order {self.order_id}: {self.state}"


class StepKind(models.TextChoices):
    REQUESTED = "requested", _("Approval requested")
    PRICES_SHOWN = "prices_shown", _("Changed prices shown to the approver")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ApprovalStep(models.Model):
    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=16, choices=StepKind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True, max_length=1000)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} by {self.by_id}"

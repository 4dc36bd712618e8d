"""Payments of open invoices, and the provider events handled for them.

A payment is made on the provider's hosted page (card data never reaches the platform); its
outcome arrives as signed provider events, each handled once (``ProcessedEvent``). A paid
payment gets an outbox message (``storefleet.outbox``) in the same transaction, and a worker
records it in the ERP under the payment's idempotency key: however often an event or a task
is delivered, the ERP hears of the payment once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for payment")
    PAID = "paid", _("Paid — being recorded")
    FAILED = "failed", _("Payment failed")
    EXPIRED = "expired", _("Payment session expired")
    RECORDED = "recorded", _("Paid and recorded")


class Payment(models.Model):
    # Shown to the buyer and used in URLs instead of the sequential id.
    reference = models.CharField(max_length=32, unique=True)
    store = models.ForeignKey("tenants.Store", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invoice_numbers = models.JSONField()  # list of ERP invoice numbers, in the ERP's order
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    provider = models.CharField(max_length=16)
    provider_session_id = models.CharField(max_length=255, blank=True)
    checkout_url = models.URLField(max_length=2048, blank=True)
    # Sent with every provider call and to the ERP: retries never charge or record twice.
    idempotency_key = models.CharField(max_length=64, unique=True)
    # What the ERP applied to each invoice: [{"invoice", "amount", "remaining"}].
    erp_allocations = models.JSONField(default=list, blank=True)
    erp_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_session_id"],
                condition=~models.Q(provider_session_id=""),
                name="one_payment_per_provider_session",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive"),
        ]
        indexes = [models.Index(fields=["company", "-created_at"])]

    def __str__(self) -> str:
        return self.reference


class ProcessedEvent(models.Model):
    """A provider event already handled: a redelivery of the same id changes nothing."""

    provider = models.CharField(max_length=16)
    event_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=64)
    payment = models.ForeignKey(
        Payment, null=True, on_delete=models.SET_NULL, related_name="events"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="one_event_per_id")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"

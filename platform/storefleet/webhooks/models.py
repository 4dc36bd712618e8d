"""Webhook subscriptions and their deliveries.

A subscription is a company's in one store (made by a company admin, or by the company's API
key) or a partner's (platform IT, for a partner API key: every company the key was granted, in
every store it works on). Each event that matches it makes one ``Delivery`` — a fixed body,
signed anew on each attempt — carried by the outbox (kind ``webhook.deliver``); every attempt is
logged (``Attempt``) and kept 30 days."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Subscription(models.Model):
    # A company's: its company and the store it was made in.
    company = models.ForeignKey(
        "accounts.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    store = models.ForeignKey(
        "tenants.Store", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A partner's: every company and store its key reaches.
    partner_key = models.ForeignKey(
        "api.ApiKey", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    contact_email = models.EmailField(
        blank=True, help_text="Who is told when the endpoint is disabled (partner subscriptions)."
    )
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)  # of events.Event values
    # The SKUs whose price or availability the subscription watches
    # (price_or_availability.changed; webhooks/watch.py).
    watched_skus = models.JSONField(default=list, blank=True)
    description = models.CharField(max_length=200, blank=True)
    # The signing secrets: the current one, and the one before it while a rotation lasts.
    secret = models.CharField(max_length=80)
    previous_secret = models.CharField(max_length=80, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    # Since when every attempt failed (empty once one succeeds); past WEBHOOK_DISABLE_AFTER
    # the subscription is disabled and its owner told.
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="webhook_subscription_company_or_partner",
                condition=(
                    models.Q(company__isnull=False, store__isnull=False, partner_key__isnull=True)
                    | models.Q(company__isnull=True, store__isnull=True, partner_key__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.url} ({', '.join(self.events)})"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    DEAD = "dead", "Dead-lettered"


class Delivery(models.Model):
    # What the receiver dedupes by (the Storefleet-Delivery header); a resend gets a new one.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    store = models.ForeignKey("tenants.Store", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=64)
    # What the event is about ("order:W-1234"): deliveries of one subject go out in order.
    subject = models.CharField(max_length=100)
    body = models.TextField()  # the JSON sent, fixed when the event happened
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)  # HTTP requests made
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    resend_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["subscription", "subject", "state"]),
            models.Index(fields=["company", "store", "created_at"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.subject} → {self.subscription_id} ({self.state})"


class Attempt(models.Model):
    """One HTTP request of a delivery: what was sent, what came back (truncated), how long."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    request_headers = models.JSONField(default=dict)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"


class WatchedOffer(models.Model):
    """What a watching subscription last saw of one SKU for one company in one store (its
    price for the company and what the warehouse can give now): the next look compares with it."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    store = models.ForeignKey("tenants.Store", on_delete=models.CASCADE, related_name="+")
    sku = models.CharField(max_length=64)
    seen = models.JSONField(default=dict)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "company", "store", "sku"], name="webhook_watch_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sku} for {self.company_id} in {self.store_id} ({self.subscription_id})"

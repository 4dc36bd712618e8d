"""API keys: who may call the partner API, for which company, with which scopes.

A company key is made by a company admin on a store's account pages and works on that store's
host only, for that company only. A partner key is made by platform IT in the admin and works
on the stores it names, for the companies it was granted (each request names the one it acts
for). Only a prefix (to find the key) and a keyed digest of the whole key are stored: the key
itself is shown once, when it is made (``keys.api_key_create``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    CATALOG_READ = "catalog:read", _("Read the catalog: prices, volume breaks, availability")
    ORDERS_READ = "orders:read", _("Read orders, shipments and tracking")
    INVOICES_READ = "invoices:read", _("Read invoices, their PDFs and the credit")
    QUOTES_READ = "quotes:read", _("Read quotes, their prices, validity and versions")
    WEBHOOKS = "webhooks", _("Manage webhook subscriptions and deliveries")
    ORDERS_WRITE = "orders:write", _("Place and cancel orders, file returns")
    QUOTES_WRITE = "quotes:write", _("Request quotes and accept them")


class KeyKind(models.TextChoices):
    COMPANY = "company", _("Company key")
    PARTNER = "partner", _("Partner key")


class ApiKey(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(max_length=10, choices=KeyKind.choices, default=KeyKind.COMPANY)
    # "sfk_" and 12 random characters: what the key is found by, shown in lists.
    prefix = models.CharField(max_length=24, unique=True)
    digest = models.CharField(max_length=64)  # HMAC-SHA256 of the whole key, hex
    scopes = models.JSONField(default=list)  # of Scope values
    # A company key: its company and the store it was made in (where it works).
    company = models.ForeignKey(
        "accounts.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    store = models.ForeignKey(
        "tenants.Store", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A partner key: the stores it works on and the companies it may act for.
    stores = models.ManyToManyField("tenants.Store", blank=True, related_name="+")
    companies = models.ManyToManyField("accounts.Company", blank=True, related_name="+")
    rate_limit_per_minute = models.PositiveIntegerField(null=True, blank=True)
    # Made for a sandbox store (``sandbox.sandbox_key_create``): it never acts on another store.
    sandbox = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API key")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotentRequest(models.Model):
    """A write a key sent with an ``Idempotency-Key``: the same key and body again get the
    answer it got (the same order, cancellation or return), another body under the key a
    problem. Unique per (API key, operation, idempotency key): of two requests racing with
    the same key, one writes. Kept at least ``API_IDEMPOTENCY_KEEP_HOURS`` (24 h), then
    purged (``idempotency.records_purge``)."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    operation = models.CharField(max_length=32)  # "order.place", "order.cancel", "return.file"
    idempotency_key = models.CharField(max_length=255)
    body_hash = models.CharField(max_length=64)  # SHA-256 hex of the company and the body
    status = models.PositiveSmallIntegerField(null=True, blank=True)  # None: in progress
    response = models.JSONField(null=True, blank=True)
    order = models.ForeignKey(
        "ordering.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "operation", "idempotency_key"],
                name="one_request_per_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.idempotency_key[:40]}"

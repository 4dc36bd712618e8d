"""A buyer's quotes: what they asked for (lines with target prices and notes) and where it
stands on the platform's side. The quoted prices, the validity and the ERP's state are the
ERP's (``selectors`` reads them there); a quote entered in the ERP gets a row here only when
the buyer accepts it (to carry the acceptance through the outbox, once)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_LINES = 50
MAX_QUANTITY = 10**9


class QuoteState(models.TextChoices):
    REQUESTED = "requested", _("Requested")  # saved; on its way to the ERP
    QUOTED = "quoted", _("Quoted")  # a quotation in the ERP
    ACCEPTING = "accepting", _("Accepted, being confirmed")  # acceptance on its way
    ORDERED = "ordered", _("Ordered")  # the ERP confirmed the quotation: it is an order
    REFUSED = "refused", _("Refused by the ERP")


class QuoteOrigin(models.TextChoices):
    STORE = "store", _("Requested in the store")
    ERP = "erp", _("Entered by our sales team")


class QuoteRequest(models.Model):
    store = models.ForeignKey("tenants.Store", on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    origin = models.CharField(max_length=8, choices=QuoteOrigin.choices, default=QuoteOrigin.STORE)
    # The ERP sale's idempotency key (its description); the buyer's double submit makes one.
    key = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=16, choices=QuoteState.choices)
    ship_to = models.ForeignKey(
        "accounts.Address", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_date = models.DateField(null=True, blank=True)
    message = models.TextField(blank=True)
    erp_number = models.CharField(max_length=64, blank=True)
    # The quotation's validity as last read from the ERP (judged again by the ERP at accept).
    expires = models.DateField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "erp_number"],
                condition=~models.Q(erp_number=""),
                name="one_quote_per_erp_sale",
            )
        ]

    def __str__(self) -> str:
        return self.erp_number or self.key


class QuoteLine(models.Model):
    quote = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    sku = models.CharField(max_length=64)
    quantity = models.DecimalField(max_digits=16, decimal_places=4)
    target_price = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="quote_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sku} × {self.quantity}"

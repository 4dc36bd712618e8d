"""A buyer's quotes: what they asked for (lines with target prices and notes) and where it
stands on the platform's side. The quoted prices, the validity and the ERP's state are the
ERP's (``selectors`` reads them there); a quote entered in the ERP gets a row here only when
the buyer acts on it (accepts, declines or asks for a revision).

The negotiation is kept here as it happened: each answer (an agent's in the console, or a
salesperson's edit found in the ERP) is a ``QuoteVersion`` with its lines, and every step
is a ``QuoteEvent`` on the quote's timeline."""

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
    REVISION = "revision", _("Revision requested")  # the buyer asked for another answer
    DECLINED = "declined", _("Declined")  # by the buyer; it can't be accepted any more


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


class AnswerSource(models.TextChoices):
    AGENT = "agent", _("Service agent")
    ERP = "erp", _("The ERP")


class ErpWrite(models.TextChoices):
    """Where an agent's answer stands in the ERP (an ERP version is the ERP's already)."""

    PENDING = "pending", _("On its way to the ERP")
    DONE = "done", _("In the ERP")
    FAILED = "failed", _("Refused by the ERP")


class QuoteVersion(models.Model):
    """One answer to a quote: the lines at their prices and quantities, until when it holds,
    and who gave it. Version 1 is the ERP's first quotation; an agent's answer is shown to the
    buyer once the ERP holds it (``erp_write`` done), so the two never disagree."""

    quote = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    source = models.CharField(max_length=8, choices=AnswerSource.choices)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_by_name = models.CharField(max_length=255, blank=True)  # kept if the user goes
    message = models.TextField(blank=True)
    valid_until = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    erp_write = models.CharField(max_length=8, choices=ErpWrite.choices, default=ErpWrite.DONE)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["quote", "number"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "number"], name="one_quote_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.quote} v{self.number}"


class QuoteVersionLine(models.Model):
    version = models.ForeignKey(QuoteVersion, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    erp_line_id = models.BigIntegerField()
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=255, blank=True)
    quantity = models.DecimalField(max_digits=16, decimal_places=4)
    unit_price = models.DecimalField(max_digits=16, decimal_places=4)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="quote_version_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="quote_version_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} × {self.quantity} at {self.unit_price}"


class EventKind(models.TextChoices):
    REQUESTED = "requested", _("Quote requested")
    QUOTED = "quoted", _("Quoted")
    ANSWERED = "answered", _("Answered by our service team")
    ERP_CHANGED = "erp_changed", _("Changed by our sales team")
    ANSWER_REFUSED = "answer_refused", _("Answer refused by the ERP")
    REVISION_REQUESTED = "revision_requested", _("Revision requested")
    DECLINED = "declined", _("Declined")
    ACCEPTED = "accepted", _("Accepted")
    ORDERED = "ordered", _("Ordered")
    REFUSED = "refused", _("Refused by the ERP")


class QuoteEvent(models.Model):
    """One step of a quote's negotiation, as its timeline shows it to both sides."""

    quote = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    version = models.ForeignKey(
        QuoteVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=255, blank=True)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.quote}: {self.kind}"


class QuoteAttachment(models.Model):
    """A file the buyer sent with the request (a drawing, a spec). Kept in the database, not in
    media storage: media is served publicly (by the CDN in production), and this file is the
    company's and its store's agents' only (``attachments.attachment_response``)."""

    quote = models.OneToOneField(QuoteRequest, on_delete=models.CASCADE, related_name="attachment")
    name = models.CharField(max_length=120)  # cleaned; its extension is the sniffed kind's
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name

"""Carts, orders, cancellations and returns.

An order is written once, with its lines, the ERP sales it becomes (one per ship-to address)
and an outbox message (``storefleet.outbox``), in one database transaction; the message is what
guarantees the ERP hears of it, however long the ERP or the worker is away."""

from decimal import ROUND_HALF_EVEN, Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .quick_order import MAX_QUANTITY


class Cart(models.Model):
    """A buyer's cart in one store (one per user and store)."""

    store = models.ForeignKey("tenants.Store", on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The buyer chose to ship what is in stock now and the rest when it arrives (a back-order
    # in the ERP) rather than order only what is there.
    backorder_accepted = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "user"], name="one_cart_per_user")]

    def __str__(self) -> str:
        return f"cart of {self.user} in {self.store}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    quantity = models.DecimalField(max_digits=16, decimal_places=4)
    # Where this line ships when it differs from the order's address (multi-address orders).
    ship_to = models.ForeignKey(
        "accounts.Address", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="one_line_per_product"),
            # quick_order.quantity_problem's bounds, held by the database too: no writer
            # (API, console, a script) can store a line the cart can't show or order.
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="cart_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__lte=MAX_QUANTITY), name="cart_quantity_at_most_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of product {self.product_id}"


class OrderStatus(models.TextChoices):
    RECEIVED = "received", _("Received — awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused by the ERP")
    CANCELLED = "cancelled", _("Cancelled")
    # Caught by one of the company's approval rules (``storefleet.approvals``): not sent to the
    # ERP until an approver approves it (then RECEIVED), or never (REJECTED).
    HELD = "held", _("Waiting for approval")
    REJECTED = "rejected", _("Rejected by an approver")


class Order(models.Model):
    number = models.CharField(max_length=32, unique=True)
    store = models.ForeignKey("tenants.Store", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An order a partner system placed through the API has no user: the key it came with.
    placed_by_key = models.ForeignKey(
        "api.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # One per rendered checkout form: a double click, a retry or a back-button resubmit
    # carries the same token and finds this order instead of making another.
    submit_token = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=OrderStatus.choices, default=OrderStatus.RECEIVED
    )
    ship_to = models.ForeignKey("accounts.Address", on_delete=models.PROTECT, related_name="+")
    po_number = models.CharField(_("PO number"), max_length=35, blank=True)
    # The code of the company's cost centre the buyer charged it to (``storefleet.approvals``
    # keeps the centres and their monthly budgets); kept as text so the order keeps it.
    cost_centre = models.CharField(_("Cost centre"), max_length=32, blank=True)
    requested_delivery_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, max_length=1000)
    currency = models.CharField(max_length=3)
    # Net total at the prices the buyer saw (None for a line priced while the ERP was away).
    total = models.DecimalField(null=True, blank=True, max_digits=16, decimal_places=4)
    refusal_reasons = models.CharField(max_length=255, blank=True)
    refusal_message = models.TextField(blank=True)
    # Ship what is in stock now and the rest when it arrives: the ERP's sale is confirmed with
    # the short lines back-ordered (the cart's choice when the order was placed).
    backorder_accepted = models.BooleanField(default=False)
    # When the ERP gave the prices on its lines, read by its placement (None: the ERP was away,
    # and the submission reads them). Submitted within seconds of it, the sale is made at them
    # without reading them again (``submission._submit_sales``).
    prices_read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    buyer_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "submit_token"], name="one_order_per_submit_token"
            )
        ]
        indexes = [models.Index(fields=["company", "-created_at"])]

    def __str__(self) -> str:
        return self.number

    @property
    def placed_via_key(self) -> str:
        """The name of the API key an order came through ("" for one placed on the site)."""
        return self.placed_by_key.name if self.placed_by_key_id and self.placed_by_key else ""


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    product = models.ForeignKey(
        "catalog.Product", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    unit = models.CharField(max_length=32)
    quantity = models.DecimalField(max_digits=16, decimal_places=4)
    unit_price = models.DecimalField(null=True, blank=True, max_digits=16, decimal_places=4)
    ship_to = models.ForeignKey("accounts.Address", on_delete=models.PROTECT, related_name="+")
    refusal_reasons = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["order", "position"]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} {self.sku}"

    @property
    def amount(self) -> Decimal | None:
        if self.unit_price is None:
            return None
        return (self.unit_price * self.quantity).quantize(Decimal("0.01"), ROUND_HALF_EVEN)


class ErpSale(models.Model):
    """The ERP sale an order becomes for one ship-to address; ``key`` is its idempotency key
    in the ERP (the order's number, suffixed when an order ships to several addresses)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="sales")
    ship_to = models.ForeignKey("accounts.Address", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=40, unique=True)
    erp_number = models.CharField(max_length=64, blank=True)
    erp_state = models.CharField(max_length=20, blank=True)
    erp_total = models.DecimalField(null=True, blank=True, max_digits=16, decimal_places=4)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.erp_number or self.key


# ------------------------------------------------------------------ cancellations and returns
class OrderCancellation(models.Model):
    """Who cancelled an order and when: a platform order (``order``) or a sale entered straight
    into the ERP (``order`` empty). One per company and number: a second cancel finds it."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=64)
    order = models.OneToOneField(
        Order, null=True, blank=True, on_delete=models.CASCADE, related_name="cancellation"
    )
    erp_numbers = models.CharField(max_length=255, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField()
    # True when the order never reached the ERP: it was taken out of the outbox.
    before_erp = models.BooleanField(default=False)

    class Meta:
        ordering = ["-cancelled_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="one_cancellation_per_order")
        ]

    def __str__(self) -> str:
        return f"cancellation of {self.number}"


class ReturnReason(models.TextChoices):
    DAMAGED = "damaged", _("Arrived damaged")
    DEFECTIVE = "defective", _("Defective or not working")
    WRONG_ITEM = "wrong_item", _("Wrong product delivered")
    TOO_MANY = "too_many", _("Delivered more than ordered")
    NOT_NEEDED = "not_needed", _("Ordered by mistake / no longer needed")
    OTHER = "other", _("Other (please describe)")


class ReturnStatus(models.TextChoices):
    RECEIVED = "received", _("Received — being sent to our ERP")
    FILED = "filed", _("Filed with our ERP")
    REFUSED = "refused", _("Refused by the ERP")


class ReturnRequest(models.Model):
    """A buyer's request to return shipped lines of one ERP sale. Written with its lines and an
    outbox message in one transaction; the ERP files it as a complaint under ``number``."""

    number = models.CharField(max_length=32, unique=True)
    store = models.ForeignKey(
        "tenants.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # One per rendered return form: a double submit finds the return it made.
    submit_token = models.CharField(max_length=64)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="returns"
    )
    order_number = models.CharField(max_length=64)  # the ERP sale the lines come from
    reason = models.CharField(max_length=16, choices=ReturnReason.choices)
    reason_text = models.TextField(blank=True, max_length=1000)
    status = models.CharField(
        max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.RECEIVED
    )
    erp_number = models.CharField(max_length=64, blank=True)
    erp_state = models.CharField(max_length=16, blank=True)
    erp_state_at = models.DateTimeField(null=True, blank=True)
    refusal_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    filed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "submit_token"], name="one_return_per_submit_token"
            )
        ]
        indexes = [models.Index(fields=["company", "-created_at"])]

    def __str__(self) -> str:
        return self.number


class ReturnLine(models.Model):
    return_request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveIntegerField()
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    unit = models.CharField(max_length=32)
    quantity = models.DecimalField(max_digits=16, decimal_places=4)

    class Meta:
        ordering = ["return_request", "position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="return_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} {self.sku}"


class OrderProgress(models.TextChoices):
    """Where an order stands, as the buyer's "My orders" page says it and filters by: one value
    for a platform order the ERP has not confirmed yet and for a mirrored ERP sale alike."""

    RECEIVED = "received", _("Received — awaiting confirmation")
    REFUSED = "refused", _("Refused")
    QUOTATION = "quotation", _("Quotation")
    CONFIRMED = "confirmed", _("Confirmed")
    PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
    SHIPPED = "shipped", _("Shipped")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    DRAFT = "draft", _("Draft")  # being entered in the ERP: mirrored, not shown to the buyer


class SaleRecord(models.Model):
    """The platform's mirror of one ERP sale of a customer company — placed on the web or
    entered straight into the ERP (by phone) — kept current by the sales sync and refreshed
    when its page is viewed. ``detail`` holds its lines, shipments and invoices as the ERP
    last answered them (``storefleet.ordering.sales_mirror`` reads and writes it).

    ``order`` (and ``store``) are set when the sale came from a platform order: the web order
    is then shown in its own store only; a sale entered in the ERP belongs to the company in
    every store it buys in."""

    erp_id = models.PositiveBigIntegerField(unique=True)
    number = models.CharField(max_length=64, blank=True)
    customer_code = models.CharField(max_length=64)
    # None while the customer is not (yet) mirrored as a company; attached once it is.
    company = models.ForeignKey(
        "accounts.Company", null=True, on_delete=models.CASCADE, related_name="+"
    )
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="erp_records"
    )
    store = models.ForeignKey(
        "tenants.Store", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    idempotency_key = models.CharField(max_length=64, blank=True)
    po_number = models.CharField(_("PO number"), max_length=255, blank=True)
    placed_at = models.DateTimeField()
    sale_date = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=20)
    shipment_state = models.CharField(max_length=24)
    invoice_state = models.CharField(max_length=24)
    progress = models.CharField(max_length=24, choices=OrderProgress.choices)
    total = models.DecimalField(max_digits=16, decimal_places=4)
    currency = models.CharField(max_length=3)
    warehouse = models.CharField(max_length=64, blank=True)
    line_count = models.PositiveIntegerField(default=0)
    detail = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=32)
    erp_write_date = models.DateTimeField()
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-placed_at", "-erp_id"]
        indexes = [
            models.Index(fields=["company", "-placed_at"], name="salerecord_company_placed"),
            models.Index(fields=["company", "number"], name="salerecord_company_number"),
            models.Index(fields=["idempotency_key"], name="salerecord_key"),
        ]

    def __str__(self) -> str:
        return self.number or f"ERP sale {self.erp_id}"

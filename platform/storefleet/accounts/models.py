"""Customer companies and their addresses, mirrored from the ERP's customers; the stores each
company may buy from; the company's users (memberships) and the invitations that make them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Company(models.Model):
    erp_id = models.PositiveIntegerField(unique=True)
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    # The ERP price list this customer buys from: prices are asked of the ERP, never stored.
    price_list = models.CharField(max_length=255, blank=True)
    payment_term = models.CharField(max_length=120, blank=True)
    credit_limit = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    credit_currency = models.CharField(max_length=3, blank=True)
    active = models.BooleanField(default=True)
    erp_write_date = models.DateTimeField()
    synced_at = models.DateTimeField(auto_now=True)
    # Which stores this company may buy in (and so sign in to). Set by platform staff, never by
    # the ERP sync: companies_upsert leaves it alone.
    stores = models.ManyToManyField("tenants.Store", related_name="companies", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Address(models.Model):
    erp_id = models.PositiveIntegerField(unique=True)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField(max_length=255, blank=True)
    street = models.CharField(max_length=255, blank=True)
    postal_code = models.CharField(max_length=32, blank=True)
    city = models.CharField(max_length=120, blank=True)
    country = models.CharField(max_length=2, blank=True)
    is_invoice = models.BooleanField(default=False)
    is_ship_to = models.BooleanField(default=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["company", "name"]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.name, self.street, self.city) if p)


class MemberRole(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    APPROVER = "approver", _("Approver")
    ADMIN = "admin", _("Company admin")


class Membership(models.Model):
    """A user's place in a customer company.

    One company per user for now (``user`` is one-to-one): a person who buys for two companies
    has two accounts. Lifting that means choosing the company at sign-in and on every request.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=MemberRole.choices, default=MemberRole.BUYER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.company.code})"


class Invitation(models.Model):
    """An e-mailed offer to join a company. Only a digest of the token is stored: whoever reads
    the database can't accept an invitation on someone's behalf."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    # The store whose host the accept link points at.
    store = models.ForeignKey("tenants.Store", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=MemberRole.choices, default=MemberRole.BUYER)
    token_digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["company", "-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.company.code}"


class AccountRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved: invitation sent")
    DECLINED = "declined", _("Declined")


class AccountRequest(models.Model):
    """A person asking, on a store, to buy for a company. Kept whatever they typed: a request
    naming no company the store knows (``company`` None) waits for the store's service agents
    to route it. Approving sends an :class:`Invitation`; nobody gets an account from here."""

    store = models.ForeignKey("tenants.Store", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    email = models.EmailField()
    # The customer number or company name as typed, and the company it matched, if any.
    company_reference = models.CharField(max_length=255)
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, null=True, blank=True, related_name="account_requests"
    )
    message = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=AccountRequestStatus.choices, default=AccountRequestStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "status"]),
            models.Index(fields=["store", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.email} asks to join {self.company_reference}"

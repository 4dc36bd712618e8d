"""The service agents' console: which stores an agent serves, what agents did, and the
storefront sessions in which an agent acts as a buyer of a company.

An agent is a Wagtail admin user with ``service.access_console`` (granted through a store's
service-agents group); the stores whose group they are in are the stores they serve, and the
companies buying in those stores are the ones they see. Superusers see every company."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceTeam(models.Model):
    """A store's "<Store> service agents" group: adding a user to it makes them an agent of
    this store (and of no other)."""

    store = models.OneToOneField("tenants.Store", on_delete=models.CASCADE, related_name="+")
    group = models.OneToOneField(
        "auth.Group", on_delete=models.PROTECT, related_name="service_team"
    )

    def __str__(self) -> str:
        return self.group.name


class ActionKind(models.TextChoices):
    ORDER_CANCEL = "order_cancel", _("Cancelled an order")
    RETURN_CREATE = "return_create", _("Created a return")
    CONFIRMATION_RESEND = "confirmation_resend", _("Resent an order confirmation")
    ACTING_START = "acting_start", _("Started acting as a buyer")
    ACTING_STOP = "acting_stop", _("Stopped acting as a buyer")


class ServiceAction(models.Model):
    """One thing an agent did for a company: the audit the company's console page lists."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent_name = models.CharField(max_length=255)  # kept when the user is deleted
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    store = models.ForeignKey(
        "tenants.Store", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=32, choices=ActionKind.choices)
    target = models.CharField(max_length=64, blank=True)  # the order or return number
    detail = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["company", "-at"])]
        permissions = [("access_console", "Can use the service agents' console")]

    def __str__(self) -> str:
        return f"{self.agent_name}: {self.get_action_display()} {self.target}"


class ActingSession(models.Model):
    """An agent's storefront session as a member of a company, in one store, for a limited
    time. The nonce makes the hand-over link from the admin to the store's host single-use."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    store = models.ForeignKey("tenants.Store", on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField(auto_now_add=True)
    entered_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=32, blank=True)
    # Where "stop" takes the agent back to: their console page, as the admin wrote it.
    back_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.agent} as {self.member} ({self.company.code})"

"""Runs of the provisioning pipeline and their steps: what was asked, what happened, when."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunAction(models.TextChoices):
    LAUNCH = "launch", _("Launch")
    SUSPEND = "suspend", _("Suspend")
    DESTROY = "destroy", _("Destroy")


class RunStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    FAILED = "failed", _("Failed")
    SUCCEEDED = "succeeded", _("Succeeded")


class StepStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    FAILED = "failed", _("Failed")
    SUCCEEDED = "succeeded", _("Succeeded")
    UNCHANGED = "unchanged", _("Unchanged")
    SKIPPED = "skipped", _("Skipped")


class ProvisioningRun(models.Model):
    slug = models.SlugField(_("store slug"), max_length=50, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=RunAction.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.PENDING
    )
    folder = models.CharField(_("brand folder"), max_length=500, blank=True)
    # The plan shown before the run, as the user saw it.
    plan = models.JSONField(_("plan"), default=dict)
    check_erp = models.BooleanField(_("check the ERP mapping"), default=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("provisioning run")
        permissions = [("launch_store", _("Can launch, suspend and destroy stores"))]

    def __str__(self) -> str:
        return f"{self.action} {self.slug} ({self.status})"


class RunStep(models.Model):
    run = models.ForeignKey(ProvisioningRun, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=40)
    status = models.CharField(max_length=20, choices=StepStatus.choices, default=StepStatus.PENDING)
    log = models.TextField(blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="provisioning_step_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name} ({self.status})"

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class PersonAccess(models.Model):
    """Access to one store that its store file's ``[people]`` gave a person: what a reconcile
    takes back when the person is no longer named there. Access given any other way (the
    admin, the demo) has no record and is never taken back by the pipeline."""

    class Role(models.TextChoices):
        EDITOR = "editor", _("Editor")
        AGENT = "agent", _("Service agent")

    store = models.ForeignKey("tenants.Store", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    email = models.EmailField(_("e-mail address"), max_length=254)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("access given by a store file")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "user", "role"], name="provisioning_person_access_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} as {self.role} of store {self.store_id}"

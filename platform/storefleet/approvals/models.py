"""Approval rules a company's admin sets, and the approval an order a rule caught waits for.

An order a rule catches is placed held (``OrderStatus.HELD``): no outbox message, so the ERP
never hears of it until its last approver approves it. A rule names an ordered chain of
approvers (``ApprovalRuleStep``: a role, or one approver); the chain is copied onto the held
order as its ``ApprovalTurn``s, so that editing the rule later does not change what an order
already waits for. A quote acceptance a rule catches waits the same way (``quote``, no order).

A company admin also keeps cost centres with a budget per month (``CostCentre``,
``MonthlyBudget``): an order that would take its centre's month over budget needs approval.

Every event (requested, approved, rejected, prices shown) is an ``ApprovalStep``: who, when,
what they said."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from storefleet.accounts.models import MemberRole

MAX_THRESHOLD = 10**9  # far above any order; keeps a hostile form's number in the column


class RuleKind(models.TextChoices):
    AMOUNT = "amount", _("Orders above an amount")
    BUDGET = "budget", _("Orders over their cost centre's monthly budget")


class ApprovalRule(models.Model):
    """Orders of the company above ``threshold`` (in ``currency``, the store's) need approval,
    or (``kind`` budget) orders that take their cost centre's month over its budget; only
    those of ``role`` or of ``buyer`` when given. ``steps`` is the chain of approvers, in
    order; a rule without steps needs one approval by any approver or admin."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=RuleKind.choices, default=RuleKind.AMOUNT)
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


APPROVER_ROLE_CHOICES = [
    (MemberRole.APPROVER.value, MemberRole.APPROVER.label),
    (MemberRole.ADMIN.value, MemberRole.ADMIN.label),
]


class ApprovalRuleStep(models.Model):
    """One step of a rule's chain: any member of ``role`` or the one ``approver``."""

    rule = models.ForeignKey(ApprovalRule, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=20, blank=True, choices=APPROVER_ROLE_CHOICES)
    approver = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["rule", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "position"], name="one_rule_step_per_position"),
            models.CheckConstraint(
                condition=(models.Q(role="") & models.Q(approver__isnull=False))
                | (~models.Q(role="") & models.Q(approver__isnull=True)),
                name="rule_step_role_or_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"step {self.position} of rule {self.rule_id}"


class CostCentre(models.Model):
    """A cost centre of the company; a buyer charges an order to one at checkout."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["company", "code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="one_cost_centre_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class MonthlyBudget(models.Model):
    """What a cost centre may spend in one month (``month``: its first day), net, in the
    store's currency."""

    cost_centre = models.ForeignKey(CostCentre, on_delete=models.CASCADE, related_name="budgets")
    month = models.DateField()
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["cost_centre", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["cost_centre", "month", "currency"], name="one_budget_per_month"
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.cost_centre} {self.month:%Y-%m}: {self.amount} {self.currency}"


class ApprovalState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ApprovalRequest(models.Model):
    """The approval one held order (or one quote acceptance) waits for. ``reference`` names it
    in the approver's URL: the order's number, or ``Q<id>`` for a quote."""

    order = models.OneToOneField(
        "ordering.Order", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    quote = models.OneToOneField(
        "quotes.QuoteRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    store = models.ForeignKey("tenants.Store", on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(max_length=32, default="")
    # The net total when it was held (a quote's: its agreed prices), in ``currency``.
    total = models.DecimalField(null=True, blank=True, max_digits=16, decimal_places=4)
    currency = models.CharField(max_length=3, default="")
    # Caught (also) because it takes its cost centre's month over budget.
    over_budget = models.BooleanField(default=False)
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
        constraints = [
            models.UniqueConstraint(
                fields=["company", "reference"], name="one_approval_per_reference"
            ),
            models.CheckConstraint(
                condition=models.Q(order__isnull=False) | models.Q(quote__isnull=False),
                name="approval_of_order_or_quote",
            ),
        ]

    def __str__(self) -> str:
        return f"approval of {self.reference}: {self.state}"


class TurnState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ApprovalTurn(models.Model):
    """One step of a held order's chain, copied from its rule: any member of ``role`` (blank:
    any approver or admin) or the one ``approver`` decides it, once the steps before it are
    approved."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="turns")
    position = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=20, blank=True, choices=APPROVER_ROLE_CHOICES)
    approver = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=16, choices=TurnState.choices, default=TurnState.WAITING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="one_turn_per_position"),
        ]

    def __str__(self) -> str:
        return f"step {self.position} of {self.request_id}: {self.state}"


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

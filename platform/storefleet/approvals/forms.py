"""Approvals' forms: they parse input; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from storefleet.accounts.models import Company, MemberRole, Membership

from .chain import APPROVER_ROLES
from .models import MAX_THRESHOLD, CostCentre, RuleKind
from .rules import ChainStep

STEP_FIELDS = ("step_1", "step_2", "step_3", "step_4")


class RuleForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Which orders"), choices=RuleKind.choices, initial=RuleKind.AMOUNT, required=False
    )
    threshold = forms.DecimalField(
        label=_("Orders above (net)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(MAX_THRESHOLD),
        max_digits=14,
        decimal_places=2,
    )
    role = forms.ChoiceField(
        label=_("Only orders of users with the role"),
        required=False,
        choices=[("", _("any role")), *MemberRole.choices],
    )
    buyer = forms.ModelChoiceField(
        label=_("Only orders of the user"),
        required=False,
        queryset=Membership.objects.none(),
        empty_label=_("any user"),
    )

    def __init__(self, *args, company: Company, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Another company's member is not a choice: its id is refused as invalid.
        self.fields["buyer"].queryset = Membership.objects.filter(  # type: ignore[attr-defined]
            company=company
        ).select_related("user")
        self.fields["buyer"].label_from_instance = lambda m: m.user.email  # type: ignore[attr-defined]
        approvers = Membership.objects.filter(company=company, role__in=APPROVER_ROLES)
        choices = [
            ("", _("no further step")),
            ("role:approver", _("any approver")),
            ("role:admin", _("any company admin")),
            *((f"member:{m.pk}", m.user.email) for m in approvers.select_related("user")),
        ]
        for n, name in enumerate(STEP_FIELDS, start=1):
            self.fields[name] = forms.ChoiceField(
                label=_("Approval step %(n)s") % {"n": n}, required=False, choices=choices
            )

    def clean(self) -> dict:
        data = super().clean() or {}
        data["kind"] = data.get("kind") or RuleKind.AMOUNT
        if data.get("kind") == RuleKind.AMOUNT and data.get("threshold") is None:
            self.add_error("threshold", _("Enter the amount above which orders need approval."))
        return data

    def steps(self) -> list[ChainStep]:
        """The chain in order, the empty steps left out (none: any approver, once)."""
        out = []
        for name in STEP_FIELDS:
            value = self.cleaned_data.get(name) or ""
            kind, _sep, rest = value.partition(":")
            if kind == "role":
                out.append(ChainStep(role=rest))
            elif kind == "member":
                out.append(ChainStep(approver_id=int(rest)))
        return out


class CostCentreForm(forms.Form):
    code = forms.CharField(label=_("Cost centre code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=120, required=False)


class BudgetForm(forms.Form):
    cost_centre = forms.ModelChoiceField(
        label=_("Cost centre"), queryset=CostCentre.objects.none(), empty_label=None
    )
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": _("Enter the month as YYYY-MM, for example 2027-03.")},
    )
    amount = forms.DecimalField(
        label=_("Budget (net)"),
        min_value=Decimal(0),
        max_value=Decimal(MAX_THRESHOLD),
        max_digits=14,
        decimal_places=2,
    )

    def __init__(self, *args, company: Company, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cost_centre"].queryset = CostCentre.objects.filter(  # type: ignore[attr-defined]
            company=company
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    comment = forms.CharField(label=_("Comment"), required=False, max_length=1000)
    confirm_token = forms.CharField(required=False, max_length=2000)

"""Approvals' forms: they parse input; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from storefleet.accounts.models import Company, MemberRole, Membership

from .models import MAX_THRESHOLD


class RuleForm(forms.Form):
    threshold = forms.DecimalField(
        label=_("Orders above (net)"),
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


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    comment = forms.CharField(label=_("Comment"), required=False, max_length=1000)
    confirm_token = forms.CharField(required=False, max_length=2000)

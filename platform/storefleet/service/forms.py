"""Forms of the service console: they only parse what the agent typed."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django import forms

from storefleet.ordering.models import ReturnReason
from storefleet.ordering.returns.selectors import ReturnableRow
from storefleet.ordering.returns.services import ReturnReasonGiven, ReturnWanted


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Company code, name, member e-mail, or order number",
        required=False,
    )


class NumberForm(forms.Form):
    number = forms.CharField(max_length=64)


class ReturnCreateForm(forms.Form):
    """One quantity per returnable line of the sale, a reason, and the form's submit token."""

    reason = forms.ChoiceField(choices=[("", "— choose —"), *ReturnReason.choices])
    reason_text = forms.CharField(
        label="Description", required=False, max_length=1000, widget=forms.Textarea({"rows": 3})
    )
    submit_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, rows: tuple[ReturnableRow, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.fields["submit_token"].initial = secrets.token_urlsafe(24)
        for index, row in enumerate(rows):
            self.fields[f"qty_{index}"] = forms.DecimalField(
                label=f"{row.sku} {row.name}",
                required=False,
                min_value=Decimal(0),
                max_digits=16,
                decimal_places=4,
                initial=0,
                widget=forms.NumberInput({"step": "any", "min": "0", "data-sku": row.sku}),
            )

    def line_fields(self) -> list[tuple[ReturnableRow, forms.BoundField]]:
        return [(row, self[f"qty_{index}"]) for index, row in enumerate(self.rows)]

    def wanted(self) -> list[ReturnWanted]:
        return [
            ReturnWanted(sku=row.sku, quantity=self.cleaned_data.get(f"qty_{i}") or Decimal(0))
            for i, row in enumerate(self.rows)
        ]

    def reason_given(self) -> ReturnReasonGiven:
        return ReturnReasonGiven(
            code=self.cleaned_data["reason"], text=self.cleaned_data.get("reason_text", "")
        )


class ActingStartForm(forms.Form):
    member = forms.TypedChoiceField(coerce=int, label="Act as")
    store = forms.TypedChoiceField(coerce=int, label="In store")

    def __init__(
        self,
        *args: Any,
        members: list[tuple[int, str]],
        stores: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = members  # type: ignore[attr-defined]
        self.fields["store"].choices = stores  # type: ignore[attr-defined]

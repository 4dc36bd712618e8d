"""Forms of the cart, quick order and checkout: they parse input; services decide."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django import forms
from django.utils import timezone

from storefleet.accounts.models import Address

from .quick_order import MAX_CSV_BYTES


class AddToCartForm(forms.Form):
    sku = forms.CharField(max_length=64)
    quantity = forms.DecimalField(min_value=0, max_digits=16, decimal_places=4)
    next = forms.CharField(required=False, max_length=500)

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity <= 0:
            raise forms.ValidationError("The quantity must be more than 0.")
        return quantity


class LineQuantityForm(forms.Form):
    quantity = forms.CharField(max_length=32)


class QuickOrderForm(forms.Form):
    lines = forms.CharField(
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 8, "placeholder": "BRG-1002 10\nFAS-1003 250", "spellcheck": "false"}
        ),
        help_text="One product per line: the SKU, then the quantity.",
    )
    csv = forms.FileField(
        required=False,
        label="Or upload a CSV file",
        help_text="Columns “sku” and “quantity”, comma, semicolon or tab separated; 500 rows.",
    )

    def clean_csv(self):
        upload = self.cleaned_data.get("csv")
        if upload and upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(
                "The file is larger than 1 MB: split it into smaller files."
            )
        return upload

    def clean(self):
        data = super().clean() or {}
        if not (data.get("lines") or "").strip() and not data.get("csv") and not self.errors:
            raise forms.ValidationError("Type SKUs and quantities, or choose a CSV file.")
        return data


class CheckoutForm(forms.Form):
    submit_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    ship_to = forms.ModelChoiceField(
        queryset=Address.objects.none(),
        empty_label=None,
        label="Ship to",
        error_messages={"invalid_choice": "Choose one of your company's ship-to addresses."},
    )
    requested_delivery_date = forms.DateField(
        required=False,
        label="Requested delivery date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for the earliest date.",
    )
    po_number = forms.CharField(required=False, max_length=35, label="Your PO number")
    notes = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}), label="Notes"
    )

    def __init__(self, *args, addresses: Iterable[Address], line_ids: Iterable[int], **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Address.objects.filter(id__in=[a.id for a in addresses])
        self.fields["ship_to"].queryset = queryset  # type: ignore[attr-defined]
        self.line_ids = list(line_ids)
        for line_id in self.line_ids:
            self.fields[f"ship_to_{line_id}"] = forms.ModelChoiceField(
                queryset=queryset,
                required=False,
                empty_label="Same as the order",
                label="Ship to",
                error_messages={
                    "invalid_choice": "Choose one of your company's ship-to addresses."
                },
            )
        today = timezone.localdate()
        self.fields["requested_delivery_date"].widget.attrs["min"] = today.isoformat()

    def clean_requested_delivery_date(self) -> datetime.date | None:
        date = self.cleaned_data.get("requested_delivery_date")
        if date and date < timezone.localdate():
            raise forms.ValidationError("This date is in the past: choose today or a later day.")
        return date

    def line_fields(self):
        return [(line_id, self[f"ship_to_{line_id}"]) for line_id in self.line_ids]

    def line_ship_to(self) -> dict[int, int]:
        return {
            line_id: address.id
            for line_id in self.line_ids
            if (address := self.cleaned_data.get(f"ship_to_{line_id}")) is not None
        }

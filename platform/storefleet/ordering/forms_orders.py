"""The filters of a buyer's "My orders" page (query string: status, from, to, po)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import OrderProgress
from .order_history import OrderFilters

DATE_ERROR = _("Enter the date as YYYY-MM-DD, for example 2026-03-31.")


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", _("Any status"))]
        + [(value, label) for value, label in OrderProgress.choices if value != "draft"],
        error_messages={"invalid_choice": _("Choose one of the listed statuses.")},
    )
    placed_from = forms.DateField(
        required=False,
        label=_("Placed from"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": DATE_ERROR},
    )
    placed_to = forms.DateField(
        required=False,
        label=_("to"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": DATE_ERROR},
    )
    po = forms.CharField(
        required=False,
        max_length=35,
        label=_("PO number"),
        error_messages={
            "max_length": _("A PO number has at most 35 characters."),
            "null_characters_not_allowed": _(
                "The PO number has invisible characters in it: type it again."
            ),
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("placed_from"), data.get("placed_to")
        if start and end and start > end:
            self.add_error(
                "placed_to", _("The end date is before the start date: pick a later end date.")
            )
        return data

    def filters(self) -> OrderFilters:
        data = self.cleaned_data
        return OrderFilters(
            progress=data.get("status") or "",
            placed_from=data.get("placed_from"),
            placed_to=data.get("placed_to"),
            po_number=(data.get("po") or "").strip(),
        )

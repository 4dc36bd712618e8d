"""Parsing the invoice picker: the invoice numbers ticked and the amounts the buyer saw."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.http import QueryDict

from .services import InvoiceChoice


def invoice_choices(data: QueryDict) -> list[InvoiceChoice]:
    """One choice per ticked ``invoice``, with the ``amount-<number>`` shown next to it."""
    choices = []
    for number in dict.fromkeys(n.strip() for n in data.getlist("invoice") if n.strip()):
        raw = data.get(f"amount-{number}", "")
        try:
            seen: Decimal | None = Decimal(raw) if raw else None
        except InvalidOperation:
            seen = None
        if seen is not None and not seen.is_finite():
            seen = None
        choices.append(InvoiceChoice(number=number[:64], amount_seen=seen))
    return choices

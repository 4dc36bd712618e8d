"""Quotes' webhook event ``quote.answered``: an answer the buyer now sees — an agent's, once
the ERP holds it, or a salesperson's edit found in the ERP quotation — handed to
``storefleet.webhooks.services.emit`` inside the transaction that makes it the quote's
version, like ordering's events (``ordering.webhook_events``); the webhooks app never imports
quotes. The payload is read from this database only (no ERP call), and only when someone
subscribed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from storefleet.webhooks import services as webhooks

from .models import QuoteVersion


def version_payload(version: QuoteVersion) -> dict[str, Any]:
    quote = version.quote
    lines = list(version.lines.order_by("position"))
    return {
        "id": quote.id,  # the quote's in the partner API: GET /api/v1/quotes/{id}
        "number": quote.erp_number,
        "kind": "quote",
        "state": quote.state,
        "version": version.number,
        "answered_by": version.source,  # "agent" (in the store's console) or "erp"
        "answered_by_name": version.answered_by_name,
        "message": version.message,
        "valid_until": version.valid_until,
        "currency": version.currency,
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
            for line in lines
        ],
        # The lines' amounts, before tax (the ERP's quotation total includes it).
        "total_before_tax": sum(
            (line.quantity * line.unit_price for line in lines), Decimal(0)
        ).quantize(Decimal("0.01")),
    }


def quote_answered(version: QuoteVersion) -> None:
    """Emit ``quote.answered`` for ``version`` (inside the caller's transaction: delivered
    once it commits, never if it rolls back)."""
    quote = version.quote
    webhooks.emit(
        event="quote.answered",
        company=quote.company,
        store_id=quote.store_id,
        subject=f"quote:{quote.key}",
        payload=lambda: version_payload(
            QuoteVersion.objects.select_related("quote").get(id=version.id)
        ),
    )

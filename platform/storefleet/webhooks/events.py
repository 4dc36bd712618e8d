"""The event catalogue: what a subscription may ask for, and what each event means."""

from __future__ import annotations

from enum import StrEnum


class Event(StrEnum):
    ORDER_PLACED = "order.placed"
    ORDER_CONFIRMED = "order.confirmed"
    ORDER_REFUSED = "order.refused"
    ORDER_SHIPPED = "order.shipped"
    ORDER_INVOICED = "order.invoiced"
    ORDER_PAID = "order.paid"
    ORDER_CANCELLED = "order.cancelled"
    RETURN_FILED = "return.filed"
    RETURN_DECIDED = "return.decided"
    # For the SKUs a subscription watches (watched_skus): looked at every few minutes
    # (webhooks/watch.py).
    PRICE_OR_AVAILABILITY_CHANGED = "price_or_availability.changed"
    # An answer to a quote the buyer now sees: an agent's (once the ERP holds it) or a
    # salesperson's edit of the ERP quotation (quotes.webhook_events).
    QUOTE_ANSWERED = "quote.answered"


DESCRIPTIONS: dict[Event, str] = {
    Event.ORDER_PLACED: "An order was placed (in the store or by API).",
    Event.ORDER_CONFIRMED: "The ERP confirmed an order.",
    Event.ORDER_REFUSED: "The ERP refused an order (with why).",
    Event.ORDER_SHIPPED: "An order's goods left the warehouse (with carrier and tracking).",
    Event.ORDER_INVOICED: "An order was invoiced.",
    Event.ORDER_PAID: "An order's invoice was paid.",
    Event.ORDER_CANCELLED: "An order was cancelled.",
    Event.RETURN_FILED: "A return request was filed with the ERP.",
    Event.RETURN_DECIDED: "A return request was decided (accepted or refused).",
    Event.QUOTE_ANSWERED: (
        "A quote was answered: a new version with its prices and validity, by the store's "
        "sales team or the ERP."
    ),
    Event.PRICE_OR_AVAILABILITY_CHANGED: (
        "A watched SKU's price for your company or its availability now changed (before and now)."
    ),
}

# Events named in the catalogue that nothing emits yet (none now): kept out of the forms.
RESERVED: frozenset[Event] = frozenset()

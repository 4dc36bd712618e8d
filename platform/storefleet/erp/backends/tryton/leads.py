"""Leads as Tryton sale opportunities (module ``sale_opportunity``) in their first state,
``lead``: a prospect's enquiry, with no party yet (sales makes one when it qualifies the lead).

An opportunity's ``reference`` holds the platform's idempotency key: a retried creation finds
the lead the key already made."""

from __future__ import annotations

from typing import Any

from storefleet.erp.types import LeadRequest, LeadResult

from .client import TrytonClient
from .lookups import Lookups

KEY_PREFIX = "storefleet:lead:"
FIELDS = ["number", "state"]
# sale.opportunity's Char fields are unbounded in Tryton; a description is one line in its lists.
DESCRIPTION_LENGTH = 120


def _comment(lead: LeadRequest) -> str:
    lines = [
        f"Name: {lead.contact_name}",
        f"E-mail: {lead.email}",
    ]
    if lead.company_name:
        lines.append(f"Company: {lead.company_name}")
    if lead.phone:
        lines.append(f"Phone: {lead.phone}")
    lines += [f"{label}: {value}" for label, value in lead.details if value]
    lines.append("")
    if lead.store:
        lines.append(f"Store: {lead.store}")
    if lead.source_url:
        lines.append(f"Form: {lead.source_url}")
    if lead.language:
        lines.append(f"Language: {lead.language}")
    return "\n".join(lines)


def create_lead(client: TrytonClient, lookups: Lookups, lead: LeadRequest) -> LeadResult:
    """Create the lead once per idempotency key (one search, then one create and one read)."""
    reference = KEY_PREFIX + lead.idempotency_key
    found = client.search_read("sale.opportunity", [["reference", "=", reference]], FIELDS)
    if found:
        return LeadResult(found[0]["id"], found[0]["number"] or "", found[0]["state"], False)
    who = lead.company_name or lead.contact_name
    values: dict[str, Any] = {
        "reference": reference,
        "company": lookups.company().id,
        "description": f"{lead.title}: {who}"[:DESCRIPTION_LENGTH],
        "comment": _comment(lead),
    }
    (lead_id,) = client.model("sale.opportunity", "create", [values])
    (row,) = client.model("sale.opportunity", "read", [lead_id], FIELDS)
    return LeadResult(row["id"], row["number"] or "", row["state"], True)

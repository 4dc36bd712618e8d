"""The outbox kinds marketing owns."""

CREATE_LEAD = "lead.create"

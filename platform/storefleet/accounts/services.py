"""Writes to customer companies: mirroring the ERP's customers and their addresses."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from storefleet.erp.types import CustomerRecord

from .models import Address, Company

COMPANY_FIELDS = [
    "code",
    "name",
    "price_list",
    "payment_term",
    "credit_limit",
    "credit_currency",
    "active",
    "erp_write_date",
]
ADDRESS_FIELDS = [
    "company",
    "name",
    "street",
    "postal_code",
    "city",
    "country",
    "is_invoice",
    "is_ship_to",
    "active",
]


@transaction.atomic
def companies_upsert(*, records: Sequence[CustomerRecord]) -> int:
    """Create or update companies and their addresses by ERP id. Idempotent; an address the
    ERP no longer lists for a company is deactivated, never deleted (orders point at it)."""
    if not records:
        return 0
    Company.objects.bulk_create(
        [
            Company(
                erp_id=record.erp_id,
                code=record.code,
                name=record.name,
                price_list=record.price_list or "",
                payment_term=record.payment_term or "",
                credit_limit=record.credit_limit.amount if record.credit_limit else None,
                credit_currency=record.credit_limit.currency if record.credit_limit else "",
                active=True,
                erp_write_date=record.erp_write_date,
            )
            for record in records
        ],
        update_conflicts=True,
        unique_fields=["erp_id"],
        update_fields=[*COMPANY_FIELDS, "synced_at"],
    )
    company_ids = dict(
        Company.objects.filter(erp_id__in=[r.erp_id for r in records]).values_list("erp_id", "id")
    )
    addresses = [
        Address(
            erp_id=address.erp_id,
            company_id=company_ids[record.erp_id],
            name=address.name,
            street=address.street,
            postal_code=address.postal_code,
            city=address.city,
            country=address.country,
            is_invoice=address.invoice,
            is_ship_to=address.delivery,
            active=address.active,
        )
        for record in records
        for address in record.addresses
    ]
    Address.objects.bulk_create(
        addresses, update_conflicts=True, unique_fields=["erp_id"], update_fields=ADDRESS_FIELDS
    )
    listed = [a.erp_id for a in addresses]
    Address.objects.filter(company_id__in=company_ids.values()).exclude(erp_id__in=listed).update(
        active=False
    )
    return len(records)

"""Reads of customer companies."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Company


def company_list() -> QuerySet[Company]:
    return Company.objects.prefetch_related("addresses")


def company_by_code(code: str) -> Company | None:
    return Company.objects.filter(code=code).prefetch_related("addresses").first()

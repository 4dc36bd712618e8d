"""Reads of a brand's settings for other apps (e-mails, notices)."""

from __future__ import annotations

from dataclasses import dataclass

from wagtail.models import Site

from .models import BrandSettings


@dataclass(frozen=True, slots=True)
class BrandContact:
    legal_name: str
    email: str
    phone: str


def brand_contact(*, site: Site) -> BrandContact:
    """The store's customer-service contact as its brand team set it."""
    brand = BrandSettings.for_site(site)
    return BrandContact(legal_name=brand.legal_name, email=brand.email, phone=brand.phone)

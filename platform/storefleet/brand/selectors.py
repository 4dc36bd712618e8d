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


@dataclass(frozen=True, slots=True)
class BrandLook:
    """What a document the platform renders (an invoice PDF) takes from the brand."""

    name: str
    legal_name: str
    address: str
    email: str
    phone: str
    vat_id: str
    primary_colour: str
    dark_colour: str
    logo: bytes | None  # PNG or JPEG bytes of the brand's logo, when it has one


def brand_look(*, site: Site, name: str) -> BrandLook:
    """The brand's name, colours, contact and logo for ``site`` (``name``: the store's brand)."""
    brand = BrandSettings.for_site(site)
    logo = None
    if brand.logo_id:
        try:
            with brand.logo.file.open("rb") as handle:
                data = handle.read()
            # fpdf2 takes PNG and JPEG as they are; anything else is left out, not converted.
            if data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff":
                logo = data
        except OSError:
            logo = None
    return BrandLook(
        name=name,
        legal_name=brand.legal_name or name,
        address=brand.address,
        email=brand.email,
        phone=brand.phone,
        vat_id=brand.vat_id,
        primary_colour=brand.primary_colour,
        dark_colour=brand.dark_colour,
        logo=logo,
    )

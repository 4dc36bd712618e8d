"""Seed content for the demo stores: what a brand's marketing team would have built, so that a
newcomer sees two finished, clearly different storefronts after ``make demo``."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Site

from . import demo_media
from .models import (
    BrandSettings,
    ContentPage,
    CornerStyle,
    FontStack,
    HomePage,
    LandingPage,
    NavigationSettings,
)


@dataclass(frozen=True)
class DemoBrand:
    slug: str
    name: str
    tagline: str
    primary: str
    accent: str
    dark: str
    light: str
    heading_font: FontStack
    body_font: FontStack
    corners: CornerStyle
    mark: str
    motif: str
    legal_name: str
    address: str
    phone: str
    email: str
    vat_id: str
    registration: str
    hero_eyebrow: str
    hero_heading: str
    hero_text: str
    stats: tuple[tuple[str, str], ...]
    features: tuple[tuple[str, str], ...]
    products: tuple[tuple[str, str, str, str], ...]  # sku, title, text, shape
    story_heading: str
    story_text: str


def _image(title: str, content: bytes, filename: str, collection: Collection):
    image_model = get_image_model()
    existing = image_model.objects.filter(title=title, collection=collection).first()
    if existing:
        return existing
    image = image_model(
        title=title, collection=collection, file=ImageFile(io.BytesIO(content), name=filename)
    )
    image.save()
    return image


def _document(title: str, content: bytes, filename: str, collection: Collection):
    document_model = get_document_model()
    existing = document_model.objects.filter(title=title, collection=collection).first()
    if existing:
        return existing
    document = document_model(title=title, collection=collection)
    document.file.save(filename, ContentFile(content), save=False)
    document.save()
    return document


def _link(label: str, page=None, url: str = "") -> dict:
    return {"label": label, "page": page.pk if page else None, "url": url}


def _stream(items: list[tuple[str, object]]) -> str:
    """StreamField content in its stored (JSON) form, where choosers hold ids."""
    return json.dumps([{"type": block_type, "value": value} for block_type, value in items])


def seed_store_content(*, site: Site, collection: Collection, brand: DemoBrand) -> None:
    """Theme, media, pages and navigation of one demo store. Idempotent: skips what exists."""
    home = HomePage.objects.get(pk=site.root_page_id)
    if home.body:
        return
    logo = _image(
        f"{brand.name} logo",
        demo_media.logo(brand.name.split()[0], brand.primary, brand.accent, mark=brand.mark),
        f"{brand.slug}-logo.png",
        collection,
    )
    hero = _image(
        f"{brand.name} hero",
        demo_media.hero(brand.dark, brand.accent, seed=len(brand.slug), motif=brand.motif),
        f"{brand.slug}-hero.jpg",
        collection,
    )
    product_images = [
        _image(
            f"{title} ({sku})",
            demo_media.product(shape, brand.primary, seed=i),
            f"{brand.slug}-{sku.lower()}.jpg",
            collection,
        )
        for i, (sku, title, _text, shape) in enumerate(brand.products)
    ]
    catalogue = _document(
        f"{brand.name} product catalogue 2026",
        demo_media.pdf(
            f"{brand.name} — product catalogue 2026",
            [f"{sku}  {title}" for sku, title, _t, _s in brand.products],
        ),
        f"{brand.slug}-catalogue-2026.pdf",
        collection,
    )
    terms_doc = _document(
        f"{brand.name} general terms of sale",
        demo_media.pdf(
            f"{brand.legal_name} — general terms of sale",
            [
                "1. Scope",
                "2. Offers and orders",
                "3. Prices and payment",
                "4. Delivery",
                "5. Warranty",
            ],
        ),
        f"{brand.slug}-terms.pdf",
        collection,
    )

    settings = BrandSettings.objects.get(site=site)
    settings.logo = logo
    settings.favicon = logo
    settings.tagline = brand.tagline
    settings.primary_colour, settings.accent_colour = brand.primary, brand.accent
    settings.dark_colour, settings.light_colour = brand.dark, brand.light
    settings.heading_font, settings.body_font = brand.heading_font, brand.body_font
    settings.corner_style = brand.corners
    settings.legal_name, settings.address = brand.legal_name, brand.address
    settings.phone, settings.email = brand.phone, brand.email
    settings.vat_id, settings.registration = brand.vat_id, brand.registration
    settings.save()

    products = LandingPage(
        title="Products",
        slug="products",
        intro="Catalogue ranges in stock for next-day dispatch, with your contract prices.",
    )
    home.add_child(instance=products)
    about = ContentPage(title="About us", slug="about", intro=brand.tagline)
    home.add_child(instance=about)
    terms = ContentPage(title="Terms of sale", slug="terms", intro="Our general terms of sale.")
    home.add_child(instance=terms)
    imprint = ContentPage(title="Imprint", slug="imprint", intro=brand.legal_name)
    home.add_child(instance=imprint)

    teaser = {
        "heading": "Featured products",
        "intro": "Standard parts from our catalogue. Sign in to see your contract price and stock.",
        "products": [
            {"sku": sku, "title": title, "text": text, "image": img.pk}
            for (sku, title, text, _shape), img in zip(brand.products, product_images, strict=True)
        ],
    }
    products.body = _stream(
        [
            ("product_teaser", teaser),
            (
                "downloads",
                {"heading": "Catalogues", "documents": [{"document": catalogue.pk, "label": ""}]},
            ),
        ]
    )
    products.save_revision().publish()
    about.body = _stream(
        [
            ("rich_text", f"<p>{brand.story_text}</p>"),
            (
                "image_with_text",
                {
                    "image": hero.pk,
                    "heading": brand.story_heading,
                    "text": f"<p>{brand.story_text}</p>",
                    "image_position": "right",
                    "link": _link("", None),
                },
            ),
        ]
    )
    about.save_revision().publish()
    terms.body = _stream(
        [
            ("rich_text", "<p>All deliveries are subject to our general terms of sale.</p>"),
            (
                "downloads",
                {
                    "heading": "Documents",
                    "documents": [
                        {"document": terms_doc.pk, "label": "General terms of sale (PDF)"}
                    ],
                },
            ),
        ]
    )
    terms.save_revision().publish()
    imprint.body = _stream(
        [
            (
                "rich_text",
                f"<p>{brand.legal_name}<br>{brand.address.replace(chr(10), '<br>')}"
                f"<br>{brand.registration}<br>VAT ID {brand.vat_id}</p>",
            )
        ]
    )
    imprint.save_revision().publish()

    home.body = _stream(
        [
            (
                "hero",
                {
                    "eyebrow": brand.hero_eyebrow,
                    "heading": brand.hero_heading,
                    "text": brand.hero_text,
                    "image": hero.pk,
                    "primary_action": _link("Browse products", products),
                    "secondary_action": _link("About us", about),
                },
            ),
            ("stats", {"stats": [{"value": v, "label": label} for v, label in brand.stats]}),
            (
                "feature_grid",
                {
                    "heading": "Why buyers order here",
                    "features": [{"title": t, "text": x} for t, x in brand.features],
                },
            ),
            ("product_teaser", teaser),
            (
                "image_with_text",
                {
                    "image": hero.pk,
                    "heading": brand.story_heading,
                    "text": f"<p>{brand.story_text}</p>",
                    "image_position": "left",
                    "link": _link("About us", about),
                },
            ),
            (
                "downloads",
                {
                    "heading": "Downloads",
                    "documents": [
                        {"document": catalogue.pk, "label": "Product catalogue 2026"},
                        {"document": terms_doc.pk, "label": "General terms of sale"},
                    ],
                },
            ),
            (
                "call_to_action",
                {
                    "heading": "Need a quote for a series order?",
                    "text": "Our application engineers answer within one working day.",
                    "action": _link("Contact sales", about),
                },
            ),
        ]
    )
    home.save_revision().publish()

    navigation = NavigationSettings.objects.get(site=site)
    navigation.primary_links = _stream(
        [
            ("link", _link("Products", products)),
            ("link", _link("About us", about)),
            ("link", _link("Terms of sale", terms)),
        ]
    )
    navigation.footer_columns = _stream(
        [
            ("column", {"heading": "Shop", "links": [_link("Products", products)]}),
            (
                "column",
                {
                    "heading": "Company",
                    "links": [
                        _link("About us", about),
                        _link("Terms of sale", terms),
                        _link("Imprint", imprint),
                    ],
                },
            ),
        ]
    )
    navigation.footer_note = "Prices excl. VAT. Business customers only."
    navigation.save()


DEMO_BRANDS = (
    DemoBrand(
        slug="ferrum",
        name="Ferrum Industrial Components",
        tagline="Fasteners, bearings and seals for industrial OEMs since 1962",
        primary="#0B3D91",
        accent="#F28C28",
        dark="#14213D",
        light="#F3F5F8",
        heading_font=FontStack.INDUSTRIAL,
        body_font=FontStack.INDUSTRIAL,
        corners=CornerStyle.SQUARE,
        mark="hex",
        motif="gears",
        legal_name="Ferrum Industrial Components GmbH",
        address="Industriestraße 12\n70565 Stuttgart\nGermany",
        phone="+49 711 555 0100",
        email="sales@ferrum.example",
        vat_id="DE123456789",
        registration="Amtsgericht Stuttgart HRB 734512",
        hero_eyebrow="Next-day dispatch across Europe",
        hero_heading="Precision parts for lines that never stop",
        hero_text="More than 20,000 fasteners, bearings and seals in stock in Stuttgart, at your "
        "contract price, with real-time availability from our warehouse.",
        stats=(
            ("20,000+", "articles in stock"),
            ("99.2 %", "on-time delivery"),
            ("24 h", "dispatch for stock items"),
            ("ISO 9001", "certified since 1996"),
        ),
        features=(
            (
                "Your contract prices",
                "Signed-in buyers see their negotiated prices and volume breaks.",
            ),
            ("Real stock, real dates", "Availability comes straight from our warehouse system."),
            ("Order by SKU or CSV", "Quick order for repeat buyers and maintenance teams."),
        ),
        products=(
            ("FAS-1001", "Hex bolt DIN 933 M8×40, 8.8 zinc", "Box of 200.", "bolt"),
            ("BRG-2204", "Deep groove ball bearing 6204-2RS", "Sealed both sides.", "bearing"),
            ("SEA-3120", "Radial shaft seal 40×62×7 NBR", "Oil and grease resistant.", "seal"),
            ("FAS-1187", "Hex nut DIN 934 M8, stainless A2", "Box of 500.", "bolt"),
        ),
        story_heading="Made for maintenance teams",
        story_text="Ferrum supplies standard and drawing parts to machine builders and plant "
        "maintenance teams in 28 countries, from one central warehouse in Stuttgart.",
    ),
    DemoBrand(
        slug="hydra",
        name="Hydra Flow Systems",
        tagline="Hydraulic and pneumatic components, shipped same day",
        primary="#00695C",
        accent="#C6E03A",
        dark="#0F2A2E",
        light="#EEF6F4",
        heading_font=FontStack.TECHNICAL,
        body_font=FontStack.HUMANIST,
        corners=CornerStyle.ROUNDED,
        mark="flow",
        motif="pipes",
        legal_name="Hydra Flow Systems Inc.",
        address="4800 Commerce Parkway\nCleveland, OH 44128\nUnited States",
        phone="+1 216 555 0142",
        email="orders@hydra.example",
        vat_id="US-EIN 34-5678901",
        registration="Incorporated in Ohio",
        hero_eyebrow="Same-day shipping from Cleveland",
        hero_heading="Fluid power components, in stock and ready to ship",
        hero_text="Cylinders, valves, fittings and hoses for OEMs and distributors across North "
        "America — your pricing, live inventory, and order status in one place.",
        stats=(
            ("4,800", "SKUs ready to ship"),
            ("2 pm", "same-day cut-off"),
            ("48", "states served"),
            ("15 yrs", "average customer relationship"),
        ),
        features=(
            ("Account pricing", "Your negotiated price on every SKU, quantity breaks included."),
            ("Live inventory", "See what ships today and when back-orders arrive."),
            ("Reorder in seconds", "Repeat a past order or paste a list of part numbers."),
        ),
        products=(
            ("HYD-4010", 'Tie-rod cylinder 2" bore × 8" stroke', "3000 psi rated.", "cylinder"),
            ("HYD-4122", "Directional control valve D03, 24 VDC", "4-way, 3-position.", "seal"),
            ("PNE-5301", "Pneumatic cylinder ISO 15552 50×100", "Magnetic piston.", "cylinder"),
            ("FIT-6020", "JIC 37° straight fitting -08", "Zinc-nickel plated.", "bolt"),
        ),
        story_heading="Engineered support, not just parts",
        story_text="Hydra's fluid power specialists help OEMs specify, kit and ship hydraulic "
        "and pneumatic assemblies from our Cleveland distribution center.",
    ),
)

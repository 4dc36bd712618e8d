"""A product's name and description in the buyer's language: what the ERP has in it, or the
ERP's own text marked as such (never a silent mix of languages on one page).

Every page, e-mail and API answer that shows a product's text goes through ``product_text``
(templates through the ``product_name`` and ``product_description`` tags)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import get_language, get_language_info, gettext

from .models import Product

FIELDS = ("name", "description")


@dataclass(frozen=True)
class LocalizedText:
    """``text`` is in ``language``; ``fallback`` when the asked language had none, so the
    ERP's own text stands in and the page must say so."""

    text: str
    language: str
    fallback: bool

    @property
    def note(self) -> str:
        """What a buyer reads beside a fallback, in the active language: "(in English)"."""
        if not self.fallback:
            return ""
        return gettext("(in %(language)s)") % {"language": language_name(self.language)}

    @property
    def plain(self) -> str:
        """The text with its note, for plain-text places (e-mails, a title, JSON)."""
        return f"{self.text} {self.note}" if self.note else self.text


def source_language() -> str:
    """The ERP's own language: what ``Product.name`` and ``description`` are in."""
    return base_language(settings.LANGUAGE_CODE)


def base_language(code: str | None) -> str:
    """``de-at`` → ``de``: the ERP keeps translations per language, not per region."""
    return (code or settings.LANGUAGE_CODE).split("-")[0].split("_")[0].lower()


def language_name(code: str) -> str:
    """The language's name in the active language ("Englisch" in German)."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def translated_languages() -> tuple[str, ...]:
    """The languages the sync asks the ERP for: the platform's (settings.LANGUAGES) and every
    store's default one, but the ERP's own."""
    from storefleet.tenants.models import Store

    source = source_language()
    declared = [code for code, _ in settings.LANGUAGES]
    declared += list(Store.objects.values_list("default_language", flat=True).distinct())
    return tuple(
        sorted({base_language(code) for code in declared if base_language(code) != source})
    )


def _texts(product: Any) -> tuple[str, str, dict[str, Any]]:
    """(name, description, translations) of a Product, or of what names one by SKU (an order
    line's snapshot): the mirrored product's where there is one."""
    if isinstance(product, Product):
        return product.name, product.description, product.translations or {}
    name = str(getattr(product, "name", "") or "")
    sku = getattr(product, "sku", None)
    mirrored = products_by_sku([sku]).get(sku) if sku else None
    if mirrored is None:
        return name, "", {}
    return mirrored.name, mirrored.description, mirrored.translations or {}


def products_by_sku(skus: Iterable[str]) -> dict[str, Product]:
    """The mirrored products of ``skus`` (one query), for snapshots that carry only the SKU."""
    return {
        p.sku: p
        for p in Product.objects.filter(sku__in=list(skus)).only(
            "sku", "name", "description", "translations"
        )
    }


def product_text(product: Any, field: str = "name", language: str | None = None) -> LocalizedText:
    """``product``'s ``field`` in ``language`` (the active one by default): the ERP's
    translation, else its own text with ``fallback`` set. An empty description stays empty
    (nothing to mark)."""
    if field not in FIELDS:
        raise ValueError(f"products have no translated field {field!r}")
    wanted = base_language(language or get_language())
    source = source_language()
    name, description, translations = _texts(product)
    original = name if field == "name" else description
    if wanted == source:
        return LocalizedText(text=original, language=source, fallback=False)
    translated = (translations.get(wanted) or {}).get(field) or ""
    if translated:
        return LocalizedText(text=translated, language=wanted, fallback=False)
    return LocalizedText(text=original, language=source, fallback=bool(original))


def product_text_search(query: str, language: str | None = None) -> Q:
    """Products whose SKU or name holds ``query``: the name the buyer reads (the active
    language's) and the ERP's own (what a product without a translation shows, and what
    buyers may still type)."""
    found = Q(sku__icontains=query) | Q(name__icontains=query)
    wanted = base_language(language or get_language())
    if wanted != source_language():
        found |= Q(**{f"translations__{wanted}__name__icontains": query})
    return found

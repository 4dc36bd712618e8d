"""Values the catalog hands to its callers and keeps in the cache."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q

SKU_SEPARATORS = re.compile(r"[\s,;]+")


def sku_list(text: str) -> list[str]:
    """SKUs as an editor types them: one per line, or separated by commas, semicolons or
    spaces; in the order given, each once."""
    return list(dict.fromkeys(sku for sku in SKU_SEPARATORS.split(text) if sku))


@dataclass(frozen=True)
class Assortment:
    """What a store sells: every product, or the products of some categories plus some SKUs.

    ``page_id`` names the catalog page it was read from (``None``: the store has no live
    catalog page, and sells every product)."""

    everything: bool = True
    category_ids: frozenset[int] = field(default_factory=frozenset)
    skus: frozenset[str] = field(default_factory=frozenset)
    page_id: int | None = None

    def scope(self, prefix: str = "") -> Q:
        """A filter on products (``prefix`` for a relation to them, e.g. ``products__``)."""
        if self.everything:
            return Q()
        return Q(**{f"{prefix}category_id__in": self.category_ids}) | Q(
            **{f"{prefix}sku__in": self.skus}
        )


EVERYTHING = Assortment()

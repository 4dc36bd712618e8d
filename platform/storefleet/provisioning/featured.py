"""Featured products of a store's seed content: the cards of its ``product_teaser`` blocks.

A site template cannot know the ERP's product names when it renders (cookiecutter runs without
Django), so a template writes a featured product as its SKU alone. At launch the card gets the
name of the product the platform mirrors from the ERP, and a picture drawn of that product's
own kind (a bolt for a hex bolt, a bearing for a bearing...), titled with its name; a product
no drawing shows (a hose, a nut, a wrench) gets no picture (the card's neutral placeholder),
never another product's. A card that already names its title or picture (a hand-written store
file) is kept.

The plan checks the same SKUs: each must be known to the ERP and in the store's assortment."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from storefleet.brand.seeding import MediaSpec, PageSpec, SeedContent
from storefleet.catalog.selectors import product_list

# The drawings ``brand.demo_media.product`` makes, and the words of a product's name that say
# it is what the drawing shows. A category is too coarse (a hydraulics category holds hoses,
# valves and cylinders): a hose gets no picture rather than a cylinder's.
SHAPE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("bearing", ("bearing",)),
    ("seal", ("seal", "o-ring", "v-ring", "gasket")),
    ("cylinder", ("cylinder",)),
    ("bolt", ("bolt", "screw")),
)


@dataclass(frozen=True)
class FeaturedProduct:
    """A featured SKU as the platform's mirror of the ERP knows it."""

    sku: str
    name: str
    category_code: str
    category_name: str

    @property
    def shape(self) -> str | None:
        """The drawing that shows this product, or ``None`` when none does."""
        name = self.name.casefold()
        return next(
            (shape for shape, words in SHAPE_WORDS if any(word in name for word in words)), None
        )

    def in_assortment(self, assortment: Iterable[str]) -> bool:
        """Whether the product's category is one of ``assortment`` (codes or names, as the
        store file and the ERP check match them)."""
        keys = {a.casefold() for a in assortment}
        return bool(keys & {self.category_code.casefold(), self.category_name.casefold()} - {""})


def _teasers(blocks: Iterable[Any]) -> Iterable[Mapping[str, Any]]:
    for block in blocks:
        if isinstance(block, Mapping) and block.get("type") == "product_teaser":
            value = block.get("value")
            if isinstance(value, Mapping):
                yield value


def _pages(pages: Iterable[PageSpec]) -> Iterable[PageSpec]:
    for page in pages:
        yield page
        yield from _pages(page.children)


def featured_skus(content: SeedContent) -> tuple[str, ...]:
    """Every SKU a ``product_teaser`` block of the seed content features, in order, once."""
    bodies = [content.home_body, *(page.body for page in _pages(content.pages))]
    skus = []
    for body in bodies:
        for teaser in _teasers(body):
            for item in teaser.get("products") or ():
                if isinstance(item, Mapping) and isinstance(item.get("sku"), str):
                    skus.append(item["sku"].strip())
    return tuple(dict.fromkeys(sku for sku in skus if sku))


def featured_products(skus: Iterable[str]) -> dict[str, FeaturedProduct]:
    """The mirrored products among ``skus`` (active or not), by SKU; one query."""
    wanted = list(dict.fromkeys(skus))
    if not wanted:
        return {}
    return {
        product.sku: FeaturedProduct(
            sku=product.sku,
            name=product.name,
            category_code=(product.category.code or "") if product.category else "",
            category_name=product.category.name if product.category else "",
        )
        for product in product_list(active_only=False).filter(sku__in=wanted)
    }


def _media_key(sku: str) -> str:
    return f"product-{sku.lower()}"


def featured_fill(
    content: SeedContent, products: Mapping[str, FeaturedProduct]
) -> tuple[SeedContent, tuple[str, ...]]:
    """The seed content with each featured card completed from ``products`` (see the module's
    note), and a line per card for the run's log."""
    media = list(content.media)
    keys = {spec.key for spec in media}
    log: dict[str, str] = {}

    def card(item: Any) -> Any:
        if not isinstance(item, Mapping) or not isinstance(item.get("sku"), str):
            return item
        sku = item["sku"].strip()
        product = products.get(sku)
        filled = dict(item)
        if not filled.get("title"):
            filled["title"] = product.name if product else sku
        if not filled.get("image"):
            key = _media_key(sku)  # a picture by this name is this SKU's
            if key not in keys and product is not None and product.shape:
                title = f"{product.name} ({sku})"
                media.append(MediaSpec(key=key, kind="product", title=title, shape=product.shape))
                keys.add(key)
            filled["image"] = key if key in keys else None
        if product is None and not item.get("title"):
            log[sku] = f"featured {sku}: not in the platform's mirror of the ERP; shown by its SKU"
        else:
            picture = "its own picture" if filled["image"] else "no picture"
            log[sku] = f"featured {sku}: {filled['title']}, {picture}"
        return filled

    def blocks(body: Iterable[Any]) -> tuple[Any, ...]:
        done = []
        for block in body:
            if (
                isinstance(block, Mapping)
                and block.get("type") == "product_teaser"
                and isinstance(block.get("value"), Mapping)
            ):
                value = dict(block["value"])
                value["products"] = [card(item) for item in value.get("products") or ()]
                block = {**block, "value": value}
            done.append(block)
        return tuple(done)

    def pages(specs: tuple[PageSpec, ...]) -> tuple[PageSpec, ...]:
        return tuple(
            replace(page, body=blocks(page.body), children=pages(page.children)) for page in specs
        )

    filled = replace(
        content,
        home_body=blocks(content.home_body),
        pages=pages(content.pages),
    )
    return replace(filled, media=tuple(media)), tuple(log.values())

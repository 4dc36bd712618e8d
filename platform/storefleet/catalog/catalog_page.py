"""What a catalog page shows, as one record per page: the product list (``listing_page``) and a
product's page (``product_page``), with every rule on them — whose prices, which products the
store sells (live, or as a preview's draft says), whether the signed-in buyers' page cache may
keep the page and on what it depends. ``CatalogPage`` routes to these and renders what they
return; it decides nothing itself.

The buyer is identified first (``catalog_buyer``): the versions a kept page depends on are read
before any of the data they guard."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import QueryDict

from storefleet.accounts.selectors import company_for_member
from storefleet.brand.buyer_cache import company_version_key, user_version_key, versions
from storefleet.erp.gateway import page_dependencies
from storefleet.erp.types import PriceQuote

from .listing import ProductListing, product_listing
from .models import AnonymousPrices, CatalogPage, Product, ProductStory
from .offers import Offer, product_offers, volume_breaks
from .selectors import product_for_sku, product_images, product_story, store_assortment
from .types import Assortment

if TYPE_CHECKING:
    from wagtail.images.models import AbstractImage

    from storefleet.tenants.selectors import StoreRecord


@dataclasses.dataclass(frozen=True, slots=True)
class CatalogBuyer:
    """The signed-in buyer whose company may buy in the store: its ERP customer code, and the
    versions a page of theirs depends on (the gateway's price and stock generations for the
    customer, the breaker, the buyer's and the company's versions), read before the data."""

    customer: str
    depends_on: Mapping[str, object]


def catalog_buyer(
    *, store: StoreRecord | None, user: AbstractBaseUser | AnonymousUser
) -> CatalogBuyer | None:
    """The buyer a catalog page prices for; None for a visitor, a user of no company buying
    here, or a page served outside a store."""
    if store is None or not user.is_authenticated:
        return None
    membership = company_for_member(user=user, store_id=store.id)
    if membership is None:
        return None
    customer = membership.company.code
    depends_on = versions(
        [
            *page_dependencies(store=store.slug, customer=customer),
            user_version_key(user.pk),
            company_version_key(membership.company_id),
        ]
    )
    return CatalogBuyer(customer=customer, depends_on=depends_on)


def page_assortment(*, page: CatalogPage, store: StoreRecord | None, preview: bool) -> Assortment:
    """What the page sells: served live, the store's cached assortment (this page's, as
    published); in a preview, or outside its store, the page's own as it stands."""
    if store is not None and not preview:
        assortment = store_assortment(store=store)
        if assortment.page_id == page.pk:
            return assortment
    return page.assortment()


def _keepable(buyer: CatalogBuyer | None, offers: Sequence[Offer | None]) -> bool:
    """A buyer's page may be kept while what it depends on holds, unless an offer on it is
    stale, missing or unavailable (it would be kept showing the ERP's absence)."""
    return buyer is not None and all(
        offer is not None and not offer.stale and not offer.unavailable for offer in offers
    )


@dataclasses.dataclass(frozen=True, slots=True)
class ListingPage:
    """The product list as the catalog page shows it. ``customer``: whose prices (None: a
    visitor, who sees list prices or "sign in", as ``list_prices`` says); ``keep``: the buyers'
    page cache may keep it (shared with the company) while ``depends_on`` holds."""

    listing: ProductListing
    rows: list[tuple[Product, Offer | None]]
    images: dict[str, AbstractImage]
    customer: str | None
    list_prices: bool
    keep: bool
    depends_on: Mapping[str, object]


def listing_page(
    *,
    page: CatalogPage,
    store: StoreRecord | None,
    buyer: CatalogBuyer | None,
    params: QueryDict | Mapping[str, Any],
    preview: bool = False,
) -> ListingPage:
    """One page of the catalog's product list as ``params`` (the request's GET) ask, for the
    buyer (or a visitor): the list, each product's offer and image, and whether it may be
    kept."""
    customer = buyer.customer if buyer is not None else None

    def offers_for(products: Sequence[Product]) -> list[Offer]:
        assert store is not None and customer is not None
        return product_offers(store=store, customer=customer, products=products)

    list_prices = page.anonymous_prices == AnonymousPrices.LIST_PRICE
    listing = product_listing(
        params=params,
        per_page=page.per_page,
        assortment=page_assortment(page=page, store=store, preview=preview),
        offers_for=offers_for if customer and store is not None else None,
        stock=bool(store is not None and store.erp_warehouse),
        list_prices=list_prices,
    )
    rows = listing.rows
    # A buyer's page asked for with values the list ignored is rendered, not kept: a buyer's
    # entries are few and large (the anonymous page cache keys on the values as it always has).
    keep = bool(customer) and listing.canonical and _keepable(buyer, listing.offers)
    return ListingPage(
        listing=listing,
        rows=rows,
        images=product_images(page=page, skus=[p.sku for p, _offer in rows]),
        customer=customer,
        list_prices=list_prices,
        keep=keep,
        depends_on=buyer.depends_on if buyer is not None else {},
    )


@dataclasses.dataclass(frozen=True, slots=True)
class ProductPage:
    """One product as the catalog page shows it: the buyer's offer and volume breaks (None for
    a visitor), marketing's story, its image; ``keep`` and ``depends_on`` as ``ListingPage``'s."""

    product: Product
    story: ProductStory | None
    images: dict[str, AbstractImage]
    offer: Offer | None
    breaks: list[PriceQuote] | None
    customer: str | None
    keep: bool
    depends_on: Mapping[str, object]


def product_page(
    *,
    page: CatalogPage,
    store: StoreRecord | None,
    buyer: CatalogBuyer | None,
    sku: str,
    preview: bool = False,
) -> ProductPage | None:
    """The product with ``sku`` if the page sells it (None: the caller answers 404)."""
    product = product_for_sku(
        sku, assortment=page_assortment(page=page, store=store, preview=preview)
    )
    if product is None:
        return None
    customer = buyer.customer if buyer is not None else None
    offer = breaks = None
    keep = False
    if customer and store is not None:
        [offer] = product_offers(store=store, customer=customer, products=[product])
        breaks = volume_breaks(store=store, customer=customer, product=product)
        keep = _keepable(buyer, [offer])
    return ProductPage(
        product=product,
        story=product_story(page=page, sku=product.sku),
        images=product_images(page=page, skus=[product.sku]),
        offer=offer,
        breaks=breaks,
        customer=customer,
        keep=keep,
        depends_on=buyer.depends_on if buyer is not None else {},
    )

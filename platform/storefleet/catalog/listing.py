"""The storefront's product list: search, filters by category and by the product attributes
mirrored from the ERP (with counts, combinable, kept in the URL), sorting and pages.

Every URL parameter is hostile. Nothing of it reaches a query as typed: a filter value is only
used when it is one the store's products have (looked up among the values the catalog itself
read), a sort key only when it is one of :data:`SORTS`, a page number only as a bounded integer;
anything else is ignored. The URLs the page links to are built back from what was understood,
so a filtered, sorted page can be bookmarked and shared as it is.

Prices and stock are the signed-in company's: sorting by them prices the products the filters
leave in one gateway batch (``offers``), never one ERP request per product, and only up to
:data:`OFFER_SORT_LIMIT` products; beyond that the buyer is asked to narrow the list down."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Count, F, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from storefleet.money import format_number, unit_label

from .localized import base_language, product_text_search, source_language
from .models import Category, Product
from .offers import Offer
from .types import EVERYTHING, Assortment

# Products a sort by the company's price or stock may price at once (one gateway batch).
OFFER_SORT_LIMIT = 500
# Values one filter takes from the URL; more are ignored.
MAX_FILTER_VALUES = 20
MAX_PAGE = 100_000
MAX_QUERY = 100

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Attribute:
    """A filter: a URL parameter naming a product field the ERP sync mirrors."""

    param: str
    field: str
    label: Any  # a lazy translation


# What the catalog mirrors from the ERP and a buyer narrows a list by. The category comes first;
# another mirrored attribute is one more line here.
ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("category", "category_id", _("Category")),
    Attribute("unit", "unit", _("Unit")),
    Attribute("step", "quantity_multiple", _("Sold in steps of")),
)
ATTRIBUTE_PARAMS = frozenset(attribute.param for attribute in ATTRIBUTES)

SORTS: dict[str, Any] = {
    "sku": _("SKU"),
    "name": _("Name"),
    "price": _("Price: low to high"),
    "-price": _("Price: high to low"),
    "availability": _("Availability"),
}
DEFAULT_SORT = "sku"
PRICE_SORTS = frozenset({"price", "-price"})
VIEWS: dict[str, Any] = {
    "grid": pgettext_lazy("catalog view", "Grid"),
    "list": pgettext_lazy("catalog view", "List"),
}
DEFAULT_VIEW = "grid"

# The query parameters the list reads: the page caches key on these alone.
LISTING_PARAMETERS = frozenset({"q", "sort", "view", "page", *ATTRIBUTE_PARAMS})

OffersFor = Callable[[Sequence[Product]], list[Offer]]


@dataclass(frozen=True)
class FacetValue:
    value: str  # as in the URL
    label: str
    count: int
    chosen: bool
    url: str  # the list with this value chosen, or no longer chosen


@dataclass(frozen=True)
class Facet:
    param: str
    label: str
    values: list[FacetValue]


@dataclass(frozen=True)
class ChosenFilter:
    label: str  # "Unit: Meter"
    remove_url: str


@dataclass(frozen=True)
class State:
    """What the list was asked for, as understood: the URLs are built from this alone."""

    query: str = ""
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    sort: str = DEFAULT_SORT
    view: str = DEFAULT_VIEW
    page: int = 1

    def chosen(self, param: str) -> tuple[str, ...]:
        return dict(self.filters).get(param, ())

    def items(self) -> list[tuple[str, str]]:
        items = [("q", self.query)] if self.query else []
        for param, values in self.filters:
            items.extend((param, value) for value in values)
        if self.sort != DEFAULT_SORT:
            items.append(("sort", self.sort))
        if self.view != DEFAULT_VIEW:
            items.append(("view", self.view))
        if self.page > 1:
            items.append(("page", str(self.page)))
        return items

    def url(self, **changes: Any) -> str:
        """``?…`` of this state with ``changes``; a change of what is listed starts at page 1."""
        if "page" not in changes:
            changes["page"] = 1 if changes.keys() - {"view"} else self.page
        query = urlencode(State(**{**self.__dict__, **changes}).items())
        return f"?{query}" if query else "?"

    def toggled(self, param: str, value: str) -> str:
        chosen = self.chosen(param)
        values = tuple(v for v in chosen if v != value) if value in chosen else (*chosen, value)
        filters = tuple(
            (p, values if p == param else self.chosen(p))
            for p in (a.param for a in ATTRIBUTES)
            if (values if p == param else self.chosen(p))
        )
        return self.url(filters=filters)


@dataclass
class ProductListing:
    state: State
    page: PaginatorPage  # of (product, offer or None)
    total: int
    facets: list[Facet]
    chosen: list[ChosenFilter]
    sorts: list[tuple[str, Any]]  # the sorts this visitor may choose
    categories: list[Category]  # the chosen ones
    # The offers the page was made of (all priced products when sorted by price or stock).
    offers: list[Offer | None] = field(default_factory=list)
    sort_refused: bool = False
    canonical: bool = True  # the request's parameters are exactly what the links would say

    @property
    def query(self) -> str:
        return self.state.query

    @property
    def category(self) -> Category | None:
        """The one category chosen, if one is (breadcrumbs and the count line name it)."""
        return self.categories[0] if len(self.categories) == 1 else None

    @property
    def rows(self) -> list[tuple[Product, Offer | None]]:
        return list(self.page.object_list)

    @property
    def offer_sort_limit(self) -> int:
        return OFFER_SORT_LIMIT

    @property
    def previous_url(self) -> str:
        return self.state.url(page=self.page.number - 1)

    @property
    def next_url(self) -> str:
        return self.state.url(page=self.page.number + 1)

    @property
    def search_fields(self) -> list[tuple[str, str]]:
        """What the search form carries besides the words: a new search keeps the filters,
        the sort and the view."""
        return [(n, v) for n, v in self.state.items() if n not in ("q", "page")]

    @property
    def sort_fields(self) -> list[tuple[str, str]]:
        return [(n, v) for n, v in self.state.items() if n not in ("sort", "page")]

    def view_urls(self) -> list[tuple[str, Any, str, bool]]:
        return [
            (key, label, self.state.url(view=key), key == self.state.view)
            for key, label in VIEWS.items()
        ]

    def clear_url(self) -> str:
        return self.state.url(filters=())


def _text(value: str) -> str:
    # Control characters match no product, and PostgreSQL refuses a NUL in a query outright.
    return _CONTROL.sub("", value).strip()[:MAX_QUERY]


def _page_number(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return max(1, min(int(raw[:7]), MAX_PAGE))


def _url_value(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _choice(params: Mapping[str, Any], name: str, allowed: Iterable[str], default: str) -> str:
    value = params.get(name) or default
    return value if isinstance(value, str) and value in allowed else default


def product_listing(
    *,
    params: QueryDict | Mapping[str, Any],
    per_page: int,
    assortment: Assortment = EVERYTHING,
    offers_for: OffersFor | None = None,
    stock: bool = False,
    list_prices: bool = False,
) -> ProductListing:
    """One page of the assortment's sellable products as ``params`` (a request's GET) ask.

    ``offers_for`` prices products for the signed-in company (``None``: nobody is signed in);
    ``stock``: those offers carry the store's stock; ``list_prices``: the store shows list
    prices to visitors, who may then sort by them.

    Queries: the facet counts (one), the category names (one), the count comes from the
    facets; the page of products (one)."""
    getlist = params.getlist if isinstance(params, QueryDict) else (lambda n: [params.get(n)])
    query = _text(str(params.get("q") or ""))
    base = Product.objects.filter(assortment.scope(), active=True, salable=True)
    if query:
        base = base.filter(product_text_search(query))

    # One GROUP BY over the attributes: which values the listed products have, and how many.
    fields = [attribute.field for attribute in ATTRIBUTES]
    combos = [
        (tuple(_url_value(row[f]) if row[f] is not None else None for f in fields), row["n"])
        for row in base.values(*fields).annotate(n=Count("pk")).order_by()
    ]
    known: dict[str, set[str]] = {attribute.param: set() for attribute in ATTRIBUTES}
    for values, _n in combos:
        for attribute, value in zip(ATTRIBUTES, values, strict=True):
            if value is not None:
                known[attribute.param].add(value)

    filters: list[tuple[str, tuple[str, ...]]] = []
    for attribute in ATTRIBUTES:
        wanted = [v for v in getlist(attribute.param)[:MAX_FILTER_VALUES] if isinstance(v, str)]
        chosen = tuple(dict.fromkeys(v for v in wanted if v in known[attribute.param]))
        if chosen:
            filters.append((attribute.param, chosen))
    chosen_sets = {param: set(values) for param, values in filters}

    def matches(values: tuple[str | None, ...], skip: str = "") -> bool:
        return all(
            values[i] in chosen_sets[a.param]
            for i, a in enumerate(ATTRIBUTES)
            if a.param in chosen_sets and a.param != skip
        )

    total = sum(n for values, n in combos if matches(values))

    sorts = ["sku", "name"]
    if offers_for is not None or list_prices:
        sorts += ["price", "-price"]
    if offers_for is not None and stock:
        sorts.append("availability")
    sort = _choice(params, "sort", sorts, DEFAULT_SORT)
    view = _choice(params, "view", VIEWS, DEFAULT_VIEW)
    state = State(
        query=query,
        filters=tuple(filters),
        sort=sort,
        view=view,
        page=_page_number(str(params.get("page") or "1")),
    )

    category_ids = {int(v) for values, _n in combos if (v := values[0]) is not None}
    names = dict(Category.objects.filter(pk__in=category_ids).values_list("pk", "name"))
    labels: dict[str, dict[str, str]] = {
        "category": {str(pk): name for pk, name in names.items()},
        # Quantities as the store's language writes them (0,5 in German).
        "step": {value: format_number(Decimal(value)) for value in known["step"]},
        # Units by their name in the store's language (Unit is Stück in German).
        "unit": {value: unit_label(value) for value in known["unit"]},
    }

    facets: list[Facet] = []
    chosen_filters: list[ChosenFilter] = []
    for i, attribute in enumerate(ATTRIBUTES):
        counts: dict[str, int] = {}
        for values, n in combos:
            value = values[i]
            if value is not None and matches(values, skip=attribute.param):
                counts[value] = counts.get(value, 0) + n
        label_of = labels.get(attribute.param, {})
        facet_values = [
            FacetValue(
                value=value,
                label=label_of.get(value, value),
                count=count,
                chosen=value in chosen_sets.get(attribute.param, ()),
                url=state.toggled(attribute.param, value),
            )
            for value, count in counts.items()
        ]
        facet_values.sort(key=functools.partial(_facet_order, attribute.param))
        if facet_values:
            facets.append(Facet(attribute.param, str(attribute.label), facet_values))
        for value in state.chosen(attribute.param):
            chosen_filters.append(
                ChosenFilter(
                    label=f"{attribute.label}: {label_of.get(value, value)}",
                    remove_url=state.toggled(attribute.param, value),
                )
            )

    listed = base.select_related("category")
    for attribute in ATTRIBUTES:
        if attribute.param in chosen_sets:
            listed = listed.filter(**{f"{attribute.field}__in": state.chosen(attribute.param)})

    if sort in PRICE_SORTS | {"availability"} and offers_for is not None:
        if total <= OFFER_SORT_LIMIT:
            products = list(listed.order_by("sku"))
            offers = offers_for(products)
            rows = sorted(zip(products, offers, strict=True), key=_offer_key(sort))
            sorted_page = Paginator(rows, per_page).get_page(state.page)
            return _listing(
                state, sorted_page, total, facets, chosen_filters, sorts, names, offers, params
            )
        # Too many to price at once: listed by SKU, and the page says why.
        state = State(**{**state.__dict__, "sort": DEFAULT_SORT})
    if state.sort == "name":
        listed = listed.annotate(name_in_language=_shown_name())
    paginator = Paginator(listed.order_by(*_db_order(state.sort)), per_page)
    paginator.__dict__["count"] = total  # known from the facets: no COUNT query
    page = paginator.get_page(state.page)
    products = list(page.object_list)
    page_offers: list[Offer | None] = (
        list(offers_for(products)) if offers_for is not None else [None] * len(products)
    )
    page.object_list = list(zip(products, page_offers, strict=True))  # type: ignore[arg-type]
    listing = _listing(
        state, page, total, facets, chosen_filters, sorts, names, page_offers, params
    )
    listing.sort_refused = state.sort != sort
    return listing


def _listing(
    state: State,
    page: PaginatorPage,
    total: int,
    facets: list[Facet],
    chosen: list[ChosenFilter],
    sorts: list[str],
    names: dict[int, str],
    offers: Sequence[Offer | None],
    asked: QueryDict | Mapping[str, Any],
) -> ProductListing:
    state = State(**{**state.__dict__, "page": page.number})
    return ProductListing(
        state=state,
        page=page,
        total=total,
        facets=facets,
        chosen=chosen,
        sorts=[(key, SORTS[key]) for key in sorts],
        categories=[Category(pk=int(v), name=names[int(v)]) for v in state.chosen("category")],
        offers=list(offers),
        canonical=_asked(asked) == sorted(state.items()),
    )


def _asked(params: QueryDict | Mapping[str, Any]) -> list[tuple[str, str]]:
    """The listing's parameters as the request carried them, in a fixed order."""
    if isinstance(params, QueryDict):
        items = [(name, value) for name, values in params.lists() for value in values]
    else:
        items = [(name, str(value)) for name, value in params.items()]
    return sorted((name, value) for name, value in items if name in LISTING_PARAMETERS)


def _facet_order(param: str, value: FacetValue) -> tuple[Any, ...]:
    if param == "step":
        return (Decimal(value.value), "")
    return (0, value.label.casefold())


def _shown_name() -> Coalesce:
    """The name as the list shows it in the page's language, to sort by."""
    language = base_language(get_language())
    if language == source_language():
        return Coalesce(F("name"), Value(""))
    return Coalesce(KT(f"translations__{language}__name"), F("name"))


def _db_order(sort: str) -> tuple[str, ...]:
    return {
        "name": ("name_in_language", "sku"),
        "price": ("list_price", "sku"),
        "-price": ("-list_price", "sku"),
    }.get(sort, ("sku",))


def _offer_key(sort: str) -> Callable[[tuple[Product, Offer | None]], tuple[Any, ...]]:
    """Products the ERP gives no price or stock for go last, whichever the direction."""
    far = datetime.date.max

    def price(row: tuple[Product, Offer | None]) -> tuple[Any, ...]:
        product, offer = row
        amount = offer.price.unit_price.amount if offer and offer.orderable else None  # type: ignore[union-attr]
        if amount is None:
            return (1, Decimal(0), product.sku)
        return (0, -amount if sort == "-price" else amount, product.sku)

    def availability(row: tuple[Product, Offer | None]) -> tuple[Any, ...]:
        product, offer = row
        stock = offer.stock if offer else None
        if stock is None or stock.available_now is None:
            return (3, far, Decimal(0), product.sku)
        if stock.enough_now:
            return (0, far, -stock.available_now.value, product.sku)
        if stock.available_from is not None:
            return (1, stock.available_from, Decimal(0), product.sku)
        return (2, far, -stock.available_now.value, product.sku)

    return availability if sort == "availability" else price

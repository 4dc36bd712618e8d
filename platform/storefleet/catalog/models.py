"""Products mirrored from the ERP. Not Wagtail pages: 100k SKUs times many stores must not
become a page tree; storefront catalog pages route to these rows.

What a store adds to the mirrored catalog lives on its catalog page, so that page permissions,
drafts, previews, revisions and scheduled publishing cover it: the assortment it sells and the
product stories marketing writes per SKU."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from django import forms
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page

from storefleet.brand.blocks import ProductStoryBlock
from storefleet.quantities import QuantityRule

from .forms import CatalogPageForm
from .types import Assortment, sku_list

# Preview mode of a product page with its story: the prefix, then the SKU.
PRODUCT_PREVIEW = "product:"


class Category(models.Model):
    """An ERP product category, known by its name and, where the ERP has one, its code (store
    files declare assortments by code: HYD, PNE)."""

    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(max_length=50, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    erp_id = models.PositiveIntegerField(unique=True)
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(max_length=255)
    # In the ERP's own language (settings.LANGUAGE_CODE), like ``name``.
    description = models.TextField(blank=True, default="")
    # What the ERP really has in other languages: {"fr": {"name": …, "description": …}}, a
    # language or a field left out where it has none (``localized.product_text`` then falls
    # back to the ERP's own text and says so).
    translations = models.JSONField(blank=True, default=dict)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    unit = models.CharField(max_length=32)
    salable = models.BooleanField(default=True)
    active = models.BooleanField(default=True)
    # The ERP's ordering rules, mirrored so the storefront can offer allowed quantities.
    min_quantity = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    quantity_multiple = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    list_price = models.DecimalField(max_digits=16, decimal_places=4)
    currency = models.CharField(max_length=3)
    erp_write_date = models.DateTimeField()
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def shown_name(self) -> str:
        """The name in the active language, the ERP's own where it has none, without the note
        (structured data, which carries its language beside it)."""
        from .localized import product_text

        return product_text(self, "name").text

    @property
    def shown_name_noted(self) -> str:
        """The name in the active language, with "(in English)" where it falls back (a title,
        plain text): what apps that may not import the catalog read (``brand``)."""
        from .localized import product_text

        return product_text(self, "name").plain

    @property
    def quantity_rule(self) -> QuantityRule:
        """The mirrored ordering rule (the sales unit's decimals are the ERP's to check)."""
        return QuantityRule(self.min_quantity, self.quantity_multiple)


class AnonymousPrices(models.TextChoices):
    LIST_PRICE = "list", _("Show list prices")
    SIGN_IN = "sign_in", _('Show "sign in for your price"')


class Sells(models.TextChoices):
    EVERYTHING = "all", _("All products")
    ASSORTMENT = "assortment", _("Only the categories and SKUs below")


class CatalogPage(RoutablePageMixin, Page):
    """The storefront's catalog: a page marketing places in the store's tree (and menu), routing
    to the products mirrored from the ERP — a list with search and category filter at the page's
    URL, and one product per SKU below it. Products stay rows, not pages.

    One per store: it is where the store's assortment and product stories are found."""

    # What the product list reads (``listing.LISTING_PARAMETERS``: search, filters, sort, view,
    # page); the page caches ignore every other query parameter.
    cache_query_parameters: ClassVar[frozenset[str]] = frozenset(
        {"q", "sort", "view", "page", "category", "unit", "step"}
    )

    intro = models.TextField(blank=True, max_length=400)
    anonymous_prices = models.CharField(
        max_length=10,
        choices=AnonymousPrices.choices,
        default=AnonymousPrices.SIGN_IN,
        help_text=_("What visitors who are not signed in see instead of their contract price."),
    )
    per_page = models.PositiveSmallIntegerField(default=24)
    sells = models.CharField(
        _("this store sells"), max_length=12, choices=Sells.choices, default=Sells.EVERYTHING
    )
    categories = ParentalManyToManyField(
        Category,
        blank=True,
        related_name="+",
        help_text=_("The ERP's categories this store sells, each with all its products."),
    )
    extra_skus = models.TextField(
        _("extra SKUs"),
        blank=True,
        help_text=_("Products sold besides those categories: one SKU per line, e.g. TOL-1003."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel(
            "stories",
            heading=_("Product stories"),
            label=_("Product story"),
            help_text=_("Shown on the product page below its facts, one story per SKU."),
        ),
    ]
    settings_panels = [
        *Page.settings_panels,
        FieldPanel("anonymous_prices"),
        FieldPanel("per_page"),
        MultiFieldPanel(
            [
                FieldPanel("sells", widget=forms.RadioSelect),
                FieldPanel("categories", widget=forms.CheckboxSelectMultiple),
                FieldPanel("extra_skus", widget=forms.Textarea(attrs={"rows": 4})),
            ],
            heading=_("Assortment"),
        ),
    ]
    base_form_class = CatalogPageForm
    parent_page_types = ["brand.HomePage", "brand.LandingPage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1
    template = "catalog/catalog_page.html"

    class Meta:
        verbose_name = _("catalog page")

    @staticmethod
    def _other_catalog_in_store(parent: Page, *, excluding: int | None = None) -> bool:
        # A store's pages are its home page (a child of the tree root) and what lies below it, so
        # they share the home page's path.
        store_path = parent.path[: 2 * Page.steplen]
        return (
            CatalogPage.objects.filter(path__startswith=store_path).exclude(pk=excluding).exists()
        )

    @classmethod
    def can_create_at(cls, parent: Page) -> bool:
        return super().can_create_at(parent) and not cls._other_catalog_in_store(parent)

    def can_move_to(self, parent: Page) -> bool:
        return super().can_move_to(parent) and not self._other_catalog_in_store(
            parent, excluding=self.pk
        )

    def assortment(self) -> Assortment:
        """What this page, as it stands (published, or a draft in a preview), says is sold."""
        if self.sells != Sells.ASSORTMENT:
            return Assortment(page_id=self.pk)
        return Assortment(
            everything=False,
            category_ids=frozenset(category.pk for category in self.categories.all()),
            skus=frozenset(sku_list(self.extra_skus)),
            page_id=self.pk,
        )

    @property
    def preview_modes(self) -> list[tuple[str, str]]:
        """The product list, and the product page of each story: a story is previewed where it
        will show."""
        return [
            ("", gettext("Product list")),
            *(
                (f"{PRODUCT_PREVIEW}{story.sku}", gettext("Product %(sku)s") % {"sku": story.sku})
                for story in self.stories.all()
                if story.sku
            ),
        ]

    def serve_preview(self, request: HttpRequest, mode_name: str) -> HttpResponse:
        if mode_name.startswith(PRODUCT_PREVIEW):
            sku = mode_name.removeprefix(PRODUCT_PREVIEW)
            return self._product_page(request, sku, catalog_url=self._base_url(request))
        return super().serve_preview(request, mode_name)

    # The routes: each reads its page's record (``catalog_page``: every rule is there) and
    # renders it; a buyer's page the record says may be kept is handed to the buyers' page cache.

    @path("")
    def product_list(self, request: HttpRequest) -> HttpResponse:
        # Imported here: the page selectors import this module's models.
        from .catalog_page import catalog_buyer, listing_page

        store = getattr(request, "store", None)
        shown = listing_page(
            page=self,
            store=store,
            buyer=catalog_buyer(store=store, user=request.user),
            params=request.GET,
            preview=getattr(request, "is_preview", False),
        )
        if shown.keep:
            _keep(request, shown.depends_on)
        return self.render(
            request,
            context_overrides={
                "listing": shown.listing,
                "catalog_url": self._base_url(request),
                "rows": shown.rows,
                "images": shown.images,
                "customer": shown.customer,
            },
        )

    @re_path(r"^(?P<sku>[A-Za-z0-9][-A-Za-z0-9_.]*)/$")
    def product_detail(self, request: HttpRequest, sku: str) -> HttpResponse:
        return self._product_page(request, sku, catalog_url=self._base_url(request, sku))

    def _product_page(self, request: HttpRequest, sku: str, *, catalog_url: str) -> HttpResponse:
        from .catalog_page import catalog_buyer, product_page

        store = getattr(request, "store", None)
        shown = product_page(
            page=self,
            store=store,
            buyer=catalog_buyer(store=store, user=request.user),
            sku=sku,
            preview=getattr(request, "is_preview", False),
        )
        if shown is None:
            raise Http404(f"No product with the SKU {sku} in this store")
        if shown.keep:
            _keep(request, shown.depends_on)
        return self.render(
            request,
            context_overrides={
                "product": shown.product,
                "catalog_url": catalog_url,
                "story": shown.story,
                "images": shown.images,
                "offer": shown.offer,
                "breaks": shown.breaks,
                "customer": shown.customer,
            },
            template="catalog/product_page.html",
        )

    @staticmethod
    def _base_url(request: HttpRequest, sku: str = "") -> str:
        """The catalog's own URL as this request reached it (no site-root lookup needed)."""
        return request.path[: len(request.path) - len(f"{sku}/")] if sku else request.path


def _keep(request: HttpRequest, depends_on: Mapping[str, object]) -> None:
    """Let the buyers' page cache keep the page, for the buyer's company too, while every
    version it was made of holds."""
    from storefleet.brand.buyer_cache import mark_cacheable

    mark_cacheable(request, depends_on=depends_on, shared=True)


class ProductStory(Orderable):
    """Marketing's story of one product in one store: text, images, documents and videos from
    the brand's own collections, shown on the product page. Part of the catalog page, so it is
    drafted, previewed, reviewed and published with it, by those who may edit that page."""

    page = ParentalKey(CatalogPage, on_delete=models.CASCADE, related_name="stories")
    sku = models.CharField(
        _("SKU"), max_length=64, help_text=_("The product's SKU in the catalog, e.g. FAS-1001.")
    )
    body = StreamField(ProductStoryBlock(), use_json_field=True)

    panels = [FieldPanel("sku"), FieldPanel("body")]

    class Meta(Orderable.Meta):
        verbose_name = _("product story")
        verbose_name_plural = _("product stories")
        indexes = [models.Index(fields=["page", "sku"])]

    def __str__(self) -> str:
        return self.sku

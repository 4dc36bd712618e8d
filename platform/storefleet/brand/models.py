"""Brand content: per-store settings (theme, contact, navigation), the page types marketing
teams build their storefront from, and the image and document models whose files are stored
under their store's prefix (``brand.media``)."""

import posixpath
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.documents.models import AbstractDocument, Document
from wagtail.fields import StreamField
from wagtail.images.models import AbstractImage, AbstractRendition, Image
from wagtail.models import Page
from wagtail.search import index

from .blocks import FooterColumnBlock, LinkBlock, PageBodyBlock
from .colours import hex_colour_validator, readable_text_on, theme_contrast_failures
from .forms import StoreWalledModelForm, StoreWalledPageForm
from .media import store_media_prefix, stored_media_prefix


# -- media (WAGTAILIMAGES_IMAGE_MODEL, WAGTAILDOCS_DOCUMENT_MODEL) ------------------------------
# Wagtail's own models with one change: the upload path starts with the store's prefix. Access
# is still Wagtail's: its permission policy checks every image (document) model against
# wagtailimages.Image's (wagtaildocs.Document's) permissions, per collection.
class StoreImage(AbstractImage):
    """An image; its file and renditions go to the store owning its collection."""

    admin_form_fields = Image.admin_form_fields

    class Meta(AbstractImage.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def get_upload_to(self, filename: str) -> str:
        # Wagtail's name (ASCII, shortened); the storage shortens it further if the prefix
        # takes it past the field's length.
        return store_media_prefix(collection_id=self.collection_id) + super().get_upload_to(
            filename
        )


class StoreRendition(AbstractRendition):
    image = models.ForeignKey(StoreImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("image", "filter_spec", "focal_point_key"), name="unique_store_rendition"
            )
        ]

    def get_upload_to(self, filename: str) -> str:
        return stored_media_prefix(self.image.file.name) + super().get_upload_to(filename)


def get_document_upload_to(instance: "StoreDocument", filename: str) -> str:
    return instance.get_upload_to(filename)


class StoreDocument(AbstractDocument):
    """A document; its file goes to the store owning its collection."""

    file = models.FileField(upload_to=get_document_upload_to, verbose_name=_("file"))

    admin_form_fields = Document.admin_form_fields

    def get_upload_to(self, filename: str) -> str:
        folder = store_media_prefix(collection_id=self.collection_id) + "documents"
        return posixpath.join(folder, filename)


class FontStack(models.TextChoices):
    """Self-hosted-free system font stacks: no third-party font requests from the storefront."""

    INDUSTRIAL = "industrial", _("Industrial sans (Helvetica, Arial)")
    TECHNICAL = "technical", _("Technical condensed (Roboto Condensed, Arial Narrow)")
    HUMANIST = "humanist", _("Humanist sans (Segoe UI, Verdana)")
    SERIF = "serif", _("Classic serif (Georgia, Times)")


FONT_STACKS = {
    FontStack.INDUSTRIAL: '"Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif',
    FontStack.TECHNICAL: '"Roboto Condensed", "Arial Narrow", "Liberation Sans Narrow", '
    '"DejaVu Sans Condensed", sans-serif-condensed, sans-serif',
    FontStack.HUMANIST: '"Segoe UI", Frutiger, "Fira Sans", Verdana, "DejaVu Sans", sans-serif',
    FontStack.SERIF: 'Georgia, Cambria, "Times New Roman", "DejaVu Serif", serif',
}


class CornerStyle(models.TextChoices):
    SQUARE = "square", _("Square (engineering)")
    ROUNDED = "rounded", _("Rounded (friendly)")


@register_setting(icon="palette")
class BrandSettings(BaseSiteSetting):
    """The brand's look and its contact and legal details, one per store."""

    logo = models.ForeignKey(
        StoreImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    favicon = models.ForeignKey(
        StoreImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tagline = models.CharField(max_length=120, blank=True)
    primary_colour = models.CharField(
        max_length=7,
        default="#0B3D91",
        validators=[hex_colour_validator],
        help_text=_("Buttons, links and highlights. Format #RRGGBB."),
    )
    accent_colour = models.CharField(
        max_length=7,
        default="#F28C28",
        validators=[hex_colour_validator],
        help_text=_("Badges and the hero's call to action. Format #RRGGBB."),
    )
    dark_colour = models.CharField(
        max_length=7,
        default="#16202C",
        validators=[hex_colour_validator],
        help_text=_("Header, footer and dark bands. Format #RRGGBB."),
    )
    light_colour = models.CharField(
        max_length=7,
        default="#F3F5F8",
        validators=[hex_colour_validator],
        help_text=_("Light section backgrounds. Format #RRGGBB."),
    )
    heading_font = models.CharField(
        max_length=20, choices=FontStack.choices, default=FontStack.INDUSTRIAL
    )
    body_font = models.CharField(
        max_length=20, choices=FontStack.choices, default=FontStack.INDUSTRIAL
    )
    corner_style = models.CharField(
        max_length=10, choices=CornerStyle.choices, default=CornerStyle.SQUARE
    )
    legal_name = models.CharField(max_length=160, blank=True)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    vat_id = models.CharField(_("VAT ID"), max_length=40, blank=True)
    registration = models.CharField(
        _("Company registration"),
        max_length=120,
        blank=True,
        help_text=_("e.g. 'Amtsgericht Stuttgart HRB 12345'"),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("logo"), FieldPanel("favicon"), FieldPanel("tagline")],
            heading=_("Identity"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("primary_colour"), FieldPanel("accent_colour")]),
                FieldRowPanel([FieldPanel("dark_colour"), FieldPanel("light_colour")]),
                FieldRowPanel([FieldPanel("heading_font"), FieldPanel("body_font")]),
                FieldPanel("corner_style"),
            ],
            heading=_("Theme"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("legal_name"),
                FieldPanel("address"),
                FieldRowPanel([FieldPanel("phone"), FieldPanel("email")]),
                FieldRowPanel([FieldPanel("vat_id"), FieldPanel("registration")]),
            ],
            heading=_("Contact and legal details"),
        ),
    ]
    base_form_class = StoreWalledModelForm

    class Meta:
        verbose_name = _("brand settings")

    def clean(self) -> None:
        super().clean()
        # Every pair of colours the storefront draws with this theme, each failure on the
        # colour to change.
        errors: dict[str, list[str]] = {}
        for failure in theme_contrast_failures(
            primary=self.primary_colour,
            accent=self.accent_colour,
            dark=self.dark_colour,
            light=self.light_colour,
        ):
            errors.setdefault(f"{failure.colour}_colour", []).append(failure.message)
        if errors:
            raise ValidationError(errors)

    def css_variables(self) -> dict[str, str]:
        """The theme as CSS custom properties, with text colours that stay readable."""
        return {
            "--brand-primary": self.primary_colour,
            "--brand-on-primary": readable_text_on(self.primary_colour),
            "--brand-accent": self.accent_colour,
            "--brand-on-accent": readable_text_on(self.accent_colour),
            "--brand-dark": self.dark_colour,
            "--brand-on-dark": readable_text_on(self.dark_colour),
            "--brand-light": self.light_colour,
            "--brand-font-heading": FONT_STACKS[FontStack(self.heading_font)],
            "--brand-font-body": FONT_STACKS[FontStack(self.body_font)],
            "--brand-radius": "10px" if self.corner_style == CornerStyle.ROUNDED else "2px",
        }


@register_setting(icon="list-ul")
class NavigationSettings(BaseSiteSetting):
    """The store's main navigation and footer, edited by its marketing team."""

    primary_links = StreamField([("link", LinkBlock())], blank=True, use_json_field=True)
    footer_columns = StreamField([("column", FooterColumnBlock())], blank=True, use_json_field=True)
    footer_note = models.CharField(max_length=255, blank=True)

    panels = [FieldPanel("primary_links"), FieldPanel("footer_columns"), FieldPanel("footer_note")]
    base_form_class = StoreWalledModelForm

    class Meta:
        verbose_name = _("navigation and footer")


class BrandPage(Page):
    """Common base of the brand page types (abstract: no table of its own)."""

    intro = models.TextField(blank=True, max_length=400)
    body = StreamField(PageBodyBlock(), blank=True, use_json_field=True)
    social_image = models.ForeignKey(
        StoreImage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("social image"),
        help_text=_("Shown where the page is shared (Open Graph); blank: the brand's logo."),
    )

    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    promote_panels = [*Page.promote_panels, FieldPanel("social_image")]
    # The query parameters the page reads; the page caches ignore all others (brand.middleware).
    cache_query_parameters: ClassVar[frozenset[str]] = frozenset()
    base_form_class = StoreWalledPageForm

    class Meta:
        abstract = True


class HomePage(BrandPage):
    """A store's root page; the Site of the store points at it."""

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "brand.LandingPage",
        "brand.ContentPage",
        "catalog.CatalogPage",
        "marketing.LeadFormPage",
    ]
    template = "brand/home_page.html"

    class Meta:
        verbose_name = _("home page")


class LandingPage(BrandPage):
    """A campaign or product-line page made of blocks."""

    parent_page_types = ["brand.HomePage", "brand.LandingPage"]
    subpage_types = [
        "brand.LandingPage",
        "brand.ContentPage",
        "catalog.CatalogPage",
        "marketing.LeadFormPage",
    ]
    template = "brand/landing_page.html"

    class Meta:
        verbose_name = _("landing page")


class ContentPage(BrandPage):
    """An editorial page: about us, terms, imprint, service information."""

    parent_page_types = ["brand.HomePage", "brand.LandingPage", "brand.ContentPage"]
    subpage_types = ["brand.ContentPage"]
    template = "brand/content_page.html"

    class Meta:
        verbose_name = _("content page")

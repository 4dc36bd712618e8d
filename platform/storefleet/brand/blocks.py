"""StreamField blocks marketing teams build brand pages from."""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]


class LinkBlock(blocks.StructBlock):
    """A link to a page of the store or to an external address: exactly one of the two."""

    label = blocks.CharBlock(max_length=60)
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False, label=_("External URL"))

    class Meta:
        icon = "link"
        label = _("Link")

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            message = _("Choose a page or enter an external URL (one of the two).")
            raise StructBlockValidationError(
                block_errors={"page": ErrorList([ValidationError(message)])}
            )
        return value


class OptionalLinkBlock(LinkBlock):
    def clean(self, value):
        if not value.get("label") and not value.get("page") and not value.get("url"):
            return value
        return super().clean(value)


class HeroBlock(blocks.StructBlock):
    eyebrow = blocks.CharBlock(required=False, max_length=80, help_text=_("Small line above"))
    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False, max_length=400)
    image = ImageChooserBlock(required=False)
    primary_action = OptionalLinkBlock(required=False)
    secondary_action = OptionalLinkBlock(required=False)

    class Meta:
        icon = "image"
        label = _("Hero")
        template = "brand/blocks/hero.html"


class ImageWithTextBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    heading = blocks.CharBlock(max_length=120)
    text = blocks.RichTextBlock(features=RICH_FEATURES)
    image_position = blocks.ChoiceBlock(
        choices=[("left", _("Image on the left")), ("right", _("Image on the right"))],
        default="left",
    )
    link = OptionalLinkBlock(required=False)

    class Meta:
        icon = "doc-full"
        label = _("Image with text")
        template = "brand/blocks/image_with_text.html"


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False, max_length=300)
    action = LinkBlock()

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "brand/blocks/call_to_action.html"


class DownloadBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    label = blocks.CharBlock(required=False, max_length=120, help_text=_("Defaults to the title"))


class DownloadsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, default=_("Downloads"))
    documents = blocks.ListBlock(DownloadBlock(), min_num=1)

    class Meta:
        icon = "download"
        label = _("Downloads")
        template = "brand/blocks/downloads.html"


class ProductTeaserItemBlock(blocks.StructBlock):
    sku = blocks.CharBlock(max_length=40, label=_("SKU"))
    title = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False, max_length=240)
    image = ImageChooserBlock(required=False)


class ProductTeaserBlock(blocks.StructBlock):
    """Products marketing wants to feature, named by SKU. The catalog issue resolves each SKU to
    the store's product (price, availability, link); until then the card shows what is typed."""

    heading = blocks.CharBlock(max_length=120)
    intro = blocks.TextBlock(required=False, max_length=300)
    products = blocks.ListBlock(ProductTeaserItemBlock(), min_num=1, max_num=8)

    class Meta:
        icon = "tag"
        label = _("Product teaser")
        template = "brand/blocks/product_teaser.html"


class FeatureBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=80)
    text = blocks.TextBlock(max_length=240)


class FeatureGridBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False, max_length=120)
    features = blocks.ListBlock(FeatureBlock(), min_num=1, max_num=6)

    class Meta:
        icon = "list-ul"
        label = _("Feature grid")
        template = "brand/blocks/feature_grid.html"


class StatBlock(blocks.StructBlock):
    value = blocks.CharBlock(max_length=20)
    label = blocks.CharBlock(max_length=60)


class StatsBlock(blocks.StructBlock):
    stats = blocks.ListBlock(StatBlock(), min_num=2, max_num=5)

    class Meta:
        icon = "pick"
        label = _("Key figures")
        template = "brand/blocks/stats.html"


class PageBodyBlock(blocks.StreamBlock):
    hero = HeroBlock()
    rich_text = blocks.RichTextBlock(
        features=RICH_FEATURES, template="brand/blocks/rich_text.html", icon="pilcrow"
    )
    image_with_text = ImageWithTextBlock()
    call_to_action = CallToActionBlock()
    downloads = DownloadsBlock()
    product_teaser = ProductTeaserBlock()
    feature_grid = FeatureGridBlock()
    stats = StatsBlock()


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    caption = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "brand/blocks/figure.html"


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(max_width=960, help_text=_("The address of a YouTube or Vimeo video"))
    caption = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "brand/blocks/video.html"


class ProductStoryBlock(blocks.StreamBlock):
    """What marketing tells about one product, below its facts on the product page: no hero or
    call-to-action band there, the page around it is the product's."""

    rich_text = blocks.RichTextBlock(
        features=RICH_FEATURES, template="brand/blocks/rich_text.html", icon="pilcrow"
    )
    image = FigureBlock()
    image_with_text = ImageWithTextBlock()
    video = VideoBlock()
    downloads = DownloadsBlock()
    feature_grid = FeatureGridBlock()
    stats = StatsBlock()


class FooterColumnBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=60)
    links = blocks.ListBlock(LinkBlock())

    class Meta:
        icon = "list-ul"
        label = _("Footer column")

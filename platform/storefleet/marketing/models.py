"""Marketing's form pages and the leads they bring in.

A ``LeadFormPage`` is a Wagtail form page (``wagtail.contrib.forms``) marketing builds in the
CMS: contact sales, request a catalogue, request a sample. Every such form asks for who is
asking (name, e-mail, company, phone, message: ``forms.LEAD_FIELDS``); the editor adds the
questions of their own below. Each accepted submission is a ``Lead``: kept, acknowledged by
e-mail and carried into the ERP as a lead by the outbox (kind ``lead.create``)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField, AbstractFormSubmission
from wagtail.fields import StreamField
from wagtail.search import index

from storefleet.brand.blocks import PageBodyBlock
from storefleet.brand.forms import StoreWalledPageForm
from storefleet.tenants.models import Store

from .forms import LeadFormBuilder


class LeadPurpose(models.TextChoices):
    CONTACT_SALES = "contact_sales", _("Contact sales")
    CATALOGUE = "catalogue", _("Request a catalogue")
    SAMPLE = "sample", _("Request a sample")


class LeadFormField(AbstractFormField):
    page = ParentalKey("LeadFormPage", on_delete=models.CASCADE, related_name="form_fields")


class LeadFormPage(AbstractForm):
    """A form that turns a visitor into a lead for the store's sales team."""

    intro: models.TextField[str, str] = models.TextField(blank=True, max_length=400)
    body = StreamField(PageBodyBlock(), blank=True, use_json_field=True)
    purpose: models.CharField[str, str] = models.CharField(
        max_length=20,
        choices=LeadPurpose.choices,
        default=LeadPurpose.CONTACT_SALES,
        help_text=_("What the sales team sees the lead as in the ERP."),
    )
    social_image: models.ForeignKey[Any, Any] = models.ForeignKey(
        "brand.StoreImage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("social image"),
        help_text=_("Shown where the page is shared (Open Graph); blank: the brand's logo."),
    )
    thank_you_text: models.TextField[str, str] = models.TextField(
        blank=True,
        max_length=1000,
        help_text=_("Shown after sending; blank: a standard thank-you in the store's language."),
    )

    form_builder = LeadFormBuilder
    template = "marketing/lead_form_page.html"
    landing_page_template = "marketing/lead_form_page_landing.html"
    parent_page_types: ClassVar[list[str]] = ["brand.HomePage", "brand.LandingPage"]
    subpage_types: ClassVar[list[str]] = []
    promote_panels: ClassVar[list[Any]] = [*AbstractForm.promote_panels, FieldPanel("social_image")]
    search_fields: ClassVar[list[Any]] = [*AbstractForm.search_fields, index.SearchField("intro")]
    content_panels: ClassVar[list[Any]] = [
        *AbstractForm.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("purpose"), FieldPanel("thank_you_text")], heading=_("Lead")),
        InlinePanel(
            "form_fields",
            label=_(
                "Further questions (name, e-mail, company, phone and message are always asked)"
            ),
        ),
    ]
    # The page caches ignore every query parameter (brand.middleware); a form page is never
    # kept by them anyway (its CSRF token is the visitor's own).
    cache_query_parameters: ClassVar[frozenset[str]] = frozenset()
    base_form_class = StoreWalledPageForm

    class Meta:
        verbose_name = _("lead form page")

    def get_submission_class(self) -> type[Lead]:
        return Lead

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from .views import lead_form_serve

        return lead_form_serve(request, self)


class Lead(AbstractFormSubmission):
    """One accepted submission of a lead form, in its store; ``form_data`` holds every answer
    (Wagtail's submissions screen reads it too). ``key`` is the ERP's idempotency key."""

    # Kept when marketing deletes the form page: a lead is the sales team's, not the page's.
    page: models.ForeignKey[Any, Any] = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    store: models.ForeignKey[Store, Store] = models.ForeignKey(
        "tenants.Store", on_delete=models.CASCADE, related_name="+"
    )
    key: models.CharField[str, str] = models.CharField(max_length=64, unique=True)
    purpose: models.CharField[str, str] = models.CharField(
        max_length=20, choices=LeadPurpose.choices
    )
    name: models.CharField[str, str] = models.CharField(max_length=200)
    email: models.EmailField[str, str] = models.EmailField(max_length=254)
    company_name: models.CharField[str, str] = models.CharField(max_length=200, blank=True)
    language: models.CharField[str, str] = models.CharField(max_length=12, blank=True)
    erp_number: models.CharField[str, str] = models.CharField(max_length=64, blank=True)
    erp_state: models.CharField[str, str] = models.CharField(max_length=32, blank=True)
    sent_at: models.DateTimeField[Any, Any] = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractFormSubmission.Meta):
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering: ClassVar[list[str]] = ["-submit_time", "-id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["store", "-submit_time"])]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

"""A store is a brand in a region, served on its own Wagtail Site."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Collection, Site

from storefleet.origins import public_base_url

currency_code_validator = RegexValidator(
    r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 currency code in capitals, e.g. EUR or USD.")
)
country_code_validator = RegexValidator(
    r"^[A-Z]{2}$", _("Use a two-letter ISO 3166 country code in capitals, e.g. DE or US.")
)


def time_zone_validator(value: str) -> None:
    from .locale import is_time_zone

    if value and not is_time_zone(value):
        raise ValidationError(
            _("Use an IANA time zone name such as Europe/Berlin or America/New_York.")
        )


def declared_languages(default: str, languages: object) -> tuple[str, ...]:
    """``default`` first, then the other declared languages in their order, each once."""
    found = [default]
    for code in languages if isinstance(languages, list | tuple) else ():
        if isinstance(code, str) and code and code not in found:
            found.append(code)
    return tuple(found)


class StoreStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LIVE = "live", _("Live")
    SUSPENDED = "suspended", _("Suspended")


class Store(models.Model):
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("store name"), max_length=120)
    brand = models.CharField(_("brand"), max_length=120)
    region = models.CharField(_("region"), max_length=60)
    site = models.OneToOneField(Site, on_delete=models.PROTECT, related_name="store")
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code_validator])
    default_language = models.CharField(_("default language"), max_length=10, default="en")
    # Every language the storefront speaks, the default first (store.toml's ``languages``): the
    # default is served unprefixed (``/catalog/``), each other under its prefix (``/fr/catalog/``).
    languages = models.JSONField(_("languages"), default=list, blank=True)
    # A language served on a host of its own (store.toml's ``[store.hosts]``), unprefixed
    # there: ``{"fr": "ferrum.fr.localhost"}``. A language not named here is served under its
    # prefix on the store's own host (``site.hostname``).
    language_hosts = models.JSONField(_("language hosts"), default=dict, blank=True)
    country = models.CharField(_("country"), max_length=2, validators=[country_code_validator])
    # The IANA zone the storefront shows times in; blank: the country's main zone
    # (``tenants.locale.zone_for``).
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[time_zone_validator],
        help_text=_("An IANA time zone such as Europe/Berlin; leave blank for the country's."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=StoreStatus.choices, default=StoreStatus.DRAFT
    )
    # Where this store's orders ship from and which list prices it shows: ERP codes.
    erp_warehouse = models.CharField(_("ERP warehouse"), max_length=64, blank=True)
    erp_price_list = models.CharField(_("ERP price list"), max_length=255, blank=True)
    editors_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="editor_of_store"
    )
    collection = models.OneToOneField(Collection, on_delete=models.PROTECT, related_name="store")
    # The site template (``site_templates/<name>/``) and its version the store was launched
    # from, recorded once at registration; blank for a store registered before they were.
    template = models.CharField(_("site template"), max_length=60, blank=True)
    template_version = models.CharField(_("site template version"), max_length=40, blank=True)
    # Bumped whenever something the anonymous storefront renders changes (a publish, the
    # brand settings, an image): part of every page-cache key, so one bump invalidates every
    # cached page of this store and of no other.
    content_version = models.PositiveIntegerField(default=1)
    # A partner's sandbox of a store (``api.sandbox``): the same brand and API against the
    # reference ERP's demo data. Keys made for a sandbox work on sandbox stores only.
    sandbox = models.BooleanField(_("sandbox"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")

    def __str__(self) -> str:
        return self.name

    @property
    def all_languages(self) -> tuple[str, ...]:
        """The store's languages, its default first, each once."""
        return declared_languages(self.default_language, self.languages)

    @property
    def hostname(self) -> str:
        return self.site.hostname

    @property
    def hosts(self) -> tuple[str, ...]:
        """Every host the store answers on: its own first, then its languages' own."""
        return (self.site.hostname.lower(), *dict(self.language_hosts or {}).values())

    @property
    def base_url(self) -> str:
        """Scheme, host and port of the store (see ``storefleet.origins.public_base_url``)."""
        return public_base_url(self.site.hostname)

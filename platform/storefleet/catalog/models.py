"""Products mirrored from the ERP. Not Wagtail pages: 100k SKUs times many stores must not
become a page tree; storefront catalog pages route to these rows."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """An ERP product category, known by its name (the ERP gives names, not ids)."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    erp_id = models.PositiveIntegerField(unique=True)
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(max_length=255)
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

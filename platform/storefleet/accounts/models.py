"""Customer companies and their addresses, mirrored from the ERP's customers."""

from django.db import models


class Company(models.Model):
    erp_id = models.PositiveIntegerField(unique=True)
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    # The ERP price list this customer buys from: prices are asked of the ERP, never stored.
    price_list = models.CharField(max_length=255, blank=True)
    payment_term = models.CharField(max_length=120, blank=True)
    credit_limit = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    credit_currency = models.CharField(max_length=3, blank=True)
    active = models.BooleanField(default=True)
    erp_write_date = models.DateTimeField()
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Address(models.Model):
    erp_id = models.PositiveIntegerField(unique=True)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField(max_length=255, blank=True)
    street = models.CharField(max_length=255, blank=True)
    postal_code = models.CharField(max_length=32, blank=True)
    city = models.CharField(max_length=120, blank=True)
    country = models.CharField(max_length=2, blank=True)
    is_invoice = models.BooleanField(default=False)
    is_ship_to = models.BooleanField(default=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["company", "name"]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.name, self.street, self.city) if p)

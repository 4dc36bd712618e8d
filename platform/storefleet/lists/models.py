"""Saved lists (requisition lists): products and quantities a company's buyers keep to order
again and again. A list belongs to one company in one store; its owner sees it, and so does
every colleague once the owner shares it with the company."""

from django.conf import settings
from django.db import models

from storefleet.ordering.quick_order import MAX_QUANTITY


class SavedList(models.Model):
    store = models.ForeignKey("tenants.Store", on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    # Shared: every buyer of the company in this store may see, edit and order it; only the
    # owner renames, shares, unshares or deletes it.
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "company", "owner", "name"], name="one_list_name_per_owner"
            )
        ]
        indexes = [models.Index(fields=["store", "company", "owner"])]

    def __str__(self) -> str:
        return self.name


class SavedListLine(models.Model):
    saved_list = models.ForeignKey(SavedList, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    quantity = models.DecimalField(max_digits=16, decimal_places=4)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["saved_list", "product"], name="one_list_line_per_product"
            ),
            # The cart's bounds: a list line can always go into the cart as it is.
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="list_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__lte=MAX_QUANTITY), name="list_quantity_at_most_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of product {self.product_id}"

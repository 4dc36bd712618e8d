"""The catalog page's admin form: the assortment names products by SKU, so each SKU is checked
against the mirrored catalog, with a message that says what to fix."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm

from .types import sku_list


class CatalogPageForm(WagtailAdminPageForm):
    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        self._clean_assortment(cleaned_data)
        return cleaned_data

    def _clean_assortment(self, cleaned_data: dict[str, Any]) -> None:
        # Imported here: the selectors import the models, which name this form.
        from .models import Sells
        from .selectors import skus_in_catalog

        if "extra_skus" in cleaned_data:
            typed = sku_list(cleaned_data["extra_skus"])
            known = skus_in_catalog(typed)
            unknown = [sku for sku in typed if sku.upper() not in known]
            if unknown:
                self.add_error(
                    "extra_skus",
                    _("Not in the catalog: %(skus)s. Check these SKUs or remove them.")
                    % {"skus": ", ".join(unknown)},
                )
            else:
                cleaned_data["extra_skus"] = "\n".join(known[sku.upper()] for sku in typed)
        if (
            cleaned_data.get("sells") == Sells.ASSORTMENT
            and not cleaned_data.get("categories")
            and not cleaned_data.get("extra_skus")
            and "extra_skus" not in self.errors
        ):
            self.add_error(
                "categories",
                _(
                    "Choose the categories this store sells, or enter SKUs below, or choose "
                    "“All products”."
                ),
            )

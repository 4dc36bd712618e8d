"""The catalog page's admin form: the assortment and the product stories name products by SKU,
so each SKU is checked against the mirrored catalog, with a message that says what to fix."""

from __future__ import annotations

from typing import Any

from django.forms import ModelForm
from django.forms.formsets import DELETION_FIELD_NAME
from django.utils.translation import gettext as _

from storefleet.brand.forms import StoreWalledPageForm

from .types import sku_list


class CatalogPageForm(StoreWalledPageForm):
    """The images, documents and pages in its stories are the store's own (the wall is the
    base form's)."""

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        self._clean_assortment(cleaned_data)
        self._clean_stories()
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

    def _clean_stories(self) -> None:
        from .selectors import skus_in_catalog

        formset = self.formsets.get("stories")
        if formset is None:
            return
        stories: list[tuple[ModelForm, str]] = [
            (form, form.cleaned_data["sku"].strip())
            for form in formset.forms
            if form.is_valid()
            and not form.cleaned_data.get(DELETION_FIELD_NAME)
            and form.cleaned_data.get("sku", "").strip()
        ]
        known = skus_in_catalog(sku for _form, sku in stories)
        seen: set[str] = set()
        for form, typed in stories:
            sku = known.get(typed.upper())
            if sku is None:
                form.add_error(
                    "sku",
                    _(
                        "There is no product with the SKU “%(sku)s” in the catalog. Enter the "
                        "SKU as the product page shows it, e.g. FAS-1001."
                    )
                    % {"sku": typed},
                )
            elif sku in seen:
                form.add_error(
                    "sku",
                    _(
                        "%(sku)s has a story on this page already: one story per product. Put "
                        "this text into that story, or delete one of the two."
                    )
                    % {"sku": sku},
                )
            else:
                seen.add(sku)
                form.instance.sku = sku  # as the catalog spells it

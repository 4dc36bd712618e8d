"""Admin forms of what a brand's editors edit: every form holds the wall between brands for
the ids it is sent (``brand.walls``), in the form and in its inline forms, before anything is
saved. Models take these as their ``base_form_class``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.forms.utils import ErrorList
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.blocks import StreamValue
from wagtail.blocks.stream_block import StreamBlockValidationError

from storefleet.tenants.models import Store
from storefleet.tenants.selectors import store_for_site

from .walls import choosers_show_only, reference_scope, references_in, store_owning_page


def _forms_of(form: forms.BaseForm) -> Iterator[forms.BaseForm]:
    """The form and its inline forms (product stories), at every depth, except those the
    editor is deleting."""
    yield form
    for formset in getattr(form, "formsets", {}).values():
        for child in formset.forms:
            if formset.can_delete and formset._should_delete_form(child):
                continue
            yield from _forms_of(child)


class StoreWalledFormMixin:
    """Refuses a form that refers to another store's image, document, page or collection,
    with an error on the field that does, so that nothing of it is saved."""

    for_user: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            choosers_show_only(reference_scope(user=self.for_user, stores=self.wall_stores()))

    def wall_stores(self) -> Iterable[Store] | None:
        """The stores whose objects this form may refer to; ``None``: any store the user edits."""
        return None

    def is_valid(self) -> bool:
        valid = super().is_valid()  # type: ignore[misc]
        if not getattr(self, "_walls_checked", False):
            self._walls_checked = True
            valid = self._walls_hold() and valid
        return valid

    def _walls_hold(self) -> bool:
        scope = reference_scope(user=self.for_user, stores=self.wall_stores())
        if scope is None:
            return True
        holds = True
        for form in _forms_of(self):  # type: ignore[arg-type]
            refusals: dict[str, list[str]] = {}
            for name, value in list(getattr(form, "cleaned_data", {}).items()):
                for reference in references_in(name, value):
                    refusal = scope.refusal(reference)
                    if refusal is None:
                        continue
                    text = f"{refusal} ({reference.where})" if reference.where else refusal
                    if text not in refusals.setdefault(name, []):
                        refusals[name].append(text)
            for name, messages in refusals.items():
                holds = False
                if isinstance(form.cleaned_data.get(name), StreamValue):
                    # The StreamField widget shows errors of its own kind only.
                    form.add_error(
                        name, StreamBlockValidationError(non_block_errors=ErrorList(messages))
                    )
                else:
                    form.add_error(name, messages)
        return holds


class StoreWalledModelForm(StoreWalledFormMixin, WagtailAdminModelForm):
    """A store's settings (brand, navigation): the store is the setting's site's."""

    def wall_stores(self) -> Iterable[Store] | None:
        site_id = getattr(self.instance, "site_id", None)
        store = store_for_site(site_id) if site_id else None
        return [store] if store else None


class StoreWalledPageForm(StoreWalledFormMixin, WagtailAdminPageForm):
    """A store's page: the store is the one whose tree, in any of its languages, holds the page
    (or its new parent)."""

    def wall_stores(self) -> Iterable[Store] | None:
        page = self.instance if self.instance.pk else self.parent_page
        store = store_owning_page(getattr(page, "path", None))
        return [store] if store else None

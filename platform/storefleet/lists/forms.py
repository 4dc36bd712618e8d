"""Forms of saved lists: they parse input; services decide."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from storefleet.ordering.forms import NUL, AddToCartForm, LineQuantityForm

__all__ = ["AddToListForm", "LineQuantityForm", "ListForm", "line_ids_chosen"]

NAME_ERRORS = {
    "required": _("Give the list a name, such as “Monthly restock”."),
    "max_length": _("A list's name has at most 80 characters: shorten it."),
    NUL: _("The name has invisible characters in it: type it again."),
}


class ListForm(forms.Form):
    name = forms.CharField(max_length=80, error_messages=NAME_ERRORS)
    shared = forms.BooleanField(required=False, label=_("Share with my company"))

    def first_error(self) -> str:
        for errors in self.errors.values():
            return str(errors[0])
        return str(NAME_ERRORS["required"])


class AddToListForm(AddToCartForm):
    """A product and quantity for a list: an existing list of the buyer's (``list``: its id)
    or a new one (``list`` = "new", named ``name``)."""

    list = forms.CharField(
        max_length=20, error_messages={"required": "Choose a list, or make a new one."}
    )
    name = forms.CharField(required=False, max_length=80, error_messages=NAME_ERRORS)

    def clean_list(self) -> int | None:
        value = self.cleaned_data["list"].strip()
        if value == "new":
            return None
        if not value.isdigit():
            raise forms.ValidationError(_("Choose one of your lists, or make a new one."))
        return int(value)

    def first_error(self) -> str:
        for field in ("list", "name"):
            if field in self.errors:
                return str(self.errors[field][0])
        return super().first_error()


MAX_CHOSEN = 500


def line_ids_chosen(data: QueryDict) -> list[int] | None:
    """The list lines ticked on the form (``line``), or None for a malformed choice."""
    values = data.getlist("line")
    if len(values) > MAX_CHOSEN or not all(v.isdigit() and len(v) <= 18 for v in values):
        return None
    return [int(v) for v in values]

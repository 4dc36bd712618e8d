"""The form a lead form page shows: who is asking (always), the editor's own questions, and a
honeypot field people never see and bots fill in."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.forms.forms import FormBuilder

# A field hidden from people (CSS, aria-hidden, out of the tab order): a submission that fills
# it in is a bot's.
HONEYPOT = "homepage"
LEAD_FIELDS = ("name", "email", "company", "phone", "message")
# Wagtail's multi-line field has no limit: a form is no place for megabytes.
MULTILINE_MAX = 5000


def _lead_fields() -> OrderedDict[str, forms.Field]:
    return OrderedDict(
        name=forms.CharField(label=_("Your name"), max_length=200),
        email=forms.EmailField(label=_("E-mail"), max_length=254),
        company=forms.CharField(label=_("Company"), max_length=200, required=False),
        phone=forms.CharField(label=_("Phone"), max_length=50, required=False),
        message=forms.CharField(
            label=_("Message"), max_length=MULTILINE_MAX, required=False, widget=forms.Textarea
        ),
    )


class LeadFormBuilder(FormBuilder):
    """Wagtail's form builder, with the lead's own fields first and the honeypot last. An
    editor's question named like one of those is left out (theirs would be asked twice)."""

    def create_multiline_field(self, field: Any, options: dict[str, Any]) -> forms.Field:
        options["max_length"] = MULTILINE_MAX
        return super().create_multiline_field(field, options)

    @property
    def formfields(self) -> OrderedDict[str, forms.Field]:
        own = _lead_fields()
        fields: OrderedDict[str, forms.Field] = OrderedDict(own)
        for name, field in super().formfields.items():
            if name not in own and name != HONEYPOT:
                fields[name] = field
        fields[HONEYPOT] = forms.CharField(
            label=_("Leave this field empty"),
            required=False,
            max_length=200,
            widget=forms.TextInput(
                attrs={"autocomplete": "off", "tabindex": "-1", "class": "form-honeypot__input"}
            ),
        )
        return fields

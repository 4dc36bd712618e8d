"""Forms of the cart, quick order and checkout: they parse input; services decide."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from storefleet.accounts.models import Address

from .checkout import new_submit_token, one_year_after
from .quick_order import MAX_CSV_BYTES, MAX_ROWS, parse_quantity, sku_problem

# 500 lines of a SKU and a quantity, with room to spare; more is not an order.
MAX_LINES_TEXT = 100_000
ENTER_A_QUANTITY = "Enter a quantity of more than 0, such as 10 or 2.5."
# Django's own words for a NUL character ("Null characters are not allowed.") don't say what
# to do; each field says it in its terms.
NUL = "null_characters_not_allowed"


class QuantityField(forms.CharField):
    """A cart line's quantity as the buyer types it (a decimal comma is fine), checked against
    the one rule of what a line may hold (``quick_order.quantity_problem``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "error_messages",
            {"required": ENTER_A_QUANTITY, NUL: "Enter the quantity as a number, such as 10."},
        )
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        quantity, error = parse_quantity(text)
        if quantity is None:
            raise forms.ValidationError(error)
        return quantity


class AddToCartForm(forms.Form):
    # No max_length: a too-long SKU gets sku_problem's message, which says what a SKU is.
    sku = forms.CharField(
        error_messages={
            "required": "Choose a product (its SKU is missing).",
            NUL: "That SKU has invisible characters in it: type it again, e.g. FAS-1001.",
        }
    )
    quantity = QuantityField()
    # Where to go back to: never a reason to refuse the add (views._back ignores a bad one).
    next = forms.CharField(required=False)

    def clean_sku(self):
        sku = self.cleaned_data["sku"]
        problem = sku_problem(sku)
        if problem:
            raise forms.ValidationError(problem)
        return sku

    def first_error(self) -> str:
        """The one message to flash: the SKU's problem first, then the quantity's."""
        for field in ("sku", "quantity"):
            if field in self.errors:
                return str(self.errors[field][0])
        return ENTER_A_QUANTITY


class LineQuantityForm(forms.Form):
    """A cart line's new quantity; 0 removes the line."""

    quantity = forms.CharField(
        error_messages={
            "required": ENTER_A_QUANTITY,
            NUL: "Enter the quantity as a number, such as 10.",
        }
    )

    def clean_quantity(self) -> Decimal:
        text = self.cleaned_data["quantity"]
        with contextlib.suppress(InvalidOperation, ValueError):
            if len(text) <= 40 and Decimal(text.strip().replace(",", ".")) == 0:
                return Decimal(0)
        quantity, error = parse_quantity(text)
        if quantity is None:
            raise forms.ValidationError(error)
        return quantity


class QuickOrderForm(forms.Form):
    lines = forms.CharField(
        label=_("Lines"),
        required=False,
        max_length=MAX_LINES_TEXT,
        error_messages={
            "max_length": f"That is more than quick order takes at once: enter at most "
            f"{MAX_ROWS} lines, then the rest.",
            NUL: "The text has invisible control characters in it: paste it as plain text, "
            "one SKU and quantity per line.",
        },
        widget=forms.Textarea(
            attrs={"rows": 8, "placeholder": "BRG-1002 10\nFAS-1003 250", "spellcheck": "false"}
        ),
        help_text=format_lazy(
            _("One product per line: the SKU, then the quantity; at most {max} lines."),
            max=MAX_ROWS,
        ),
    )
    csv = forms.FileField(
        required=False,
        label=_("Or upload a CSV file"),
        help_text=format_lazy(
            _(
                "Columns “sku” and “quantity” (or SKU and quantity as the first two columns), "
                "comma, semicolon or tab separated; UTF-8, UTF-16 or Latin-1 (Windows-1252); "
                "any line endings; at most {max} rows and 1 MB."
            ),
            max=MAX_ROWS,
        ),
        error_messages={
            "empty": "The file is empty: add one row per product with its SKU and quantity.",
            "invalid": "Choose a CSV file to upload.",
        },
    )

    def clean_csv(self):
        upload = self.cleaned_data.get("csv")
        if upload and upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 1 MB: split it into files of at most %(n)d rows.")
                % {"n": MAX_ROWS}
            )
        return upload

    def clean(self):
        data = super().clean() or {}
        if not (data.get("lines") or "").strip() and not data.get("csv") and not self.errors:
            raise forms.ValidationError(_("Type SKUs and quantities, or choose a CSV file."))
        return data


FORM_CHANGED_MESSAGE = _(
    "This checkout form was changed or has expired, so we did not place the order. Check your "
    "order below and press “Place order” again."
)


SHIP_TO_ERRORS = {
    "required": "Choose one of your company's ship-to addresses.",
    "invalid_choice": "Choose one of your company's ship-to addresses.",
    NUL: "Choose one of your company's ship-to addresses.",
}


class ShipToField(forms.ModelChoiceField):
    """A ship-to address by id. Django checks a submitted id for NUL characters with a
    validator of its own words, past the field's messages; this one says what to choose."""

    def validate_no_null_characters(self, value: object) -> None:
        if "\x00" in str(value):
            raise forms.ValidationError(self.error_messages[NUL], code=NUL)


class CheckoutForm(forms.Form):
    # The token checkout.new_submit_token makes (URL-safe base64), or what tests and API
    # clients choose in the same alphabet; anything else was not made by us.
    submit_token = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        validators=[RegexValidator(r"\A[A-Za-z0-9_-]+\Z", message=FORM_CHANGED_MESSAGE)],
        error_messages={"required": FORM_CHANGED_MESSAGE},
    )
    ship_to = ShipToField(
        queryset=Address.objects.none(),
        empty_label=None,
        label=_("Ship to"),
        error_messages=SHIP_TO_ERRORS,
    )
    requested_delivery_date = forms.DateField(
        required=False,
        label=_("Requested delivery date"),
        input_formats=["%Y-%m-%d"],
        error_messages={
            "invalid": _(
                "Enter a date that exists, as YYYY-MM-DD (for example 2027-03-31), or "
                "leave it empty for the earliest date."
            )
        },
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for the earliest date."),
    )
    po_number = forms.CharField(
        required=False,
        max_length=35,
        label=_("Your PO number"),
        error_messages={
            "max_length": _("A PO number has at most 35 characters: shorten it."),
            NUL: _("The PO number has invisible characters in it: type it again."),
        },
    )
    notes = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Notes"),
        error_messages={
            "max_length": _("Keep the notes under 1,000 characters."),
            NUL: _("The notes have invisible characters in them: type them again."),
        },
    )

    # The prices the page showed, signed (checkout.seen_prices_sign); read by the service.
    seen_prices = forms.CharField(required=False, max_length=100_000, widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        addresses: Iterable[Address],
        line_ids: Iterable[int],
        cost_centres: Sequence[tuple[str, str]] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if cost_centres:  # the company charges every order to one of its cost centres
            self.fields["cost_centre"] = forms.ChoiceField(
                label=_("Cost centre"),
                choices=[("", _("Choose a cost centre")), *cost_centres],
                error_messages={
                    "required": _("Choose the cost centre this order is charged to."),
                    "invalid_choice": _("Choose one of your company's cost centres."),
                },
            )
        queryset = Address.objects.filter(id__in=[a.id for a in addresses])
        self.fields["ship_to"].queryset = queryset  # type: ignore[attr-defined]
        self.line_ids = list(line_ids)
        for line_id in self.line_ids:
            self.fields[f"ship_to_{line_id}"] = ShipToField(
                queryset=queryset,
                required=False,
                empty_label=_("Same as the order"),
                label=_("Ship to"),
                error_messages=SHIP_TO_ERRORS,
            )
        today = timezone.localdate()
        self.fields["requested_delivery_date"].widget.attrs["min"] = today.isoformat()
        self.fields["requested_delivery_date"].widget.attrs["max"] = one_year_after(today)

    def clean_requested_delivery_date(self) -> datetime.date | None:
        date = self.cleaned_data.get("requested_delivery_date")
        today = timezone.localdate()
        if date and date < today:
            raise forms.ValidationError(_("This date is in the past: choose today or a later day."))
        if date and date > one_year_after(today):
            raise forms.ValidationError(
                _("We take orders for delivery within a year: choose an earlier date.")
            )
        return date

    def submit_token_refused(self) -> bool:
        """The hidden token was tampered with or lost: say so (a hidden field's error would
        not show) and carry a fresh token, so the next press places the order once."""
        if "seen_prices" in self.errors:  # a hidden field too: its error would not show
            del self.errors["seen_prices"]
            self.add_error(None, FORM_CHANGED_MESSAGE)
        if "submit_token" not in self.errors:
            return False
        del self.errors["submit_token"]
        self.add_error(None, FORM_CHANGED_MESSAGE)
        data = dict(self.data.items())  # a QueryDict is immutable: the re-rendered form's copy
        data["submit_token"] = new_submit_token()
        self.data = data
        return True

    def line_fields(self):
        return [(line_id, self[f"ship_to_{line_id}"]) for line_id in self.line_ids]

    def line_ship_to(self) -> dict[int, int]:
        return {
            line_id: address.id
            for line_id in self.line_ids
            if (address := self.cleaned_data.get(f"ship_to_{line_id}")) is not None
        }

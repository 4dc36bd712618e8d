"""The quote request form: it parses what the buyer typed; ``services`` decides."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import MAX_LINES, MAX_QUANTITY
from .negotiation import MAX_COMMENT, LineAnswer, QuoteAnswerInput
from .services import MAX_MESSAGE, WantedLine

MAX_NUMBER_TEXT = 40
MAX_NOTE = 500
SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


class QuoteRequestForm(forms.Form):
    token = forms.RegexField(
        regex=r"^[0-9a-f]{32}$",
        error_messages={
            "required": gettext_lazy("This form is out of date. Reload the page and try again."),
            "invalid": gettext_lazy("This form is out of date. Reload the page and try again."),
        },
    )
    requested_date = forms.DateField(
        required=False,
        error_messages={"invalid": gettext_lazy("Enter the date as YYYY-MM-DD, e.g. 2027-03-31.")},
    )
    message = forms.CharField(
        required=False,
        max_length=MAX_MESSAGE,
        strip=True,
        error_messages={
            "null_characters_not_allowed": gettext_lazy(
                "The message has invisible characters in it: type it again."
            )
        },
    )
    ship_to = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={"invalid": gettext_lazy("Choose one of your company's ship-to addresses.")},
    )


class CommentForm(forms.Form):
    """A buyer's comment on a quote (what to revise, why it is declined)."""

    comment = forms.CharField(
        required=False,
        max_length=MAX_COMMENT,
        strip=True,
        error_messages={
            "max_length": gettext_lazy("Keep the comment under %(limit_value)s characters."),
            "null_characters_not_allowed": gettext_lazy(
                "The comment has invisible characters in it: type it again."
            ),
        },
    )


def _number(text: str) -> Decimal | None:
    cleaned = text.strip().replace(" ", "").replace(",", ".")
    if not cleaned or len(cleaned) > MAX_NUMBER_TEXT:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value.as_tuple().exponent < -4:  # type: ignore[operator]
        return None
    return value


def parse_lines(data: QueryDict) -> tuple[list[WantedLine], list[str]]:
    """The request's lines from the form's parallel columns (``sku``, ``quantity``,
    ``target_price``, ``note``); a row without a SKU is skipped. Every problem is named with
    its row, so the buyer can fix them all at once."""
    columns = {name: data.getlist(name) for name in ("sku", "quantity", "target_price", "note")}
    rows = max((len(values) for values in columns.values()), default=0)
    if rows > MAX_LINES * 2:
        return [], [_("This form has too many rows. Reload the page and try again.")]
    lines: list[WantedLine] = []
    errors: list[str] = []

    def cell(name: str, index: int) -> str:
        values = columns[name]
        return values[index] if index < len(values) else ""

    for index in range(rows):
        sku = cell("sku", index).strip().upper()
        row = index + 1
        if not sku:
            continue
        if not SKU.match(sku):
            errors.append(
                _("Row %(row)s: that is not a SKU; SKUs look like FAS-1001.") % {"row": row}
            )
            continue
        quantity = _number(cell("quantity", index))
        if quantity is None or quantity <= 0 or quantity > MAX_QUANTITY:
            errors.append(
                _("Row %(row)s: enter a quantity of more than 0, such as 10 or 2.5.") % {"row": row}
            )
            continue
        target_text = cell("target_price", index).strip()
        target = None
        if target_text:
            target = _number(target_text)
            if target is None or target < 0 or target >= MAX_QUANTITY:
                errors.append(
                    _(
                        "Row %(row)s: enter the target price as a number, such as 12.50, "
                        "or leave it empty."
                    )
                    % {"row": row}
                )
                continue
        note = cell("note", index).strip()
        if len(note) > MAX_NOTE or "\x00" in note:
            errors.append(
                _("Row %(row)s: keep the note under %(count)s characters.")
                % {"row": row, "count": MAX_NOTE}
            )
            continue
        lines.append(WantedLine(sku=sku, quantity=quantity, target_price=target, note=note))
    return lines, errors


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text.strip()[:10]) if text.strip() else None
    except ValueError:
        return None


def parse_answer(
    data: QueryDict, *, line_ids: list[int]
) -> tuple[QuoteAnswerInput | None, list[str]]:
    """An agent's answer from the console's form: ``quantity_<line>`` and ``price_<line>`` for
    each line of the version answered (the lines are the quote's, never the form's),
    ``valid_until``, ``message`` and ``base_version``. Every problem is named (the console
    speaks English)."""
    errors: list[str] = []
    base = data.get("base_version", "")
    if not base.isdigit() or len(base) > 6:
        errors.append("This form is out of date: reload the page and answer again.")
    lines = []
    for position, line_id in enumerate(line_ids, start=1):
        quantity = _number(data.get(f"quantity_{line_id}", ""))
        price = _number(data.get(f"price_{line_id}", ""))
        if quantity is None or quantity <= 0 or quantity > MAX_QUANTITY:
            errors.append(f"Line {position}: enter a quantity of more than 0, such as 10 or 2.5.")
        if price is None or price < 0 or price >= MAX_QUANTITY:
            errors.append(f"Line {position}: enter a unit price of 0 or more, such as 12.50.")
        if quantity is not None and price is not None:
            lines.append(LineAnswer(line_id=line_id, quantity=quantity, unit_price=price))
    valid_until = _date(data.get("valid_until", ""))
    if valid_until is None:
        errors.append("Enter the date the quote is valid until as YYYY-MM-DD, e.g. 2027-03-31.")
    message = data.get("message", "").strip()
    if len(message) > MAX_COMMENT or "\x00" in message:
        errors.append(f"Keep the message under {MAX_COMMENT} characters, in plain text.")
    if errors or valid_until is None:
        return None, errors
    return (
        QuoteAnswerInput(
            base_version=int(base), lines=tuple(lines), valid_until=valid_until, message=message
        ),
        [],
    )

"""Chooser fields that survive a posted id which is no id.

Wagtail 8.0's chooser widgets (the logo field's, every image, document and page chooser) and
chooser blocks (in StreamFields) look a posted value up with ``objects.get(pk=value)`` and
expect only ``DoesNotExist``: ``logo=abc`` or ``page=1 OR 1=1`` raised ``ValueError`` and the
admin answered 500, before any validation ran; a page link in rich text with such an id did
the same when the refused form was shown again. Here a value that is not a possible id is
treated as what it is: in a block it stays the raw value, so the block's own validation refuses
it ("Select a valid choice"); in a widget re-rendering a refused form it shows as nothing
chosen. One place for every chooser, present and future, until Wagtail handles it itself.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from wagtail.admin.rich_text.converters.html_to_contentstate import PageLinkElementHandler
from wagtail.admin.widgets.chooser import BaseChooser
from wagtail.blocks.field_block import ChooserBlock

_LOOKUP_ERRORS = (ValueError, TypeError, OverflowError, ValidationError)


def _widget_get_instance(self: BaseChooser, value: Any) -> Any:
    try:
        return _original_get_instance(self, value)
    except _LOOKUP_ERRORS:
        return None


def _block_value_from_form(self: ChooserBlock, value: Any) -> Any:
    try:
        return _original_value_from_form(self, value)
    except _LOOKUP_ERRORS:
        return value  # refused by ChooserBlock.clean, as any unknown id is


def _page_link_data(self: PageLinkElementHandler, attrs: dict[str, Any]) -> dict[str, Any]:
    try:
        return _original_page_link_data(self, attrs)
    except _LOOKUP_ERRORS:
        return {}  # a link to nothing, as Wagtail shows a document link with a junk id


_original_get_instance = BaseChooser.get_instance
_original_value_from_form = ChooserBlock.value_from_form
_original_page_link_data = PageLinkElementHandler.get_attribute_data


def chooser_ids_tolerated() -> None:
    """Install the tolerant look-ups (once, at start-up)."""
    BaseChooser.get_instance = _widget_get_instance
    ChooserBlock.value_from_form = _block_value_from_form
    PageLinkElementHandler.get_attribute_data = _page_link_data

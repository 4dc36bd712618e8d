"""Chooser fields that survive a posted id which is no id.

Wagtail 8.0's chooser widgets (the logo field's, every image, document and page chooser) and
chooser blocks (in StreamFields) look a posted value up with ``objects.get(pk=value)`` and
expect only ``DoesNotExist``: ``logo=abc`` or ``page=1 OR 1=1`` raised ``ValueError`` and the
admin answered 500, before any validation ran; a page link in rich text with such an id did
the same when the refused form was shown again. Here a value that is not a possible id is
treated as Wagtail treats an id of nothing: as nothing chosen (a required chooser then says
"This field is required"; a form field refuses it as "Select a valid choice").

Choosers also show only what the editor's form may refer to (``walls.may_show``): a refused
form shown again, or a page saved before the wall, shows no other brand's title, thumbnail or
link. One place for every chooser, present and future.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.signals import request_finished, request_started
from wagtail.admin.rich_text.converters.html_to_contentstate import PageLinkElementHandler
from wagtail.admin.widgets.chooser import BaseChooser
from wagtail.blocks.field_block import ChooserBlock
from wagtail.documents import get_document_model
from wagtail.documents.rich_text.contentstate import DocumentLinkElementHandler
from wagtail.models import Page

from .walls import choosers_show_all, may_show

_LOOKUP_ERRORS = (ValueError, TypeError, OverflowError, ValidationError)


def _widget_get_instance(self: BaseChooser, value: Any) -> Any:
    try:
        instance = _original_get_instance(self, value)
    except _LOOKUP_ERRORS:
        return None
    if instance is not None and not may_show(type(instance), instance.pk):
        return None
    return instance


def _block_value_from_form(self: ChooserBlock, value: Any) -> Any:
    try:
        return _original_value_from_form(self, value)
    except _LOOKUP_ERRORS:
        return None


def _page_link_data(self: PageLinkElementHandler, attrs: dict[str, Any]) -> dict[str, Any]:
    try:
        data = _original_page_link_data(self, attrs)
    except _LOOKUP_ERRORS:
        return {}  # a link to nothing, as Wagtail shows a document link with a junk id
    return data if may_show(Page, data.get("id")) else {}


def _document_link_data(self: DocumentLinkElementHandler, attrs: dict[str, Any]) -> dict[str, Any]:
    data = _original_document_link_data(self, attrs)
    return data if may_show(get_document_model(), data.get("id")) else {}


_original_get_instance = BaseChooser.get_instance
_original_value_from_form = ChooserBlock.value_from_form
_original_page_link_data = PageLinkElementHandler.get_attribute_data
_original_document_link_data = DocumentLinkElementHandler.get_attribute_data


def choosers_install() -> None:
    """Install the tolerant, walled look-ups, and forget a form's wall when its request
    ends (once, at start-up)."""
    request_started.connect(choosers_show_all, dispatch_uid="storefleet_choosers_started")
    request_finished.connect(choosers_show_all, dispatch_uid="storefleet_choosers_finished")
    BaseChooser.get_instance = _widget_get_instance
    ChooserBlock.value_from_form = _block_value_from_form
    PageLinkElementHandler.get_attribute_data = _page_link_data
    DocumentLinkElementHandler.get_attribute_data = _document_link_data

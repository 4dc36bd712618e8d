"""The one error type services raise for problems a user can cause and fix, and the answer to
form posts whose structure was tampered with."""

import logging
import traceback

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """A user-caused problem; ``message`` says what to do, ``field`` names the input at fault."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


# Where a malformed form post surfaces as an exception rather than a form error: Wagtail's
# blocks and Django's widgets and formsets read their sub-fields by key and count.
_FORM_READERS = frozenset({"value_from_datadict", "management_form", "total_form_count"})
TAMPERED_FORM_MESSAGE = (
    "This form arrived incomplete or changed (a part of it was missing or not what the page "
    "sent), so nothing was saved. Reload the page and make your changes again."
)


class MalformedFormMiddleware:
    """A POST whose structure was tampered with (a block count that is no number, a sub-field
    left out) makes Wagtail's and Django's form readers raise instead of report: answer 400 with
    what to do, not a server error. Only exceptions raised while a form reads its data are
    caught, so a real defect elsewhere still fails loudly."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.http import HttpResponse

        if request.method != "POST" or not isinstance(exception, (KeyError, ValueError)):
            return None
        frames = {frame.f_code.co_name for frame, _ in traceback.walk_tb(exception.__traceback__)}
        if not frames & _FORM_READERS:
            return None
        logger.warning("malformed form post to %s: %r", request.path, exception)
        return HttpResponse(
            f"<!doctype html><title>Form not saved</title><p>{TAMPERED_FORM_MESSAGE}</p>",
            status=400,
        )

"""Quotes in the service console: the open quote requests of the stores an agent serves
(revision requests first) and one quote, with its versions, its timeline and the answer form
(per line a price and a quantity, a message, a validity). A quote of a store the agent does
not serve answers 404, as a missing one does; the answer goes into the ERP quotation through
the outbox, and the buyer sees it once the ERP holds it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from storefleet.errors import ApplicationError
from storefleet.quotes import negotiation
from storefleet.quotes import selectors as quote_selectors
from storefleet.quotes.attachments import attachment_response
from storefleet.quotes.forms import parse_answer
from storefleet.quotes.models import ErpWrite, EventKind, QuoteState

from . import selectors

QUOTES_SHOWN = 100


def _agent(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not selectors.is_agent(user):
        raise PermissionDenied
    return user


def _store_ids(user: User) -> list[int]:
    return list(selectors.agent_stores(user).values_list("id", flat=True))


@require_GET
def quote_list(request: HttpRequest) -> HttpResponse:
    agent = _agent(request)
    show_all = request.GET.get("show") == "all"
    quotes = quote_selectors.agent_quotes(store_ids=_store_ids(agent), open_only=not show_all)
    return TemplateResponse(
        request,
        "service/quotes.html",
        {
            "quotes": quotes[:QUOTES_SHOWN],
            "show_all": show_all,
            "stores": selectors.agent_stores(agent),
        },
    )


@require_http_methods(["GET", "POST"])
def quote_detail(request: HttpRequest, quote_id: int) -> HttpResponse:
    agent = _agent(request)
    store_ids = _store_ids(agent)
    view = negotiation.agent_quote_open(store_ids=store_ids, quote_id=quote_id)
    if view is None or view.quote is None:
        raise Http404("No such quote in the stores you serve.")
    base = next((v for v in reversed(view.versions) if v.version.erp_write == ErpWrite.DONE), None)
    errors: list[str] = []
    if request.method == "POST":
        if base is None:
            errors.append("This quote has no version in the ERP yet: wait for it, then answer.")
        else:
            line_ids = [line.erp_line_id for line in base.version.lines.all()]
            answer, errors = parse_answer(request.POST, line_ids=line_ids)
            if answer is not None:
                try:
                    version = negotiation.quote_answer(agent=agent, quote=view.quote, answer=answer)
                except ApplicationError as error:
                    errors.append(error.message)
                else:
                    messages.success(
                        request,
                        f"Version {version.number} is on its way to the ERP; the buyer sees it "
                        "and is e-mailed once the ERP holds it.",
                    )
                    return HttpResponseRedirect(reverse("service_quote", args=[view.quote.id]))
    return TemplateResponse(
        request,
        "service/quote.html",
        {
            "view": view,
            "quote": view.quote,
            "base": base,
            "errors": errors,
            "values": request.POST if request.method == "POST" else None,
            "answerable": view.quote.state in negotiation.ANSWERABLE and base is not None,
            # What the buyer asked for last, while the quote waits for the answer to it.
            "revision": next(
                (e for e in reversed(view.events) if e.kind == EventKind.REVISION_REQUESTED),
                None,
            )
            if view.quote.state == QuoteState.REVISION
            else None,
            "max_comment": negotiation.MAX_COMMENT,
            "attachment": quote_selectors.attachment_of(view.quote),
        },
        status=400 if errors else 200,
    )


@require_GET
def quote_attachment(request: HttpRequest, quote_id: int) -> HttpResponse:
    """The file the buyer attached to a quote of a store the agent serves, as a download."""
    agent = _agent(request)
    attachment = quote_selectors.agent_quote_attachment(
        store_ids=_store_ids(agent), quote_id=quote_id
    )
    if attachment is None:
        raise Http404("No such attachment in the stores you serve.")
    return attachment_response(attachment)

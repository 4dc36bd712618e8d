"""The storefront side of a lead form page: show it, take a submission in, refuse what is
hostile with a message that says what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from storefleet.errors import ApplicationError

from . import services

if TYPE_CHECKING:
    from .models import LeadFormPage


def _client_address(request: HttpRequest) -> str | None:
    from storefleet.accounts.throttle import client_address

    return client_address(request)


def lead_form_serve(request: HttpRequest, page: LeadFormPage) -> HttpResponse:
    """GET: the form. POST: a valid submission is taken in (``services.lead_submit``) and
    thanked for; an invalid one is shown again with what to fix (400), one from an address
    that sent too much lately with when to try again (429). Never kept by the page caches:
    the form carries the visitor's own CSRF token."""
    store = getattr(request, "store", None)
    status = 200
    if request.method == "POST":
        form = page.get_form(request.POST, page=page, user=request.user)
        if store is None:
            form.add_error(None, _("This form takes messages on the store's own address."))
            status = 400
        elif form.is_valid():
            try:
                lead = services.lead_submit(
                    store=store,
                    page=page,
                    data=form.cleaned_data,
                    address=_client_address(request),
                    language=get_language() or "",
                )
            except ApplicationError as refusal:
                form.add_error(None, refusal.message)
                status = 429 if refusal.code == "rate_limited" else 400
            else:
                response = page.render_landing_page(request, lead)
                patch_cache_control(response, private=True, no_store=True)
                return response
        else:
            status = 400
    else:
        form = page.get_form(page=page, user=request.user)
    context = page.get_context(request)
    context["form"] = form
    response = TemplateResponse(request, page.get_template(request), context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response

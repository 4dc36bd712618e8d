"""The translation screens in the Wagtail admin: the report per store and language, what
changed in a translation's source since it was last synced, and Wagtail's Translate screen
narrowed to the languages of the page's store that the editor works in.

Another brand's page, another language's, or an id that is no page gets the same refusal with
what to do, never an error page; nothing is written then."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.contrib.simple_translation.forms import SubmitTranslationForm
from wagtail.contrib.simple_translation.views import (
    SubmitPageTranslationView,
    SubmitTranslationView,
)
from wagtail.models import Locale, Page

from storefleet.errors import ApplicationError

from . import selectors, services


def _int(value: str | None) -> int | None:
    # ASCII digits and few of them: anything else is "no such thing", never an error page.
    if value and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def _refuse(request: HttpRequest, message: str | Promise) -> HttpResponse:
    messages.error(request, str(message))
    return redirect("translations_report")


NOT_YOURS = gettext_lazy(
    "You may translate only pages of your own store, into the store's languages you work in. "
    "Pick a page in the Translations report."
)


def translation_report(request: HttpRequest) -> HttpResponse:
    choices = selectors.report_choices(user=request.user)
    store_id = _int(request.GET.get("store"))
    language = request.GET.get("language", "")
    report = None
    if "store" not in request.GET and choices:
        store_id, language = choices[0][0].pk, choices[0][1][0]
    store = next((store for store, _languages in choices if store.pk == store_id), None)
    if store is not None:
        report = selectors.translation_report(user=request.user, store=store, language=language)
    elif request.GET.get("store"):
        messages.error(request, NOT_YOURS)
    return render(
        request,
        "translations/report.html",
        {"choices": choices, "report": report, "store_id": store_id, "language": language},
    )


def translation_changes(request: HttpRequest, page_id: int) -> HttpResponse:
    if request.method == "POST":
        try:
            if request.POST.get("action") == "copy":
                services.translation_block_copy(
                    user=request.user,
                    translation_id=page_id,
                    field=request.POST.get("field", "")[:100],
                    block_id=request.POST.get("block", "")[:100],
                    revision_id=_int(request.POST.get("revision")),
                )
                messages.success(request, _("The source's block was copied into a new draft."))
            else:
                services.translation_mark_synced(
                    user=request.user,
                    translation_id=page_id,
                    revision_id=_int(request.POST.get("revision")),
                )
                messages.success(request, _("Marked as synced with the source."))
        except ApplicationError as error:
            if error.code == "not_found":
                return _refuse(request, error.message)
            messages.error(request, error.message)
        return redirect("translations_changes", page_id=page_id)
    changes = selectors.source_changes(user=request.user, translation_id=page_id, request=request)
    if changes is None:
        return _refuse(request, NOT_YOURS)
    return render(request, "translations/changes.html", {"changes": changes})


class StoreSubmitPageTranslationView(SubmitPageTranslationView):
    """Wagtail's Translate screen, offering (and accepting) only the languages of the page's
    store that the editor may edit; a translator may start a translation from the source page
    they may not edit themselves."""

    allowed: list[Locale]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        page = Page.objects.filter(pk=kwargs["page_id"]).first()
        if page is None or page.depth <= 1:
            return _refuse(request, NOT_YOURS)
        page = page.specific
        self.allowed = selectors.translation_locales(user=request.user, page=page)
        if not request.user.has_perm("simple_translation.submit_translation") or not (
            self.allowed or page.permissions_for_user(request.user).can_edit()
        ):
            return _refuse(request, NOT_YOURS)
        self.object = page
        # Past Wagtail's own checks (it asks for the right to edit the source page).
        return super(SubmitTranslationView, self).dispatch(request, *args, **kwargs)

    def get_object(self, queryset: Any = None) -> Page:
        return self.object

    def get_form(self) -> SubmitTranslationForm:
        form = super().get_form()
        form.fields["locales"].queryset = Locale.objects.filter(
            pk__in=[locale.pk for locale in self.allowed]
        )
        form.show_submit = bool(self.allowed)
        return form

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if not self.get_form().is_valid():
            offered = ", ".join(locale.get_display_name() for locale in self.allowed)
            messages.error(
                request,
                _("Pick one of the languages offered: %(languages)s.") % {"languages": offered}
                if offered
                else NOT_YOURS,
            )
            return self.render_to_response(self.get_context_data(**kwargs))
        return super().post(request, **kwargs)

    def get_success_url(self, translated_page: Page | None = None) -> str:
        if translated_page:
            return reverse("wagtailadmin_pages:edit", args=[translated_page.id])
        return reverse("translations_report")

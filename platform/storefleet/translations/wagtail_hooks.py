from typing import Any

from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode
from django.utils.translation import get_language_info
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from storefleet.admin_home import WorkItem, WorkPanel

from . import admin_views
from .selectors import TranslationState, report_choices, translation_report, translation_stores


def language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name"])
    except KeyError:
        return code


@hooks.register("register_admin_urls")
def register_translation_urls() -> list[URLPattern]:
    return [
        path("translations/", admin_views.translation_report, name="translations_report"),
        path(
            "translations/<int:page_id>/changes/",
            admin_views.translation_changes,
            name="translations_changes",
        ),
        # Wagtail's own Translate URL (simple_translation's), answered here first: this app
        # comes before it in INSTALLED_APPS, so these URL patterns do too.
        path(
            "translation/submit/page/<int:page_id>/",
            admin_views.StoreSubmitPageTranslationView.as_view(),
            name="translations_submit_page",
        ),
    ]


class TranslationsMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return translation_stores(user=request.user).exists()


@hooks.register("register_admin_menu_item")
def register_translations_menu_item() -> MenuItem:
    return TranslationsMenuItem(
        "Translations", reverse("translations_report"), icon_name="globe", order=270
    )


# At most this many reports on the home page (a store in a language each); the rest are one
# click away in the Translations report.
HOME_REPORTS = 8


@hooks.register("construct_homepage_panels")
def add_translations_panel(request: HttpRequest, panels: list[Any]) -> None:
    """An editor lands on what is untranslated or out of date in their languages."""
    items: list[WorkItem] = []
    for store, languages in report_choices(user=request.user):
        for language in languages:
            if len(items) == HOME_REPORTS:
                break
            report = translation_report(user=request.user, store=store, language=language)
            if report is None:
                continue
            missing = report.count(TranslationState.UNTRANSLATED)
            stale = report.count(TranslationState.OUT_OF_DATE)
            query = urlencode({"store": str(store.pk), "language": language})
            items.append(
                WorkItem(
                    f"{store.name}: {language_name(language)}",
                    f"{reverse('translations_report')}?{query}",
                    missing + stale,
                    note=f"{missing} untranslated, {stale} out of date",
                    urgent=bool(stale),
                )
            )
    if items:
        panels.append(
            WorkPanel(name="translations", heading="Pages to translate", order=80, items=items)
        )

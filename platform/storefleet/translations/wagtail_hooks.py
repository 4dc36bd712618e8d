from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views
from .selectors import translation_stores


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

from django.apps import AppConfig


class TranslationsConfig(AppConfig):
    """Marketing's translation workflow on Wagtail's own locales: which source revision each
    translated page was last synced from, what changed in the source since, per-language
    translators, and the report of what is untranslated or out of date per store and language."""

    name = "storefleet.translations"
    label = "translations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wagtail.signals import copy_for_translation_done

        from .receivers import translation_copied

        # Whoever copies a page for translation (the Translate screen, a store's launch), the
        # copy starts synced with the source it was made from.
        copy_for_translation_done.connect(translation_copied, dispatch_uid="translations.copied")

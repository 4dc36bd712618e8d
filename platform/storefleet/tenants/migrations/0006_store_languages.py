"""A store's languages (store.toml's ``languages``), and each existing store's page tree moved
into its default language's Wagtail Locale: with i18n on, a German store's pages are German
pages (until now every page sat in the platform default's Locale, English)."""

from django.conf import settings
from django.db import migrations, models


def _language(code: str) -> str:
    known = {language for language, _name in settings.LANGUAGES}
    code = (code or "").lower()
    if code in known:
        return code
    base = code.split("-")[0]
    return base if base in known else settings.LANGUAGE_CODE


def stores_into_their_locales(apps, schema_editor):
    Store = apps.get_model("tenants", "Store")
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    for store in Store.objects.select_related("site__root_page"):
        language = _language(store.default_language)
        if not store.languages:
            store.languages = [language]
            store.save(update_fields=["languages"])
        locale, _ = Locale.objects.get_or_create(language_code=language)
        root = store.site.root_page
        # The whole tree, the home page included; a page already in another locale (none
        # before this migration) is left alone.
        Page.objects.filter(path__startswith=root.path, depth__gte=root.depth).exclude(
            locale=locale
        ).filter(locale__language_code=_language(settings.LANGUAGE_CODE)).update(locale=locale)


def stores_back_to_the_default_locale(apps, schema_editor):
    Store = apps.get_model("tenants", "Store")
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    default, _ = Locale.objects.get_or_create(language_code=_language(settings.LANGUAGE_CODE))
    for store in Store.objects.select_related("site__root_page"):
        root = store.site.root_page
        Page.objects.filter(path__startswith=root.path, depth__gte=root.depth).update(
            locale=default
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0005_store_sandbox"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="store",
            name="languages",
            field=models.JSONField(blank=True, default=list, verbose_name="languages"),
        ),
        migrations.RunPython(stores_into_their_locales, stores_back_to_the_default_locale),
    ]

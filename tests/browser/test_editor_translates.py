"""A brand editor translates their home page into French in the Wagtail admin and publishes
it: the store's launch made the French copy a draft (``copy_for_translation``, as the launch
does), the Translations report lists it as untranslated, the editor writes the French hero and
publishes, and the French home page is live with it while the English one is unchanged."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from wagtail.models import Locale
from wagtail.models import Page as WagtailPage

from storefleet.provisioning.management.commands.demo_stores import DEMO_PASSWORD
from storefleet.tenants.models import Store

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRENCH_HEADING = "Des pièces de précision pour des lignes qui ne s'arrêtent jamais"


def test_editor_translates_the_home_page_into_french_and_publishes(
    live_server, page: Page, artifacts, media_on_disk
):
    call_command("demo_stores")
    port = urlsplit(live_server.url).port
    store = Store.objects.get(slug="ferrum")
    home = store.site.root_page.specific
    english_heading = home.body[0].value["heading"]
    french, _created = Locale.objects.get_or_create(language_code="fr")
    french_home = home.copy_for_translation(french)

    page.goto(f"http://localhost:{port}/admin/login/")
    page.fill("#id_username", "ferrum.editor")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"http://localhost:{port}/admin/")

    page.goto(f"http://localhost:{port}/admin/translations/")
    row = page.locator(f'.translation-row[data-source="{home.pk}"]')
    expect(row).to_have_attribute("data-state", "untranslated")
    page.screenshot(path=str(artifacts / "translations-report.png"), full_page=True)
    row.locator(f'a[href="/admin/pages/{french_home.pk}/edit/"]').click()

    heading = page.locator("#body-0-value-heading")
    expect(heading).to_have_value(english_heading)
    heading.fill(FRENCH_HEADING)
    page.locator("footer .w-dropdown__toggle").last.click()
    page.locator('button[name="action-publish"]').click()
    expect(page.locator(".messages")).to_contain_text("published")

    published = WagtailPage.objects.get(pk=french_home.pk).specific
    assert published.live and published.locale.language_code == "fr"
    assert published.body[0].value["heading"] == FRENCH_HEADING
    assert WagtailPage.objects.get(pk=home.pk).specific.body[0].value["heading"] == english_heading

    page.goto(f"http://localhost:{port}/admin/translations/")
    expect(page.locator(f'.translation-row[data-source="{home.pk}"]')).to_have_attribute(
        "data-state", "up_to_date"
    )
    page.screenshot(path=str(artifacts / "translations-report-after.png"), full_page=True)

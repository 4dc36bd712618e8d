"""A brand editor translates their home page into French in the Wagtail admin and publishes
it: the store's launch made the French copy a draft (Ferrum speaks de, en and fr), the
Translations report lists it as untranslated, the editor writes the French hero and publishes,
and the French home page is live with it while the original is unchanged. Then a visitor of the
store switches to French in the header, reads the French home page, and sends the contact
form (not translated yet: shown with a notice) in French: the lead is French, and so is the
e-mail that thanks them (issue 18's browser test)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import Browser, Page, expect
from wagtail.models import Locale
from wagtail.models import Page as WagtailPage

from storefleet.marketing.models import Lead
from storefleet.provisioning.management.commands.demo_stores import DEMO_PASSWORD
from storefleet.tenants.models import Store

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRENCH_HEADING = "Des pièces de précision pour des lignes qui ne s'arrêtent jamais"


def test_editor_translates_the_home_page_into_french_and_a_visitor_reads_it_and_writes_in_french(
    live_server, page: Page, browser: Browser, artifacts, media_on_disk, mailoutbox
):
    call_command("demo_stores")
    port = urlsplit(live_server.url).port
    store = Store.objects.get(slug="ferrum")
    home = store.site.root_page.specific
    english_heading = home.body[0].value["heading"]
    french_home = home.get_translation(Locale.objects.get(language_code="fr"))
    assert not french_home.live  # the launch's draft copy

    page.goto(f"http://localhost:{port}/admin/login/")
    page.fill("#id_username", "ferrum.editor")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"http://localhost:{port}/admin/")

    page.goto(f"http://localhost:{port}/admin/translations/?store={store.pk}&language=fr")
    row = page.locator(f'.translation-row[data-source="{home.pk}"]')
    expect(row).to_have_attribute("data-state", "untranslated")
    page.screenshot(path=str(artifacts / "translations-report.png"), full_page=True)
    row.locator(f'a[href="/admin/pages/{french_home.pk}/edit/"]').click()

    heading = page.locator("#body-0-value-heading")
    expect(heading).to_have_value(english_heading)
    heading.fill(FRENCH_HEADING)
    page.locator("footer .w-dropdown__toggle").last.click()
    page.locator('button[name="action-publish"]').click()
    expect(page.locator(".messages")).to_contain_text("has been published")

    published = WagtailPage.objects.get(pk=french_home.pk).specific
    assert published.live and published.locale.language_code == "fr"
    assert published.body[0].value["heading"] == FRENCH_HEADING
    assert WagtailPage.objects.get(pk=home.pk).specific.body[0].value["heading"] == english_heading

    page.goto(f"http://localhost:{port}/admin/translations/?store={store.pk}&language=fr")
    expect(page.locator(f'.translation-row[data-source="{home.pk}"]')).to_have_attribute(
        "data-state", "up_to_date"
    )
    page.screenshot(path=str(artifacts / "translations-report-after.png"), full_page=True)

    # A visitor of the store, in a browser of their own.
    visitor = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    visitor.set_default_timeout(20_000)
    shop = f"http://ferrum.localhost:{port}"
    visitor.goto(f"{shop}/")
    expect(visitor.locator("html")).to_have_attribute("lang", "de")
    visitor.locator('nav.language-switcher a[hreflang="fr"]').click()
    expect(visitor).to_have_url(f"{shop}/fr/")
    expect(visitor.locator("html")).to_have_attribute("lang", "fr")
    expect(visitor.get_by_text(FRENCH_HEADING)).to_be_visible()
    expect(visitor.locator('nav.language-switcher a[aria-current="true"]')).to_have_attribute(
        "hreflang", "fr"
    )
    visitor.screenshot(path=str(artifacts / "visitor-french-home.png"), full_page=True)

    visitor.goto(f"{shop}/fr/contact/")
    notice = visitor.locator(".language-notice")
    expect(notice).to_be_visible()
    expect(notice).to_have_attribute("lang", "fr")
    visitor.fill("#id_name", "Camille Martin")
    visitor.fill("#id_email", "camille@atelier.example")
    visitor.fill("#id_company", "Atelier Martin SARL")
    visitor.fill("#id_message", "Nous cherchons des roulements 6002-2RS par lots de 500.")
    visitor.screenshot(path=str(artifacts / "visitor-french-contact.png"), full_page=True)
    visitor.locator("form.lead-form button[type=submit]").click()
    expect(visitor.locator("html")).to_have_attribute("lang", "fr")
    visitor.screenshot(path=str(artifacts / "visitor-french-thanks.png"), full_page=True)

    lead = Lead.objects.get(email="camille@atelier.example")
    assert lead.language == "fr" and lead.company_name == "Atelier Martin SARL"
    [thanks] = [m for m in mailoutbox if m.to == ["camille@atelier.example"]]
    with translation.override("fr"):
        assert (
            translation.gettext("%(store)s: we have received your message") % {"store": store.name}
            == thanks.subject
        )
    assert thanks.subject != f"{store.name}: we have received your message"

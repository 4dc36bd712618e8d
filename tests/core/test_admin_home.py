"""The admin's home page per role (storefleet.admin_home and each app's
``construct_homepage_panels``): each person lands on the work waiting for them, and a panel
counts only what their own stores hold — as a matrix of roles against panels and stores. A
panel's heading and links never contain a name of the admin's menu (a link found by its name,
as the browser tests find "Customer service", must stay one link)."""

from __future__ import annotations

import secrets

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import Client

from storefleet.accounts.models import AccountRequest
from storefleet.marketing.models import Lead
from storefleet.provisioning.demo import regional_managers_group
from storefleet.service.services import service_agent_add

pytestmark = pytest.mark.django_db

PANELS = ("customer-service", "stores", "leads", "translations")


def lead(store, name: str) -> Lead:
    return Lead.objects.create(
        store=store,
        key=secrets.token_hex(8),
        purpose="contact_sales",
        name=name,
        email=f"{name}@example.com",
        form_data={"name": name},
    )


def account_request(store, name: str) -> AccountRequest:
    return AccountRequest.objects.create(
        store=store, name=name, email=f"{name}@example.com", company_reference="C-9"
    )


@pytest.fixture
def people(ferrum, hydra):
    users = get_user_model().objects
    agent = users.create_user("agent", "agent@example.com", "x")
    service_agent_add(store=ferrum.store, user=agent)
    manager = users.create_user("manager", "manager@example.com", "x")
    manager.groups.add(regional_managers_group())
    for store, name in ((ferrum.store, "ferrum-lead"), (hydra.store, "hydra-lead")):
        lead(store, name)
    account_request(ferrum.store, "ferrum-person")
    account_request(hydra.store, "hydra-person")
    account_request(hydra.store, "hydra-person-2")
    return {
        "agent": agent,
        "manager": manager,
        "ferrum.editor": ferrum.editor,
        "hydra.editor": hydra.editor,
        "platform": users.create_superuser("platform", "platform@example.com", "x"),
    }


def home(user) -> BeautifulSoup:
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("agent", {"customer-service"}),
        ("manager", {"stores"}),
        ("ferrum.editor", {"leads"}),
        ("hydra.editor", {"leads"}),
        ("platform", {"customer-service", "stores", "leads"}),
    ],
)
def test_each_role_lands_on_its_own_work(people, who, shown):
    page = home(people[who])
    found = {name for name in PANELS if page.find(id=f"{name}-section") is not None}
    # Translations: only where a store speaks a second language (these stores speak one).
    assert found == shown


def test_an_agent_counts_the_account_requests_of_the_stores_they_serve_only(people):
    panel = home(people["agent"]).find(id="customer-service-section")
    row = next(tr for tr in panel.find_all("tr") if "Sign-up requests" in tr.get_text())
    assert row.find_all("td")[-1].get_text(strip=True) == "1"  # Ferrum's; Hydra's two are not


@pytest.mark.parametrize(
    ("who", "own", "other"),
    [("ferrum.editor", "Ferrum", "Hydra"), ("hydra.editor", "Hydra", "Ferrum")],
)
def test_an_editor_sees_the_leads_of_their_store_and_no_word_of_anothers(people, who, own, other):
    page = home(people[who])
    panel = page.find(id="leads-section")
    assert own in panel.get_text() and "1" in panel.get_text()
    assert other not in page.get_text()


def test_a_failed_launch_comes_first_on_the_managers_home_with_a_link_to_resume_it(people, ferrum):
    from storefleet.provisioning.models import ProvisioningRun, RunStatus

    run = ProvisioningRun.objects.create(slug="nordic", action="launch", status=RunStatus.FAILED)
    panel = home(people["manager"]).find(id="stores-section")
    first = panel.find("tr")
    assert "nordic" in first.get_text()
    assert first.find("a")["href"].endswith(f"/launch/runs/{run.id}/")
    assert "Ferrum" in panel.get_text()


def test_an_editor_of_a_store_in_two_languages_lands_on_what_is_left_to_translate(people, ferrum):
    from tests.translations.conftest import store_in

    languages = store_in(ferrum, ["fr", "de"])
    panel = home(people["ferrum.editor"]).find(id="translations-section")
    links = [a.get_text() for a in panel.select("td.title a")]
    assert any("French" in text for text in links) and any("German" in text for text in links)
    assert "3 untranslated" in panel.get_text()  # copies nobody has edited yet
    # A translator limited to French sees French only; another brand's editor, nothing.
    translator = home(languages.translators["fr"]).find(id="translations-section")
    assert [a.get_text() for a in translator.select("td.title a")] == [
        f"{ferrum.store.name}: French"
    ]
    assert home(people["hydra.editor"]).find(id="translations-section") is None


@pytest.mark.parametrize("who", ["agent", "manager", "ferrum.editor", "platform"])
def test_no_panel_link_repeats_a_name_of_the_menu(people, who, rf):
    from wagtail.admin.menu import admin_menu

    request = rf.get("/admin/")
    request.user = people[who]
    names = {str(item.label).lower() for item in admin_menu.menu_items_for_request(request)}
    page = home(people[who])
    for name in PANELS:
        panel = page.find(id=f"{name}-section")
        if panel is None:
            continue
        texts = [a.get_text(" ", strip=True).lower() for a in panel.find_all("a")]
        texts += [h.get_text(" ", strip=True).lower() for h in panel.find_all("h2")]
        assert not [(t, n) for t in texts for n in names if n in t], (who, name)

"""Admin reports and bulk-action confirmations, scoped to the editor's stores
(``brand.reports``, the bulk-action template): Wagtail's page types usage report counted every
brand's pages and named their last edited page; a bulk action's confirmation named whatever
page, image or document ids the URL held."""

from __future__ import annotations

import pytest
from wagtail.models import Page

from storefleet.brand.models import LandingPage

pytestmark = pytest.mark.django_db

REPORT = "/admin/reports/page-types-usage/"


def _rows(response) -> dict[str, tuple[int, str | None]]:  # type: ignore[no-untyped-def]
    """Page type name → (count, title of the last edited page)."""
    return {
        row.model: (
            row.count,
            row.last_edited_page.title if row.last_edited_page is not None else None,
        )
        for row in response.context["object_list"]
    }


def test_an_editor_sees_the_page_types_of_their_own_store_only(client, ferrum, hydra):
    extra = LandingPage(title="HYDRA-MARKER second landing", slug="second")
    Page.objects.get(pk=hydra.home.pk).add_child(instance=extra)
    extra.save_revision().publish()
    client.force_login(ferrum.editor)

    response = client.get(REPORT, HTTP_HOST="localhost")

    assert response.status_code == 200
    rows = _rows(response)
    assert rows["homepage"] == (1, "Ferrum Industrial Components")
    assert rows["landingpage"] == (1, "FERRUM-MARKER landing")
    assert rows["contentpage"] == (1, "FERRUM-MARKER content")
    body = response.content.decode()
    assert "HYDRA-MARKER" not in body and "Hydra Flow Systems" not in body


def test_an_editor_cannot_filter_the_report_by_another_brands_site(client, ferrum, hydra):
    client.force_login(ferrum.editor)
    response = client.get(f"{REPORT}?site={hydra.home.path}", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert _rows(response)["landingpage"] == (1, "FERRUM-MARKER landing")
    assert "HYDRA-MARKER" not in response.content.decode()


def test_platform_it_sees_every_stores_page_types(client, ferrum, hydra, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("it", "it@example.com", "x"))
    response = client.get(REPORT, HTTP_HOST="localhost")
    assert _rows(response)["landingpage"][0] == 2
    assert "Hydra Flow Systems" in response.content.decode()  # the site filter


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/admin/bulk/wagtailcore/page/delete/?id={}", "landing"),
        ("/admin/bulk/wagtailcore/page/unpublish/?id={}", "landing"),
        ("/admin/bulk/brand/storeimage/delete/?id={}", "image"),
        ("/admin/bulk/brand/storedocument/delete/?id={}", "document"),
    ],
)
def test_a_bulk_action_names_nothing_of_another_brand(client, ferrum, hydra, url, kind):
    client.force_login(ferrum.editor)
    ids = f"{getattr(hydra, kind).pk}&id={getattr(ferrum, kind).pk}"
    response = client.get(url.format(ids), HTTP_HOST="localhost")
    assert response.status_code == 200
    body = response.content.decode()
    assert "HYDRA-MARKER" not in body
    assert f"FERRUM-MARKER {kind}" in body

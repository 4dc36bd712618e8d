"""A page form whose structure was tampered with (a block count that is no number, a missing
key) is refused with a message, not a server error, and saves nothing."""

from __future__ import annotations

import pytest
from wagtail.models import Revision

from tests.brand import admin_forms as af

pytestmark = pytest.mark.django_db

TAMPERED = (
    {"body-count": "abc"},
    {"body-count": "99"},
    {"body-0-order": None},
    # Wagtail copes with these itself (drops the block, ignores the formset); never a 500.
    {"body-0-type": "no-such-block"},
    {"comments-TOTAL_FORMS": "x"},
)


@pytest.mark.parametrize("change", TAMPERED)
def test_a_tampered_page_form_is_refused_without_a_server_error(client, ferrum, change):
    client.force_login(ferrum.editor)
    data = af.page_form_data(ferrum.landing.title, ferrum.landing.slug, [af.hero(ferrum.image.pk)])
    for key, value in change.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    revisions = Revision.objects.count()

    response = client.post(f"/admin/pages/{ferrum.landing.pk}/edit/", data, HTTP_HOST=af.ADMIN)

    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code == 400:
        assert "Reload the page and make your changes again." in response.content.decode()
        assert Revision.objects.count() == revisions


def test_an_error_outside_form_reading_still_fails_loudly(rf):
    from storefleet.errors import MalformedFormMiddleware

    request = rf.post("/admin/pages/1/edit/")
    middleware = MalformedFormMiddleware(lambda r: None)
    try:
        {}["missing"]
    except KeyError as error:
        assert middleware.process_exception(request, error) is None

"""Wagtail's permission policies keep the content type of their model once looked up. A
transactional test's flush makes the content types and permissions again under new ids (on
PostgreSQL the sequences go on), so a policy primed before the flush would deny every editor
after it: the suite must not depend on which tests ran before."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.factories import build_brand, wagtail_roots_ensure


def _opens_brand_settings(client, brand) -> int:  # type: ignore[no-untyped-def]
    client.force_login(brand.editor)
    url = f"/admin/settings/brand/brandsettings/{brand.store.site_id}/"
    return client.get(url, HTTP_HOST="localhost").status_code


@pytest.mark.django_db(transaction=True)
def test_an_editor_opens_brand_settings_after_the_database_was_flushed(client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    first = build_brand("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91")
    assert _opens_brand_settings(client, first) == 200

    call_command("flush", interactive=False, verbosity=0)
    wagtail_roots_ensure()
    client.logout()

    again = build_brand("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91")
    assert _opens_brand_settings(client, again) == 200

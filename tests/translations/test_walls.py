"""The brand walls hold in a store's other languages: a translator publishes their language's
page with their store's image, is refused the other brand's image, and a publish there moves
the store's page-cache version on as one in the store's own language does."""

from __future__ import annotations

import pytest
from wagtail.models import Page

from storefleet.tenants.models import Store
from tests.brand import admin_forms as af

pytestmark = pytest.mark.django_db


def test_a_translator_publishes_with_their_stores_image_only(client, stores):
    ferrum, hydra = stores["ferrum"], stores["hydra"]
    french = ferrum.pages["fr"]["landing"]
    client.force_login(ferrum.translators["fr"])
    version = Store.objects.get(pk=ferrum.world.store.pk).content_version

    refused = af.post_page(client, french, [af.hero(hydra.world.image.pk)], publish=True)
    assert refused.status_code == 200
    assert "Pick an image of Ferrum&#x27;s own collection." in refused.content.decode()
    assert Page.objects.get(pk=french.pk).live is False

    published = af.post_page(client, french, [af.hero(ferrum.world.image.pk)], publish=True)
    assert published.status_code == 302
    page = Page.objects.get(pk=french.pk).specific
    assert page.live and page.body[0].value["image"].pk == ferrum.world.image.pk
    assert Store.objects.get(pk=ferrum.world.store.pk).content_version > version

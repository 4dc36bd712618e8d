"""The storefront forms' shop: Ferrum on the session's shared ERP (these tests write nothing the
ERP keeps), built once for a module whose every database test takes it."""

from __future__ import annotations

import pytest

from tests.module_world import module_world_for, shared_or_built
from tests.ordering.conftest import Shop, build_ferrum, build_shop, shop_world_build


@pytest.fixture(scope="module")
def module_shop(request, django_db_setup, django_db_blocker, erp_server):  # type: ignore[no-untyped-def]
    """Mirroring the ERP's 234 products and 24 customers cost a second or two a test."""
    with module_world_for(
        request, django_db_blocker, "shop", shop_world_build(erp_server)
    ) as world:
        yield world


@pytest.fixture
def shop(settings, module_shop, erp_server, db) -> Shop:  # type: ignore[no-untyped-def]
    return shared_or_built(
        module_shop,
        lambda world: world.shop(settings),
        lambda: build_shop(settings, erp_server, build_ferrum()),
    )

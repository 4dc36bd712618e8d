"""A store's URLs without the ordering app's (built in parallel): no ``ordering:cart_add``."""

from __future__ import annotations

from storefleet import urls as store_urls
from storefleet.tenants.locale import store_language_patterns

urlpatterns = [
    *store_urls.unprefixed,
    *store_language_patterns(
        *(p for p in store_urls.storefront if getattr(p, "namespace", None) != "ordering")
    ),
]

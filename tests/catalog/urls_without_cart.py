"""A store's URLs without the ordering app's (built in parallel): no ``ordering:cart_add``."""

from __future__ import annotations

from storefleet import urls as store_urls

urlpatterns = [p for p in store_urls.urlpatterns if getattr(p, "namespace", None) != "ordering"]

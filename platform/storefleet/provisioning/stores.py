"""A store's registration across the apps it spans, one action above them: tenants (the
Store, its Site, pages, collection, editors and brand settings) and service (its agents'
team). Neither of those apps imports the other; whatever opens or closes a store (the launch
pipeline, the demo, tests) comes here."""

from __future__ import annotations

from django.db import transaction

from storefleet.service.services import service_team_delete, service_team_ensure
from storefleet.tenants.models import Store
from storefleet.tenants.services import StoreSpec, store_create, store_destroy


@transaction.atomic
def store_open(*, spec: StoreSpec) -> Store:
    """Register the store and its "<Store> service agents" group: all or nothing."""
    store = store_create(spec=spec)
    service_team_ensure(store=store)
    return store


@transaction.atomic
def store_close(*, store: Store) -> None:
    """Remove the store's service team, then the store and everything only it owned."""
    service_team_delete(store=store)
    store_destroy(store=store)

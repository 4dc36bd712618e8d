from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "storefleet.tenants"
    label = "tenants"
    verbose_name = "Stores"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (cache invalidation only)

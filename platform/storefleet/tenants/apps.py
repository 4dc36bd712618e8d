from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "storefleet.tenants"
    label = "tenants"
    verbose_name = "Stores"

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (start-up checks; cache invalidation)
        from .site_roots import install

        install()

from django.apps import AppConfig


class BrandConfig(AppConfig):
    name = "storefleet.brand"
    label = "brand"
    verbose_name = "Brand content"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (page-cache invalidation only)
        from .choosers import choosers_install

        choosers_install()

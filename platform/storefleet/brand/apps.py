from django.apps import AppConfig


class BrandConfig(AppConfig):
    name = "storefleet.brand"
    label = "brand"
    verbose_name = "Brand content"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (page-cache invalidation only)
        from .choosers import chooser_ids_tolerated

        chooser_ids_tolerated()

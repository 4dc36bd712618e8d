from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "storefleet.catalog"
    label = "catalog"
    verbose_name = "Catalog"

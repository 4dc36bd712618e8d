from django.apps import AppConfig


class OrderingConfig(AppConfig):
    name = "storefleet.ordering"
    label = "ordering"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "storefleet.lists"
    label = "lists"
    verbose_name = "Saved lists"
    default_auto_field = "django.db.models.BigAutoField"

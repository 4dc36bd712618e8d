from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "storefleet.api"
    label = "api"
    verbose_name = "Partner API"

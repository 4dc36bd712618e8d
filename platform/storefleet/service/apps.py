from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "storefleet.service"
    label = "service"
    verbose_name = "Customer service"

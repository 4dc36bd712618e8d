from django.apps import AppConfig


class ErpConfig(AppConfig):
    name = "storefleet.erp"
    label = "erp"
    verbose_name = "ERP integration"
    default_auto_field = "django.db.models.BigAutoField"

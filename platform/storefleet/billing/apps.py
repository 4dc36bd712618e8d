from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "storefleet.billing"
    label = "billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Paid payments owed to the ERP, carried by the outbox (which never imports billing).
        from storefleet.outbox import registry

        from . import services
        from .outbox_kinds import RECORD_PAYMENT

        registry.register(RECORD_PAYMENT, label="Record payment", handler=services.payment_record)

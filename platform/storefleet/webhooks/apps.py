from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "storefleet.webhooks"
    label = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Deliveries are carried by the outbox (which never imports this app).
        from storefleet.outbox import registry

        from .delivery import DELIVER, delivery_send

        registry.register(DELIVER, label="Deliver webhook", handler=delivery_send)

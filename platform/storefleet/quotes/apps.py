from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "storefleet.quotes"
    label = "quotes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Quotes' work owed to the ERP, carried by the outbox (which never imports quotes).
        from storefleet.outbox import registry

        from . import negotiation, services
        from .kinds import ACCEPT_QUOTE, ANSWER_QUOTE, DECLINE_QUOTE, REQUEST_QUOTE

        registry.register(REQUEST_QUOTE, label="Request quote", handler=services.quote_request_send)
        registry.register(ACCEPT_QUOTE, label="Accept quote", handler=services.quote_accept_send)
        registry.register(
            DECLINE_QUOTE, label="Decline quote", handler=negotiation.quote_decline_send
        )
        registry.register(ANSWER_QUOTE, label="Answer quote", handler=negotiation.quote_answer_send)

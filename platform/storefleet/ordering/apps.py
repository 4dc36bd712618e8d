from django.apps import AppConfig


class OrderingConfig(AppConfig):
    name = "storefleet.ordering"
    label = "ordering"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Ordering's work owed to the ERP, carried by the outbox (which never imports ordering).
        from storefleet.outbox import registry

        # (The services that change a cart retire the buyer's cached pages themselves.)
        from . import submission
        from .outbox_kinds import FILE_RETURN, SUBMIT_ORDER
        from .returns.outbox import return_file

        registry.register(
            SUBMIT_ORDER, label="Submit order", handler=submission.order_submission_send
        )
        registry.register(FILE_RETURN, label="File return", handler=return_file)

        # The customers' sales for their "My orders" pages, mirrored by the ERP's sync.
        from storefleet.erp import sync
        from storefleet.erp.gateway import ErpGateway

        from .sales_mirror import sale_records_upsert

        sync.register("sales", fetch=ErpGateway.sales_changed_since, upsert=sale_records_upsert)

        # The cart's size in the navigation of the pages the buyers' page cache shares.
        from storefleet.brand.buyer_persona import register_persona_part

        from .selectors import cart_size

        register_persona_part(
            "cart_size", lambda user, store_id, _m: cart_size(store_id=store_id, user_id=user.pk)
        )

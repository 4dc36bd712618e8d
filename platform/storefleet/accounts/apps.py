from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "storefleet.accounts"
    label = "accounts"
    verbose_name = "Customer companies"

    def ready(self) -> None:
        # Companies are mirrored from the ERP's customers by the ERP's sync, which never
        # imports accounts: this app registers how its mirror is written.
        from storefleet.erp import sync
        from storefleet.erp.gateway import ErpGateway

        from . import receivers  # noqa: F401  (retires the buyers' cached pages)
        from .services import companies_upsert

        sync.register(
            "customers", fetch=ErpGateway.customers_changed_since, upsert=companies_upsert
        )

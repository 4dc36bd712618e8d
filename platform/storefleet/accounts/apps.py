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

        from .services import companies_upsert

        sync.register(
            "customers", fetch=ErpGateway.customers_changed_since, upsert=companies_upsert
        )

        # Whom a signed-in buyer buys for, for the buyers' page cache (which never imports
        # accounts).
        from storefleet.brand.buyer_persona import register_buyer_of

        from .selectors import company_for_member

        register_buyer_of(lambda user, store_id: company_for_member(user=user, store_id=store_id))

        # The buyer's row in the storefront's shell, and the brand's menu without the places
        # the row leads to (brand/base.html never loads accounts' tags).
        from storefleet.brand import shell

        from .navigation import buyer_nav_render, menu_taken

        shell.register_part("below_header", "accounts", buyer_nav_render)
        shell.register_menu_taken("accounts", menu_taken)

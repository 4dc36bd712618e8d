from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "storefleet.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from .seeding import catalog_page_type_register

        catalog_page_type_register()  # seed content may make a catalog page
        # The catalog owns its mirror of the ERP's products; the ERP's sync never imports it.
        from storefleet.erp import sync

        from .services import products_changed_since, products_upsert

        sync.register("products", fetch=products_changed_since, upsert=products_upsert)

        # The store's products in its sitemap (``brand.seo`` never imports the catalog).
        from storefleet.brand.seo import register_offer_availability, register_sitemap_products

        from .selectors import schema_availability, sitemap_products

        register_sitemap_products(sitemap_products)
        register_offer_availability(schema_availability)

        # A buyer's catalog page lives as long as the ERP change watch vouches for its prices
        # and stock (``brand.buyer_cache`` never imports the ERP).
        from storefleet.brand.buyer_cache import register_life_extender
        from storefleet.erp.watch import PageLife

        register_life_extender(PageLife())

from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "storefleet.service"
    label = "service"
    verbose_name = "Customer service"

    def ready(self) -> None:
        # The banner an agent acting for a buyer sees on top of every storefront page (the
        # shell, brand/base.html, never names this app's templates).
        from storefleet.brand import shell

        shell.register_part("top", "service", shell.part_template("service/acting_banner.html"))

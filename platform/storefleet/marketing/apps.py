from django.apps import AppConfig


class MarketingConfig(AppConfig):
    """Marketing's forms (contact sales, request a catalogue or a sample) and the leads they
    bring in, carried into the ERP by the outbox."""

    name = "storefleet.marketing"
    label = "marketing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Work owed to the ERP, carried by the outbox (which never imports marketing), and the
        # form page type seed content may name (brand.seeding never imports marketing).
        from storefleet.brand.seeding import register_page_type
        from storefleet.outbox import registry

        from .kinds import CREATE_LEAD
        from .models import LeadFormPage
        from .services import lead_send

        registry.register(CREATE_LEAD, label="Create lead", handler=lead_send)
        register_page_type("contact", LeadFormPage)

        # The shell's "Contact sales" link leads to the store's contact form (brand/base.html
        # never loads marketing's tags).
        from storefleet.brand import shell

        from .selectors import contact_url

        shell.register_address(
            "contact_sales", lambda context: contact_url(request=context.get("request"))
        )

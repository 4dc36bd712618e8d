from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "storefleet.lists"
    label = "lists"
    verbose_name = "Saved lists"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The lists a product can be added to, on the pages the buyers' page cache shares.
        from storefleet.brand.buyer_persona import register_persona_part

        from .selectors import visible_lists

        register_persona_part(
            "lists",
            lambda _user, store_id, membership: tuple(
                sorted(
                    visible_lists(store_id=store_id, membership=membership).values_list(
                        "id", "name"
                    )
                )
            ),
        )

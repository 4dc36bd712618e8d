"""Cache invalidation only: when a Site row changes (hostname, root page) from anywhere,
including Wagtail's own Sites admin, the host map must be rebuilt. No business logic here."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Site

from .models import Store
from .services import store_host_map_invalidate


@receiver(post_save, sender=Site)
@receiver(post_delete, sender=Site)
@receiver(post_save, sender=Store)
@receiver(post_delete, sender=Store)
def _invalidate_host_map(**kwargs: object) -> None:
    store_host_map_invalidate()

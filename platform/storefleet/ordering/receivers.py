"""A buyer's cached pages (``brand.buyer_cache``) show their cart's size: a cart line made,
saved or deleted retires that buyer's pages. A signal on this app's own model because cart
lines are also deleted in bulk (checkout, clearing the cart), where a queryset delete still
sends one ``post_delete`` per line."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from storefleet.brand.buyer_cache import buyer_pages_changed

from .models import CartLine
from .selectors import cart_user_id


@receiver(post_save, sender=CartLine, dispatch_uid="ordering-cart-line-saved")
@receiver(post_delete, sender=CartLine, dispatch_uid="ordering-cart-line-deleted")
def _cart_changed(sender: type, instance: CartLine, **kwargs: Any) -> None:
    cart = instance._state.fields_cache.get("cart")  # loaded already when the line was made
    user_id = cart.user_id if cart is not None else cart_user_id(cart_id=instance.cart_id)
    if user_id is not None:
        buyer_pages_changed(user_id=user_id)

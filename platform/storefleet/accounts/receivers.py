"""A buyer's cached pages (``brand.buyer_cache``) rest on their user, membership and company
and on the stores the company buys in: a change to one of those retires that buyer's (or the
company's) pages. Signals rather than calls in the services because the admin (Django's and
Wagtail's user and company screens) writes these models too."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from storefleet.brand.buyer_cache import buyer_pages_changed, company_pages_changed

from .models import Company, Membership


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts-user-saved")
@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts-user-deleted")
def _user_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    # A sign-in only stamps last_login: nothing the pages show.
    if kwargs.get("update_fields") != frozenset({"last_login"}):
        buyer_pages_changed(user_id=instance.pk)


@receiver(post_save, sender=Membership, dispatch_uid="accounts-membership-saved")
@receiver(post_delete, sender=Membership, dispatch_uid="accounts-membership-deleted")
def _membership_changed(sender: type, instance: Membership, **kwargs: Any) -> None:
    buyer_pages_changed(user_id=instance.user_id)


@receiver(post_save, sender=Company, dispatch_uid="accounts-company-saved")
def _company_changed(sender: type, instance: Company, **kwargs: Any) -> None:
    company_pages_changed(company_id=instance.pk)


@receiver(m2m_changed, sender=Company.stores.through, dispatch_uid="accounts-company-stores")
def _company_stores_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("action", "").startswith("post_"):
        if kwargs.get("reverse"):  # store.companies.add(...): instance is the store
            for company_id in kwargs.get("pk_set") or ():
                company_pages_changed(company_id=company_id)
        else:
            company_pages_changed(company_id=instance.pk)

"""E-mail to a subscription's owner: the company's admins, or the partner's contact."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail

from storefleet.accounts.models import MemberRole, Membership

from .models import Subscription

logger = logging.getLogger("storefleet.webhooks")


def owner_emails(subscription: Subscription) -> list[str]:
    if subscription.company_id is not None:
        return sorted(
            Membership.objects.filter(
                company_id=subscription.company_id, role=MemberRole.ADMIN, user__is_active=True
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    return [subscription.contact_email] if subscription.contact_email else []


def endpoint_disabled(*, subscription: Subscription) -> None:
    """Tell the owner their endpoint was disabled, why, and how to turn it on again."""
    recipients = owner_emails(subscription)
    if not recipients:
        logger.warning("webhook subscription %s disabled; nobody to tell", subscription.id)
        return
    send_mail(
        subject="Your webhook endpoint was disabled",
        message=(
            f"Webhook deliveries to {subscription.url} have failed for "
            f"{settings.WEBHOOK_DISABLE_AFTER_DAYS} days, so the subscription was disabled.\n"
            f"{subscription.disabled_reason}\n\n"
            "Fix the endpoint, then enable the subscription again (API: "
            "POST /api/v1/webhooks/subscriptions/{id}/enable) and resend what it missed "
            "(POST /api/v1/webhooks/resend?since=…)."
        ),
        from_email=None,
        recipient_list=recipients,
        fail_silently=True,
    )

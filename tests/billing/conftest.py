"""Billing runs on the ordering tests' Ferrum store (buyers of C-1001, C-1004 and C-1002) with
the sandbox provider, against the module's own copy of the reference ERP: these tests pay
invoices there, which changes credit and open invoices for whoever comes next. The shop is
built once per module where it can be (tests/ordering/conftest.py, ``shop_world``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import RequestFactory

from storefleet.billing import services
from storefleet.billing.models import Payment
from storefleet.billing.providers.sandbox import SandboxProvider
from storefleet.money import Money
from storefleet.outbox.models import Message
from tests.ordering.conftest import HOST, Shop, ferrum, shop_erp_server, shop_of, shop_world

SANDBOX_SECRET = "whsec_test_sandbox"
URLS = services.ReturnUrls(
    success=f"http://{HOST}/account/payments/{{reference}}/",
    cancel=f"http://{HOST}/account/invoices/",
)


__all__ = ["ferrum", "shop_erp_server", "shop_world"]  # the ordering tests' shop fixtures


@pytest.fixture
def shop(settings, shop_world, shop_erp_server, ferrum) -> Shop:
    settings.BILLING_PROVIDER = "sandbox"
    settings.BILLING_SANDBOX_WEBHOOK_SECRET = SANDBOX_SECRET
    return shop_of(settings, shop_world, shop_erp_server, ferrum)


@pytest.fixture
def sandbox() -> SandboxProvider:
    return SandboxProvider(webhook_secret=SANDBOX_SECRET)


@pytest.fixture
def rf() -> RequestFactory:
    return RequestFactory()


def seeded_invoices(server, customer: str) -> list[str]:
    return [i["number"] for i in server.manifest["invoices"] if i["customer"] == customer]


def start(shop: Shop, code: str, *choices: services.InvoiceChoice) -> Payment:
    return services.payment_start(principal=shop.principal(code), choices=choices, urls=URLS)


def deliver(sandbox: SandboxProvider, payment: Payment, outcome: str, event_id=None):
    signed = sandbox.event_sign(
        outcome=outcome,
        session_id=payment.provider_session_id,
        payment_id=payment.id,
        amount=Money(payment.amount, payment.currency),
        event_id=event_id,
    )
    return services.payment_webhook_receive(
        provider_name="sandbox", payload=signed.payload, signature=signed.signature
    )


def run_outbox() -> int:
    """What the worker does: process every outbox message not done (and the done ones again,
    as a redelivered task would)."""
    ids = list(Message.objects.values_list("id", flat=True))
    for message_id in ids:
        services.outbox_process(message_id=message_id)
    return len(ids)


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")

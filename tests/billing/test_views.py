"""The invoices page, paying through the sandbox's hosted page, the payment page and the
webhook endpoint, as a buyer and a provider use them; and the walls between companies: another
company's invoices, payments and payment pages answer 404 or refuse, for every object."""

from __future__ import annotations

from decimal import Decimal

import pytest
import stripe

from storefleet.billing.models import Payment, PaymentStatus
from storefleet.billing.providers.sandbox import SandboxProvider
from storefleet.billing.services import InvoiceChoice
from storefleet.money import Money
from storefleet.outbox.models import Message

from .conftest import HOST, SANDBOX_SECRET, run_outbox, seeded_invoices, start

pytestmark = pytest.mark.django_db


def client_for(client, shop, code):
    client.force_login(shop.buyers[code])
    return client


def get(client, path):
    return client.get(path, HTTP_HOST=HOST)


def post(client, path, data=None, **extra):
    return client.post(path, data or {}, HTTP_HOST=HOST, **extra)


def test_invoices_page_shows_credit_and_open_invoices_overdue_marked(client, shop):
    c = client_for(client, shop, "C-1002")
    credit = shop.gateway.credit_status(customer="C-1002")
    invoices = shop.gateway.open_invoices(customer="C-1002")
    body = get(c, "/account/invoices/").content.decode()
    assert '<dd class="credit-limit">€9,913.00</dd>' in body
    assert f'<dd class="credit-used">€{credit.used.amount:,}</dd>' in body
    assert '<dd class="credit-available">€400.50</dd>' in body
    for invoice in invoices:
        assert f'<tr data-invoice="{invoice.number}"' in body
        assert f'name="amount-{invoice.number}" value="{invoice.amount_to_pay.amount}"' in body
    assert body.count('class="invoice--overdue"') == sum(i.overdue for i in invoices) == 1
    assert body.count('<strong class="overdue">Overdue</strong>') == 1
    home = c.get("/account/", HTTP_HOST=HOST, follow=True).content.decode()
    assert '<a href="/account/invoices/" data-nav="invoices">Invoices</a>' in home
    assert '<a href="/account/invoices/">Invoices and payments</a>' in home
    empty = get(client_for(client, shop, "C-1004"), "/account/invoices/").content.decode()
    assert "No open invoices." in empty


def test_buyer_pays_two_invoices_on_the_sandbox_page_and_sees_them_paid(
    client, shop, fresh_erp_server
):
    c = client_for(client, shop, "C-1002")
    invoices = shop.gateway.open_invoices(customer="C-1002")
    before = shop.gateway.credit_status(customer="C-1002")
    data = {"invoice": [i.number for i in invoices]} | {
        f"amount-{i.number}": str(i.amount_to_pay.amount) for i in invoices
    }
    response = post(c, "/account/invoices/pay/", data)
    payment = Payment.objects.get()
    sandbox_path = f"/account/payments/sandbox/{payment.provider_session_id}/"
    assert (response.status_code, response["Location"]) == (302, f"http://{HOST}{sandbox_path}")
    page = get(c, sandbox_path).content.decode()
    assert "<strong>TEST ONLY</strong>" in page and payment.reference in page

    response = post(c, sandbox_path, {"outcome": "pay"})
    assert response["Location"] == f"/account/payments/{payment.reference}/"
    body = get(c, response["Location"]).content.decode()
    assert "Payment received — being recorded" in body
    assert run_outbox() == 1
    body = get(c, response["Location"]).content.decode()
    assert "Payment received</h1>" in body and 'data-status="recorded"' in body

    after = shop.gateway.credit_status(customer="C-1002")
    assert after.available.amount == before.available.amount + payment.amount  # type: ignore[union-attr]
    page = get(c, "/account/invoices/").content.decode()
    assert "No open invoices." in page
    assert f"{after.available.amount:,}" in page  # type: ignore[union-attr]
    assert "Paid and recorded" in page

    # The page again, or the sandbox's buttons again: nothing more is paid or recorded.
    again = post(c, "/account/invoices/pay/", data)
    assert again["Location"] == "/account/invoices/"
    assert f"Invoice “{invoices[0].number}” is not one of your open invoices" in (
        get(c, "/account/invoices/").content.decode()
    )
    post(c, sandbox_path, {"outcome": "pay"})
    assert (Payment.objects.count(), Message.objects.count()) == (1, 1)


def test_a_declined_payment_charges_nothing_and_can_be_tried_again(client, shop, fresh_erp_server):
    (invoice,) = seeded_invoices(fresh_erp_server, "C-1001")
    c = client_for(client, shop, "C-1001")
    post(c, "/account/invoices/pay/", {"invoice": invoice})
    payment = Payment.objects.get()
    response = post(
        c, f"/account/payments/sandbox/{payment.provider_session_id}/", {"outcome": "decline"}
    )
    body = get(c, response["Location"]).content.decode()
    assert (
        "Payment failed</h1>" in body and "The payment was declined: nothing was charged." in body
    )
    assert Message.objects.count() == 0
    assert [i.number for i in shop.gateway.open_invoices(customer="C-1001")] == [invoice]


def test_walls_another_companys_invoices_and_payment_pages(client, shop, fresh_erp_server):
    (theirs,) = seeded_invoices(fresh_erp_server, "C-1001")
    payment = start(shop, "C-1001", InvoiceChoice(theirs))
    intruder = client_for(client, shop, "C-1004")
    paths = [
        f"/account/payments/{payment.reference}/",
        f"/account/payments/sandbox/{payment.provider_session_id}/",
    ]
    for path in paths:
        assert get(intruder, path).status_code == 404, path
    assert post(intruder, paths[1], {"outcome": "pay"}).status_code == 404
    # A tampered form: another company's invoice number is not "ours" to pay.
    response = post(intruder, "/account/invoices/pay/", {"invoice": theirs})
    assert response["Location"] == "/account/invoices/"
    assert f"Invoice “{theirs}” is not one of your open invoices" in (
        get(intruder, "/account/invoices/").content.decode()
    )
    page = get(intruder, "/account/invoices/").content.decode()
    assert theirs not in page.replace(f"Invoice “{theirs}”", "") and payment.reference not in page
    payment.refresh_from_db()
    assert (payment.status, Payment.objects.count()) == (PaymentStatus.PENDING, 1)
    # Signed out: to the sign-in page, never the data.
    client.logout()
    for path in ["/account/invoices/", *paths]:
        assert get(client, path).status_code == 302


def test_webhook_endpoint_answers_400_to_unsigned_and_200_to_duplicates(
    client, shop, fresh_erp_server
):
    (invoice,) = seeded_invoices(fresh_erp_server, "C-1001")
    payment = start(shop, "C-1001", InvoiceChoice(invoice))
    signed = SandboxProvider(webhook_secret=SANDBOX_SECRET).event_sign(
        outcome="expire",
        session_id=payment.provider_session_id,
        payment_id=payment.id,
        amount=Money(payment.amount, payment.currency),
    )
    url = "/billing/webhooks/sandbox/"
    bad = stripe.WebhookSignature.generate_signature_header(signed.payload.decode(), "whsec_x")
    kw = {"content_type": "application/json", "HTTP_HOST": HOST}
    assert client.post(url, signed.payload, HTTP_STRIPE_SIGNATURE=bad, **kw).status_code == 400
    for _ in range(2):
        ok = client.post(url, signed.payload, HTTP_STRIPE_SIGNATURE=signed.signature, **kw)
        assert ok.status_code == 200
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.EXPIRED
    other = client.post(
        "/billing/webhooks/stripe/", signed.payload, HTTP_STRIPE_SIGNATURE=signed.signature, **kw
    )
    assert other.status_code == 404


def test_the_buyer_is_told_when_a_payment_could_not_be_applied(client, shop):
    payment = Payment.objects.create(
        reference="P-TESTATTN22",
        store_id=shop.store.id,
        company=shop.membership("C-1001").company,
        invoice_numbers=["INV-X"],
        amount=Decimal("10.00"),
        currency="EUR",
        status=PaymentStatus.PAID,
        provider="sandbox",
        idempotency_key="k-attention",
        erp_error="Invoice(s) INV-X are not open for C-1001.",
    )
    client.force_login(shop.buyers["C-1001"])
    body = client.get(f"/account/payments/{payment.reference}/", HTTP_HOST=HOST).content.decode()
    assert "could not apply it to the invoices" in body
    assert "contact us with the reference P-TESTATTN22" in body
    assert "location.reload" not in body

"""Invoice documents: the PDF of an open or a paid invoice of the buyer's company, read back
with pypdf; the invoices page links it; another company's invoice, a draft number, a made-up
one or a tampered path answer 404 like a missing one, and the ERP being away answers with a
message, not a broken file."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pypdf
import pytest

from storefleet.erp.types import PaymentRequest
from storefleet.money import Money
from tests.erp.conftest import erp_away

from .conftest import HOST, seeded_invoices

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def get(client, shop, code, path):
    client.force_login(shop.buyers[code])
    return client.get(path, HTTP_HOST=HOST)


def test_open_invoice_pdf_holds_number_lines_taxes_total_and_amount_to_pay(client, shop):
    (number,) = seeded_invoices(shop.server, "C-1001")
    document = shop.gateway.invoice_document(customer="C-1001", number=number)
    response = get(client, shop, "C-1001", f"/account/invoices/{number}.pdf")
    text = pdf_text(response)
    assert response["Content-Disposition"] == f'inline; filename="invoice-{number}.pdf"'
    assert f"Invoice {number}" in text
    assert "Nordwerk Maschinenbau GmbH" in text and "Customer C-1001" in text
    assert "Ferrum" in text.splitlines()[0]
    assert [line.sku for line in document.lines] == ["HYD-1003", "SEA-1001"]
    for line in document.lines:
        assert line.sku in text
    assert "Total €1,414.26" in text
    assert "VAT 19% on €1,188.45 €225.81" in text
    assert "Amount to pay €1,414.26" in text
    assert document.due_date is not None
    due = f"{document.due_date.day} {document.due_date.strftime('%b %Y')}"  # j M Y
    assert f"Please pay €1,414.26 by {due}, quoting invoice {number}." in text


def test_paid_invoice_pdf_says_paid_with_nothing_left_to_pay(client, shop):
    number = seeded_invoices(shop.server, "C-1002")[0]
    before = shop.gateway.invoice_document(customer="C-1002", number=number)
    shop.gateway.record_payment(
        payment=PaymentRequest(
            customer="C-1002",
            invoice_numbers=(number,),
            amount=before.amount_to_pay,
            date=datetime.date.today(),
            idempotency_key="doc-test-pay",
        )
    )
    text = pdf_text(get(client, shop, "C-1002", f"/account/invoices/{number}.pdf"))
    total = f"{before.total.amount:,}"
    assert f"Invoice {number}" in text
    assert f"Total €{total}" in text
    assert f"Paid €{total}" in text
    assert "Amount to pay €0.00" in text
    assert "Paid in full" in text
    assert shop.gateway.invoice_document(customer="C-1002", number=number).amount_to_pay == Money(
        Decimal("0.00"), "EUR"
    )


def test_invoices_page_links_each_open_invoice_document(client, shop):
    body = get(client, shop, "C-1001", "/account/invoices/").content.decode()
    numbers = [i.number for i in shop.gateway.open_invoices(customer="C-1001")]
    assert numbers == seeded_invoices(shop.server, "C-1001")
    assert len(numbers) == 1  # the loop below checks one invoice at least
    for number in numbers:
        assert f'href="/account/invoices/{number}.pdf"' in body


@pytest.mark.parametrize(
    "path",
    [
        "/account/invoices/{other}.pdf",  # another company's invoice
        "/account/invoices/INV-99999.pdf",  # no such invoice
        "/account/invoices/{other}%20.pdf",
        "/account/invoices/" + "X" * 80 + ".pdf",
        "/account/invoices/SO-00001.pdf",  # a sale number is not an invoice
    ],
)
def test_another_companys_or_a_missing_invoice_answers_404(client, shop, path):
    other = seeded_invoices(shop.server, "C-1002")[0]
    response = get(client, shop, "C-1001", path.format(other=other))
    assert response.status_code == 404
    assert other.encode() not in response.content


def test_every_invoice_of_another_company_answers_404(client, shop):
    """The wall, for every object: each seeded invoice of a company the buyer doesn't buy for."""
    mine = set(seeded_invoices(shop.server, "C-1004"))
    others = [i["number"] for i in shop.server.manifest["invoices"] if i["number"] not in mine]
    assert len(others) == 13
    client.force_login(shop.buyers["C-1004"])
    for number in others:
        assert client.get(f"/account/invoices/{number}.pdf", HTTP_HOST=HOST).status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in(client, shop):
    number = seeded_invoices(shop.server, "C-1001")[0]
    response = client.get(f"/account/invoices/{number}.pdf", HTTP_HOST=HOST)
    assert response.status_code == 302 and response["Location"].startswith(
        "/account/sign-in/?next="
    )


def test_erp_away_answers_with_a_message_not_a_broken_file(client, shop):
    number = seeded_invoices(shop.server, "C-1001")[0]
    with erp_away():
        response = get(client, shop, "C-1001", f"/account/invoices/{number}.pdf")
    assert response.status_code == 302 and response["Location"] == "/account/invoices/"
    page = client.get("/account/invoices/", HTTP_HOST=HOST).content.decode()
    assert "the invoice document can&#x27;t be made: please try again in a few minutes." in page

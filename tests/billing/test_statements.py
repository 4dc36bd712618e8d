"""Invoice history and the statement of account against the real ERP: the invoices page lists
the company's issued invoices, open and paid; the statement PDF (read back with pypdf) holds
the credit, the open invoices with what is due and overdue, and the history, in the
currency's digits; another company's invoices never appear."""

from __future__ import annotations

import datetime
import io
import re

import pypdf
import pytest

from storefleet.erp.types import PaymentRequest
from tests.erp.conftest import erp_away

from .conftest import HOST, seeded_invoices

pytestmark = pytest.mark.django_db


def get(client, shop, code, path):
    client.force_login(shop.buyers[code])
    return client.get(path, HTTP_HOST=HOST)


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_statement_holds_credit_open_invoices_and_what_is_overdue(client, shop):
    (number,) = seeded_invoices(shop.server, "C-1001")
    calls = shop.gateway.backend.request_count()
    text = pdf_text(get(client, shop, "C-1001", "/account/invoices/statement.pdf"))
    assert shop.gateway.backend.request_count() - calls <= 4  # credit, open, history (+login)
    assert "Statement of account" in text and "Nordwerk Maschinenbau GmbH" in text
    assert "Customer C-1001" in text and "Credit limit" in text
    assert number in text and "Overdue €1,414.26" in text
    assert "Total to pay €1,414.26" in text
    assert "Some invoices are overdue" in text
    # Every amount in the currency's two digits.
    assert not re.search(r"€ ?[\d,]+\.\d{3}", text)


def test_a_paid_invoice_moves_to_the_history_as_paid(client, shop):
    numbers = seeded_invoices(shop.server, "C-1002")
    document = shop.gateway.invoice_document(customer="C-1002", number=numbers[0])
    shop.gateway.record_payment(
        payment=PaymentRequest(
            customer="C-1002",
            invoice_numbers=(numbers[0],),
            amount=document.amount_to_pay,
            date=datetime.date.today(),
            idempotency_key="statement-pay",
        )
    )
    body = get(client, shop, "C-1002", "/account/invoices/").content.decode()
    history = body[body.index("Invoice history") :]
    assert 'href="/account/invoices/statement.pdf"' in history
    for number in numbers:
        assert f'data-history-invoice="{number}"' in history
    paid_row = history[history.index(f'data-history-invoice="{numbers[0]}"') :].split("</tr>")[0]
    assert "<td>Paid</td>" in paid_row
    text = pdf_text(get(client, shop, "C-1002", "/account/invoices/statement.pdf"))
    open_part, history_part = text.split("Invoice history")
    assert numbers[0] not in open_part and numbers[1] in open_part
    assert numbers[0] in history_part and "Paid" in history_part
    assert f"€{document.total.amount:,}" in history_part


def test_another_companys_invoices_never_appear(client, shop):
    others = seeded_invoices(shop.server, "C-1001") + seeded_invoices(shop.server, "C-1002")
    assert len(others) == 3  # the loop below checks each of them
    body = get(client, shop, "C-1004", "/account/invoices/").content.decode()
    text = pdf_text(get(client, shop, "C-1004", "/account/invoices/statement.pdf"))
    for number in others:
        assert number not in body and number not in text
    assert "No invoices yet." in body
    assert "No open invoices." in text and "Nothing to pay" in text


def test_statement_while_the_erp_is_away_says_so(client, shop):
    with erp_away():
        response = get(client, shop, "C-1001", "/account/invoices/statement.pdf")
        body = client.get("/account/invoices/", HTTP_HOST=HOST).content.decode()
    assert (response.status_code, response["Location"]) == (302, "/account/invoices/")
    assert "the statement can&#x27;t be made" in body
    assert "your invoice history will be back in a few minutes" in body

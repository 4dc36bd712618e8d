"""Where a quote request starts (a saved list, quick order, a product page, an expired quote
to renew), the drawing or spec attached to it (judged by its contents, kept private, served
only to the company and the store's agents: a matrix), and a declined quote's ERP quotation
cancelled through the outbox."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from storefleet.catalog.models import Product
from storefleet.erp.errors import ErpRejected
from storefleet.lists.models import SavedList, SavedListLine
from storefleet.ordering.models import CartLine
from storefleet.outbox.models import Message, State
from storefleet.quotes import attachments, negotiation
from storefleet.quotes.kinds import DECLINE_QUOTE, REQUEST_QUOTE
from storefleet.quotes.models import QuoteAttachment, QuoteRequest, QuoteState
from storefleet.service.services import service_agent_add
from storefleet.tenants.models import Store
from tests.factories import build_brand

from .conftest import HOST, erp_entered_quotation
from .test_negotiation import ADMIN, agent, quoted  # noqa: F401  (fixtures)
from .test_services import carry, erp_sale

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(20)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20)
DXF = b"999\nmade by hand\n  0\nSECTION\n  2\nHEADER\n  0\nENDSEC\n  0\nEOF\n"
STEP = b"ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('bracket'),'2;1');\nENDSEC;\n"


def as_buyer(client, shop, code: str = "C-1004"):  # type: ignore[no-untyped-def]
    client.force_login(shop.buyers[code])
    return client


def prefilled(response) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """The (SKU, quantity) rows the request form shows filled in."""
    page = response.content.decode()
    skus = [v for v in _values(page, "sku") if v]
    quantities = _values(page, "quantity")[: len(skus)]
    return list(zip(skus, quantities, strict=True))


def _values(page: str, name: str) -> list[str]:
    import re

    return re.findall(rf'<input type="text" name="{name}"[^>]*value="([^"]*)"', page)


def request_form(**overrides) -> dict:
    data = {
        "token": secrets.token_hex(16),
        "sku": ["FAS-1003", ""],
        "quantity": ["10", ""],
        "target_price": ["", ""],
        "note": ["to drawing B-17", ""],
        "requested_date": "",
        "message": "",
    }
    data.update(overrides)
    return data


def saved_list(shop, code: str, *, shared: bool = False) -> SavedList:
    membership = shop.membership(code)
    made = SavedList.objects.create(
        store_id=shop.store.id,
        company=membership.company,
        owner=membership.user,
        name=f"Restock {code}",
        shared=shared,
    )
    for sku, quantity in (("FAS-1003", Decimal(25)), ("BRG-1003", Decimal("4"))):
        SavedListLine.objects.create(
            saved_list=made, product=Product.objects.get(sku=sku), quantity=quantity
        )
    return made


# ------------------------------------------------------------------ entry points
def test_a_saved_list_starts_a_request_with_its_lines(client, shop):
    mine = saved_list(shop, "C-1004")
    buyer = as_buyer(client, shop)
    page = buyer.get(f"/lists/{mine.id}/", HTTP_HOST=HOST).content.decode()
    assert f'href="/quotes/new/?from=list&amp;list={mine.id}"' in page
    form = buyer.get(f"/quotes/new/?from=list&list={mine.id}", HTTP_HOST=HOST)
    assert form.status_code == 200
    assert prefilled(form) == [("FAS-1003", "25"), ("BRG-1003", "4")]


@pytest.mark.parametrize(
    ("owner", "shared", "viewer", "found"),
    [
        ("C-1004", False, "C-1004", True),  # one's own
        ("C-1001", False, "C-1004", False),  # another company's
        ("C-1001", True, "C-1004", False),  # another company's, shared in that company
    ],
)
def test_a_list_prefills_only_for_who_may_see_it(client, shop, owner, shared, viewer, found):
    listed = saved_list(shop, owner, shared=shared)
    response = as_buyer(client, shop, viewer).get(
        f"/quotes/new/?from=list&list={listed.id}", HTTP_HOST=HOST
    )
    assert response.status_code == (200 if found else 404)
    if not found:
        assert b"FAS-1003" not in response.content


def test_a_colleagues_unshared_list_is_not_found(client, shop):
    membership = shop.membership("C-1004")
    colleague = get_user_model().objects.create_user("colleague", "c@c-1004.example", "x")
    membership.company.memberships.create(user=colleague, role=membership.role)
    private = SavedList.objects.create(
        store_id=shop.store.id, company=membership.company, owner=colleague, name="Mine"
    )
    response = as_buyer(client, shop).get(
        f"/quotes/new/?from=list&list={private.id}", HTTP_HOST=HOST
    )
    assert response.status_code == 404


@pytest.mark.parametrize("hostile", ["", "abc", "-1", "9" * 40, "1e3"])
def test_a_hostile_list_id_is_a_404_never_a_500(client, shop, hostile):
    response = as_buyer(client, shop).get(f"/quotes/new/?from=list&list={hostile}", HTTP_HOST=HOST)
    assert response.status_code == 404


def test_quick_order_lines_become_a_request_not_cart_lines(client, shop):
    buyer = as_buyer(client, shop)
    page = buyer.get("/quick-order/", HTTP_HOST=HOST).content.decode()
    assert 'name="action" value="quote"' in page
    response = buyer.post(
        "/quick-order/",
        {"lines": "FAS-1003 40\nbrg-1003; 3", "action": "quote"},
        HTTP_HOST=HOST,
    )
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == "/quotes/new/"
    assert parse_qsl(target.query) == [
        ("sku", "FAS-1003"),
        ("quantity", "40"),
        ("sku", "BRG-1003"),
        ("quantity", "3"),
    ]
    assert not CartLine.objects.filter(cart__company=shop.membership("C-1004").company).exists()
    form = buyer.get(response["Location"], HTTP_HOST=HOST)
    assert prefilled(form) == [("FAS-1003", "40"), ("BRG-1003", "3")]


def test_a_product_page_offers_a_quote_for_a_quantity(client, shop):
    page = as_buyer(client, shop).get("/catalog/FAS-1003/", HTTP_HOST=HOST).content.decode()
    assert 'class="request-quote" method="get" action="/quotes/new/"' in page
    assert '<input type="hidden" name="sku" value="FAS-1003">' in page
    form = client.get("/quotes/new/?sku=FAS-1003&quantity=500", HTTP_HOST=HOST)
    assert prefilled(form) == [("FAS-1003", "500")]


def test_a_hostile_prefill_is_capped_and_escaped(client, shop):
    query = "&".join(["sku=%3Cscript%3Ex&quantity=1"] * 80)
    response = as_buyer(client, shop).get(f"/quotes/new/?{query}", HTTP_HOST=HOST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>x" not in page and page.count('value="&lt;script&gt;x"') == 50
    assert "at most 50 lines" in page


def test_an_expired_quote_says_how_to_renew_with_its_lines_prefilled(client, shop):
    number = erp_entered_quotation(
        shop,
        "C-1004",
        [("FAS-1003", Decimal(20), Decimal("0.30"))],
        quoted_on=datetime.date.today() - datetime.timedelta(days=40),
    )
    page = as_buyer(client, shop).get(f"/quotes/erp/{number}/", HTTP_HOST=HOST)
    text = page.content.decode()
    assert "can no longer be accepted" in text and "request a new quote" in text
    assert 'href="/quotes/new/?sku=FAS-1003&amp;quantity=20"' in text
    refused = client.post(f"/quotes/erp/{number}/accept/", HTTP_HOST=HOST, follow=True)
    assert "can no longer be accepted" in refused.content.decode()
    assert not QuoteRequest.objects.filter(erp_number=number, state=QuoteState.ACCEPTING)


# ------------------------------------------------------------------ the attachment
@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("B-17 bracket.pdf", PDF, "application/pdf"),
        ("photo.PNG", PNG, "image/png"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("flange.dxf", DXF, "image/vnd.dxf"),
        ("housing.stp", STEP, "model/step"),
    ],
)
def test_an_allowed_file_is_recognised_by_its_contents(name, data, content_type):
    upload = attachments.upload_read(name=name, size=len(data), chunks=[data])
    assert upload.kind.content_type == content_type and upload.data == data


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("drawing.pdf", b"<html><script>alert(1)</script></html>", "is not a PDF file inside"),
        ("drawing.png", PDF, "is not a PNG file inside"),
        ("spec.step", b"MZ\x90\x00" + bytes(40), "is not a STEP file inside"),
        ("setup.exe", b"MZ\x90\x00", "is none of these"),
        ("drawing", PDF, "is none of these"),
        ("drawing.svg", b"<svg onload=alert(1)>", "is none of these"),
        ("empty.pdf", b"", "is empty"),
        ("huge.pdf", PDF + bytes(attachments.MAX_BYTES), "at most 8 MB"),
    ],
)
def test_a_hostile_upload_is_refused_with_what_to_do_and_nothing_saved(
    client, shop, name, data, says
):
    response = as_buyer(client, shop).post(
        "/quotes/new/",
        request_form(attachment=SimpleUploadedFile(name, data, "application/pdf")),
        HTTP_HOST=HOST,
    )
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not QuoteRequest.objects.exists() and not QuoteAttachment.objects.exists()
    assert not Message.objects.filter(kind=REQUEST_QUOTE).exists()


def test_a_body_larger_than_any_attachment_is_refused_before_it_is_read(client, shop):
    response = as_buyer(client, shop).post(
        "/quotes/new/",
        request_form(attachment=SimpleUploadedFile("a.pdf", PDF)),
        HTTP_HOST=HOST,
        CONTENT_LENGTH=str(attachments.MAX_BYTES * 4),  # what a hostile client announces
    )
    assert response.status_code == 413
    assert "at most 8 MB: yours is larger" in response.content.decode()
    assert not QuoteRequest.objects.exists() and not QuoteAttachment.objects.exists()


def test_a_file_name_cannot_escape_nor_inject():
    upload = attachments.upload_read(
        name='..\\..\\etc/"evil"\r\nX-Header: 1;.pdf', size=None, chunks=[PDF]
    )
    assert "/" not in upload.name and "\\" not in upload.name and "\n" not in upload.name
    assert '"' not in upload.name and upload.name.endswith(".pdf")


@pytest.fixture
def with_drawing(client, shop, validity) -> QuoteRequest:  # type: ignore[no-untyped-def]
    response = as_buyer(client, shop).post(
        "/quotes/new/",
        request_form(attachment=SimpleUploadedFile("B-17 bracket.pdf", PDF, "text/html")),
        HTTP_HOST=HOST,
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    client.logout()
    return QuoteRequest.objects.get()


def test_the_drawing_goes_with_the_request_and_the_erp_is_told(client, shop, with_drawing):
    stored = QuoteAttachment.objects.get(quote=with_drawing)
    assert bytes(stored.data) == PDF and stored.content_type == "application/pdf"
    assert stored.size == len(PDF) and stored.name == "B-17 bracket.pdf"
    carry(REQUEST_QUOTE, with_drawing)
    with_drawing.refresh_from_db()
    comment = shop.server.client().search_read(
        "sale.sale", [["number", "=", with_drawing.erp_number]], ["comment"]
    )[0]["comment"]
    assert f"Attachment: B-17 bracket.pdf (on RFQ {with_drawing.id}" in comment
    page = as_buyer(client, shop).get(f"/quotes/{with_drawing.id}/", HTTP_HOST=HOST)
    assert f'href="/quotes/{with_drawing.id}/attachment/"' in page.content.decode()


def test_the_buyer_downloads_the_drawing_as_a_file_never_a_page(client, shop, with_drawing):
    response = as_buyer(client, shop).get(f"/quotes/{with_drawing.id}/attachment/", HTTP_HOST=HOST)
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf"  # sniffed, not the browser's text/html
    assert response["Content-Disposition"].startswith('attachment; filename="B-17 bracket.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("C-1004", 200),  # the requesting company
        ("C-1001", 404),  # another company of the store
        ("C-1002", 404),
        ("anonymous", 302),  # sent to sign in, nothing shown
    ],
)
def test_the_drawing_is_walled_on_the_storefront(client, shop, with_drawing, who, status):
    if who != "anonymous":
        as_buyer(client, shop, who)
    response = client.get(f"/quotes/{with_drawing.id}/attachment/", HTTP_HOST=HOST)
    assert response.status_code == status
    assert (PDF in response.content) is (status == 200)


def test_the_drawing_is_walled_in_the_console(client, shop, agent, with_drawing):  # noqa: F811
    url = reverse("service_quote_attachment", args=[with_drawing.id])
    client.force_login(agent)
    page = client.get(reverse("service_quote", args=[with_drawing.id]), HTTP_HOST=ADMIN)
    assert url in page.content.decode()
    response = client.get(url, HTTP_HOST=ADMIN)
    assert response.status_code == 200 and response.content == PDF
    hydra = build_brand("hydra", "Hydra Flow Systems", "USD", "US", "#005f73")
    stranger = get_user_model().objects.create_user("hydra.agent", "hydra@example.com", "x")
    service_agent_add(store=hydra.store, user=stranger)
    client.force_login(stranger)
    response = client.get(url, HTTP_HOST=ADMIN)
    assert response.status_code == 404 and PDF not in response.content
    client.force_login(shop.buyers["C-1004"])  # a buyer is no agent, even of their own quote
    response = client.get(url, HTTP_HOST=ADMIN)
    assert response.status_code in (302, 403) and PDF not in response.content
    assert Store.objects.filter(pk=shop.store.id).exists()


# ------------------------------------------------------------------ declining cancels in the ERP
def test_declining_cancels_the_erp_quotation_once(
    client,
    shop,
    quoted,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    assert erp_sale(shop, quoted.erp_number)["state"] == "quotation"
    buyer = as_buyer(client, shop)
    buyer.post(f"/quotes/{quoted.id}/decline/", {"comment": "Too dear"}, HTTP_HOST=HOST)
    buyer.post(f"/quotes/{quoted.id}/decline/", {"comment": "Too dear"}, HTTP_HOST=HOST)
    (message,) = Message.objects.filter(kind=DECLINE_QUOTE)
    assert message.key == f"decline:{quoted.key}" and message.subject == str(quoted.id)
    assert erp_sale(shop, quoted.erp_number)["state"] == "quotation"  # owed, not done inline
    outcome = carry(DECLINE_QUOTE, quoted)
    assert outcome.state == State.DONE
    assert erp_sale(shop, quoted.erp_number)["state"] == "cancelled"
    # Run again (a retry after a lost answer): the cancelled quotation is left so.
    again = shop.gateway.cancel_quotation(customer="C-1004", number=quoted.erp_number)
    assert again.state == "cancelled"
    page = buyer.get(f"/quotes/{quoted.id}/", HTTP_HOST=HOST).content.decode()
    assert 'data-status="declined"' in page


def test_a_quotation_confirmed_meanwhile_is_not_cancelled_and_the_agents_hear_of_it(
    shop,
    quoted,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    negotiation.quote_decline(principal=shop.principal("C-1004"), quote_id=quoted.id)
    shop.gateway.accept_quotation(customer="C-1004", number=quoted.erp_number)  # in the ERP
    outcome = carry(DECLINE_QUOTE, quoted)
    assert outcome.state == State.FAILED and "can't be cancelled" in outcome.note
    assert erp_sale(shop, quoted.erp_number)["state"] in ("confirmed", "processing")
    quoted.refresh_from_db()
    assert "can't be cancelled" in quoted.error
    with pytest.raises(ErpRejected):
        shop.gateway.cancel_quotation(customer="C-1004", number=quoted.erp_number)


def test_another_customers_quotation_is_not_found_to_cancel(shop, quoted):  # noqa: F811
    from storefleet.erp.errors import ErpNotFound

    with pytest.raises(ErpNotFound):
        shop.gateway.cancel_quotation(customer="C-1001", number=quoted.erp_number)
    assert erp_sale(shop, quoted.erp_number)["state"] == "quotation"

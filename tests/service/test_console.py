"""The service agents' console against the real ERP: who may open it and which companies they
see (the matrix), search, the company page (and the ERP away), and each action's happy and
bad-input paths with their audit records."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from storefleet.ordering.models import OrderCancellation, OrderStatus, ReturnRequest
from storefleet.ordering.selectors import order_submission, return_filing
from storefleet.ordering.submission import outbox_process
from storefleet.service.models import ActionKind, ServiceAction
from tests.erp.conftest import erp_away
from tests.ordering.test_returns import PARTLY_SHIPPED, erp_quotation, erp_state
from tests.ordering.test_services import checkout, fill

pytestmark = pytest.mark.django_db

ADMIN = "localhost"


def company_urls(company_id: int) -> list[tuple[str, str, dict]]:
    """Every company URL of the console: (method, url, data)."""
    cancel = reverse("service_order_cancel", args=[company_id])
    resend = reverse("service_confirmation_resend", args=[company_id])
    ret = reverse("service_return_create", args=[company_id, "SO-00001"])
    act = reverse("service_acting_start", args=[company_id])
    return [
        ("get", reverse("service_company", args=[company_id]), {}),
        ("get", reverse("service_order", args=[company_id, "SO-00001"]), {}),
        ("get", cancel + "?number=SO-00001", {}),
        ("post", cancel, {"number": "SO-00001"}),
        ("get", resend + "?number=SO-00001", {}),
        ("post", resend, {"number": "SO-00001"}),
        ("get", ret, {}),
        ("post", ret, {"reason": "damaged", "qty_0": "1", "submit_token": "t"}),
        ("get", reverse("service_invoice_document", args=[company_id, "INV-1"]), {}),
        ("get", act, {}),
        ("post", act, {"member": "1", "store": "1"}),
    ]


def call(client: Client, method: str, url: str, data: dict):  # type: ignore[no-untyped-def]
    return getattr(client, method)(url, data, HTTP_HOST=ADMIN)


# ------------------------------------------------------------------ the matrix
def test_agent_of_ferrum_gets_404_for_every_url_of_a_company_buying_only_in_hydra(client, desk):
    before = erp_state(desk.shop, "SO-00001")
    client.force_login(desk.agent)
    for method, url, data in company_urls(desk.rossi.id):
        response = call(client, method, url, data)
        assert response.status_code == 404, (method, url, response.status_code)
    assert not ServiceAction.objects.exists()
    assert not OrderCancellation.objects.exists() and not ReturnRequest.objects.exists()
    assert erp_state(desk.shop, "SO-00001") == before


def test_editor_without_the_permission_is_denied_the_console_and_its_menu(client, desk):
    client.force_login(desk.editor)
    nordwerk = desk.company("C-1001")
    for method, url, data in [
        ("get", reverse("service_search"), {}),
        *company_urls(nordwerk.id),
    ]:
        response = call(client, method, url, data)
        assert response.status_code in (302, 403), (method, url, response.status_code)
        assert nordwerk.name not in response.content.decode()
    dashboard = client.get(reverse("wagtailadmin_home"), HTTP_HOST=ADMIN)
    assert "Customer service" not in dashboard.content.decode()
    assert not ServiceAction.objects.exists()


def test_agent_sees_the_menu_and_only_the_companies_of_their_store(client, desk):
    client.force_login(desk.agent)
    dashboard = client.get(reverse("wagtailadmin_home"), HTTP_HOST=ADMIN)
    assert "Customer service" in dashboard.content.decode()
    response = client.get(reverse("service_search"), HTTP_HOST=ADMIN)
    assert [c.code for c in response.context["page"]] == ["C-1002", "C-1001", "C-1004"]
    # Searching by its code finds no company of another store.
    response = client.get(reverse("service_search"), {"q": "C-1005"}, HTTP_HOST=ADMIN)
    assert list(response.context["page"]) == []
    assert desk.rossi.name not in response.content.decode()


def test_superuser_sees_every_company(client, desk):
    client.force_login(desk.superuser)
    response = client.get(reverse("service_search"), {"q": "C-100"}, HTTP_HOST=ADMIN)
    assert "C-1005" in [c.code for c in response.context["page"]]
    page = client.get(reverse("service_company", args=[desk.rossi.id]), HTTP_HOST=ADMIN)
    assert page.status_code == 200 and desk.rossi.name in page.content.decode()


# ------------------------------------------------------------------ search
@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("c-1004", ["C-1004"]),
        ("nordwerk", ["C-1001"]),
        ("buyer@c-1002.example", ["C-1002"]),
        (PARTLY_SHIPPED, ["C-1004"]),  # an ERP sale's number, mirrored
        ("nothing-like-this", []),
        ("x" * 500, []),
    ],
)
def test_search_by_code_name_member_email_or_order_number(client, desk, query, codes):
    from storefleet.erp.sync import erp_sync

    erp_sync(name="sales", full=True)
    client.force_login(desk.agent)
    response = client.get(reverse("service_search"), {"q": query}, HTTP_HOST=ADMIN)
    assert response.status_code == 200
    assert [c.code for c in response.context["page"]] == codes


def test_search_results_are_paginated(client, desk):
    from django.utils import timezone

    from storefleet.accounts.models import Company

    ferrum = desk.shop.store.id
    for n in range(25):
        company = Company.objects.create(
            erp_id=90000 + n, code=f"Z-{n:03}", name=f"Zeta {n:03}", erp_write_date=timezone.now()
        )
        company.stores.add(ferrum)
    client.force_login(desk.agent)
    first = client.get(reverse("service_search"), {"q": "zeta"}, HTTP_HOST=ADMIN)
    second = client.get(reverse("service_search"), {"q": "zeta", "p": 2}, HTTP_HOST=ADMIN)
    assert [c.code for c in first.context["page"]] == [f"Z-{n:03}" for n in range(20)]
    assert [c.code for c in second.context["page"]] == [f"Z-{n:03}" for n in range(20, 25)]
    assert "Page 1 of 2 (25 companies)" in first.content.decode()


# ------------------------------------------------------------------ the company page
def test_company_page_shows_contacts_credit_orders_shipments_invoices(client, desk):
    from storefleet.erp.sync import erp_sync

    erp_sync(name="sales", full=True)
    c = desk.company("C-1004")
    client.force_login(desk.agent)
    response = client.get(reverse("service_company", args=[c.id]), HTTP_HOST=ADMIN)
    body = response.content.decode()
    page = response.context["page"]
    assert response.status_code == 200 and page.erp_fresh
    assert "buyer@c-1004.example" in body
    assert page.statement is not None and page.statement.credit.customer == "C-1004"
    numbers = [s.record.number for s in page.sales]
    assert PARTLY_SHIPPED in numbers
    assert reverse("service_return_create", args=[c.id, PARTLY_SHIPPED]) in body
    assert any(sale.record.number == PARTLY_SHIPPED for sale, _ in page.shipments)
    assert "The ERP can't be reached" not in body
    nordwerk = desk.company("C-1001")
    response = client.get(reverse("service_company", args=[nordwerk.id]), HTTP_HOST=ADMIN)
    invoices = response.context["page"].statement.invoices
    assert invoices
    for invoice in invoices:
        url = reverse("service_invoice_document", args=[nordwerk.id, invoice.number])
        assert url in response.content.decode()


def test_invoice_pdf_of_the_company_and_not_of_another(client, desk):
    c = desk.company("C-1001")
    invoices = desk.shop.gateway.open_invoices(customer="C-1001")
    other = desk.shop.gateway.open_invoices(customer="C-1005")
    assert invoices and other
    client.force_login(desk.agent)
    pdf = client.get(
        reverse("service_invoice_document", args=[c.id, invoices[0].number]), HTTP_HOST=ADMIN
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    denied = client.get(
        reverse("service_invoice_document", args=[c.id, other[0].number]), HTTP_HOST=ADMIN
    )
    assert denied.status_code == 404


def test_company_page_says_it_shows_the_mirror_while_the_erp_is_away(client, desk):
    from storefleet.erp.sync import erp_sync

    erp_sync(name="sales", full=True)
    c = desk.company("C-1004")
    client.force_login(desk.agent)
    with erp_away():
        response = client.get(reverse("service_company", args=[c.id]), HTTP_HOST=ADMIN)
    body = response.content.decode()
    assert response.status_code == 200 and not response.context["page"].erp_fresh
    assert "The ERP can't be reached right now." in body
    assert "the platform's mirror" in body
    assert PARTLY_SHIPPED in body  # the mirror still shows the orders


# ------------------------------------------------------------------ cancel
def test_agent_cancels_an_order_once_with_a_confirmation_step(client, desk):
    number = erp_quotation(desk.shop, "C-1001")
    c = desk.company("C-1001")
    client.force_login(desk.agent)
    url = reverse("service_order_cancel", args=[c.id])
    confirm = client.get(url, {"number": number}, HTTP_HOST=ADMIN)
    assert confirm.status_code == 200 and f"Cancel order {number}?" in confirm.content.decode()
    assert erp_state(desk.shop, number) == "quotation"  # a GET changes nothing
    done = client.post(url, {"number": number}, HTTP_HOST=ADMIN, follow=True)
    assert f"Order {number} is cancelled." in done.content.decode()
    assert erp_state(desk.shop, number) == "cancelled"
    again = client.post(url, {"number": number}, HTTP_HOST=ADMIN, follow=True)
    assert f"Order {number} was already cancelled." in again.content.decode()
    (action,) = ServiceAction.objects.all()
    assert (action.agent, action.company, action.action, action.target) == (
        desk.agent,
        c,
        ActionKind.ORDER_CANCEL,
        number,
    )
    assert OrderCancellation.objects.get().cancelled_by == desk.agent


def test_cancel_the_erp_refuses_says_why_and_records_nothing(client, desk):
    c = desk.company("C-1004")
    client.force_login(desk.agent)
    url = reverse("service_order_cancel", args=[c.id])
    for _ in range(2):
        response = client.post(url, {"number": PARTLY_SHIPPED}, HTTP_HOST=ADMIN, follow=True)
        assert "already being processed by our ERP" in response.content.decode()
    assert erp_state(desk.shop, PARTLY_SHIPPED) == "processing"
    assert not ServiceAction.objects.exists() and not OrderCancellation.objects.exists()


def test_cancel_without_a_csrf_token_is_refused(desk):
    number = erp_quotation(desk.shop, "C-1001")
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk.agent)
    url = reverse("service_order_cancel", args=[desk.company("C-1001").id])
    assert client.post(url, {"number": number}, HTTP_HOST=ADMIN).status_code == 403
    assert erp_state(desk.shop, number) == "quotation"


# ------------------------------------------------------------------ returns
def return_url(desk, code: str = "C-1004", number: str = PARTLY_SHIPPED) -> str:
    return reverse("service_return_create", args=[desk.company(code).id, number])


def test_agent_files_a_return_for_shipped_lines_once(
    client, desk, django_capture_on_commit_callbacks
):
    client.force_login(desk.agent)
    form = client.get(return_url(desk), HTTP_HOST=ADMIN)
    rows = [(r.sku, r.shipped, r.returnable) for r in form.context["form"].rows]
    assert rows == [("BRG-1009", Decimal(20), Decimal(20)), ("PTR-1011", Decimal(10), Decimal(10))]
    data = {
        "qty_0": "5",
        "qty_1": "0",
        "reason": "damaged",
        "reason_text": "",
        "submit_token": "ag-1",
    }
    with django_capture_on_commit_callbacks(execute=False):
        done = client.post(return_url(desk), data, HTTP_HOST=ADMIN, follow=True)
        again = client.post(return_url(desk), data, HTTP_HOST=ADMIN, follow=True)
    made = ReturnRequest.objects.get()
    assert f"Return {made.number} of order {PARTLY_SHIPPED} is filed" in done.content.decode()
    assert again.status_code == 200
    assert made.requested_by == desk.agent and made.company == desk.company("C-1004")
    assert [(line.sku, line.quantity) for line in made.lines.all()] == [("BRG-1009", Decimal(5))]
    (action,) = ServiceAction.objects.all()
    assert (action.action, action.target) == (ActionKind.RETURN_CREATE, made.number)
    assert action.detail == f"order {PARTLY_SHIPPED}: 5 BRG-1009 (Arrived damaged)"
    # The worker's step files it in the ERP; the page then shows the ERP's number.
    outbox_process(message_id=return_filing(return_id=made.id).id, claim=0)
    made.refresh_from_db()
    assert made.erp_number
    page = client.get(reverse("service_company", args=[made.company_id]), HTTP_HOST=ADMIN)
    assert made.erp_number in page.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"qty_0": "999"}, "qty_0", "BRG-1009: you can return at most"),
        ({"qty_1": "11"}, "qty_1", "PTR-1011: you can return at most 10 Unit (10 shipped"),
        ({"qty_0": "0"}, None, "Pick at least one line"),
        ({"qty_0": "-1"}, "qty_0", "greater than or equal to 0"),
        ({"qty_0": "2", "reason": "other"}, "reason", "Tell us why"),
        ({"qty_0": "2", "reason": ""}, "reason", "This field is required"),
    ],
)
def test_bad_return_says_what_to_fix_and_files_nothing(client, desk, data, field, text):
    client.force_login(desk.agent)
    posted = {"qty_0": "0", "qty_1": "0", "reason": "damaged", "submit_token": "bad", **data}
    response = client.post(return_url(desk), posted, HTTP_HOST=ADMIN)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(text in e for e in errors.get(field or "__all__", [])), errors
    assert text.split(":")[0] in response.content.decode()
    assert ReturnRequest.objects.count() == 0
    assert not ReturnRequest.objects.exists() and not ServiceAction.objects.exists()


def test_return_of_an_order_with_nothing_shipped_says_so(client, desk):
    client.force_login(desk.agent)
    url = return_url(desk, "C-1001", "SO-00001")
    response = client.post(
        url, {"qty_0": "1", "reason": "damaged", "submit_token": "x"}, HTTP_HOST=ADMIN
    )
    assert "has been shipped yet" in response.content.decode()
    assert not ReturnRequest.objects.exists() and not ServiceAction.objects.exists()


# ------------------------------------------------------------------ resend confirmation
def test_agent_resends_an_order_confirmation(client, desk):
    fill(desk.shop, "C-1004", "FAS-1003 10")
    order = checkout(desk.shop, "C-1004", token="resend-1")
    outbox_process(message_id=order_submission(order_id=order.id).id)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED and len(mail.outbox) == 1
    client.force_login(desk.agent)
    url = reverse("service_confirmation_resend", args=[order.company_id])
    confirm = client.get(url, {"number": order.number}, HTTP_HOST=ADMIN)
    assert "buyer@c-1004.example" in confirm.content.decode() and len(mail.outbox) == 1
    done = client.post(url, {"number": order.number}, HTTP_HOST=ADMIN, follow=True)
    assert (
        f"The confirmation of order {order.number} went to buyer@c-1004.example."
        in done.content.decode()
    )
    assert [m.to for m in mail.outbox] == [["buyer@c-1004.example"]] * 2
    assert mail.outbox[1].subject == mail.outbox[0].subject
    (action,) = ServiceAction.objects.all()
    assert (action.action, action.target, action.detail) == (
        ActionKind.CONFIRMATION_RESEND,
        order.number,
        "sent to buyer@c-1004.example",
    )


def test_resend_of_an_unconfirmed_or_unknown_order_sends_nothing(client, desk):
    fill(desk.shop, "C-1004", "FAS-1003 10")
    order = checkout(desk.shop, "C-1004", token="resend-2")  # still in the outbox
    client.force_login(desk.agent)
    url = reverse("service_confirmation_resend", args=[order.company_id])
    response = client.post(url, {"number": order.number}, HTTP_HOST=ADMIN, follow=True)
    assert "is not confirmed by the ERP" in response.content.decode()
    other = reverse("service_confirmation_resend", args=[desk.company("C-1001").id])
    assert client.post(other, {"number": order.number}, HTTP_HOST=ADMIN).status_code == 404
    assert not mail.outbox and not ServiceAction.objects.exists()


# ------------------------------------------------------------------ a company in two stores
def test_a_web_order_placed_in_a_store_the_agent_does_not_serve_is_not_theirs(client, desk):
    from storefleet.ordering.models import Order

    c = desk.company("C-1004")
    c.stores.add(desk.hydra.store)
    hydra_order = Order.objects.create(
        number="WEB-HYDRA-1",
        store_id=desk.hydra.store.pk,
        company=c,
        placed_by=desk.shop.buyers["C-1004"],
        submit_token="hydra-1",
        ship_to=c.addresses.filter(is_ship_to=True).first(),
        currency="USD",
    )
    client.force_login(desk.agent)
    page = client.get(reverse("service_company", args=[c.id]), HTTP_HOST=ADMIN)
    assert page.status_code == 200 and "WEB-HYDRA-1" not in page.content.decode()
    assert [s.name for s in page.context["page"].stores] == ["Ferrum Industrial Components"]
    cancel = reverse("service_order_cancel", args=[c.id])
    response = client.post(cancel, {"number": "WEB-HYDRA-1"}, HTTP_HOST=ADMIN, follow=True)
    assert "We can&#x27;t find that order." in response.content.decode()
    ret = reverse("service_return_create", args=[c.id, "WEB-HYDRA-1"])
    assert client.get(ret, HTTP_HOST=ADMIN).status_code == 404
    resend = reverse("service_confirmation_resend", args=[c.id])
    assert client.post(resend, {"number": "WEB-HYDRA-1"}, HTTP_HOST=ADMIN).status_code == 404
    hydra_order.refresh_from_db()
    assert hydra_order.status == OrderStatus.RECEIVED
    assert not OrderCancellation.objects.exists() and not ServiceAction.objects.exists()
    # The superuser serves every store.
    client.force_login(desk.superuser)
    page = client.get(reverse("service_company", args=[c.id]), HTTP_HOST=ADMIN)
    assert "WEB-HYDRA-1" in page.content.decode()


def test_search_takes_the_same_queries_for_a_page_of_3_or_20_companies(client, desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from storefleet.accounts.models import Company

    client.force_login(desk.agent)
    url = reverse("service_search")
    client.get(url, HTTP_HOST=ADMIN)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as few:
        client.get(url, HTTP_HOST=ADMIN)
    for n in range(30):
        company = Company.objects.create(
            erp_id=91000 + n, code=f"Q-{n:03}", name=f"Query {n:03}", erp_write_date=timezone.now()
        )
        company.stores.add(desk.shop.store.id)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, HTTP_HOST=ADMIN)
    assert len(response.context["page"]) == 20
    assert len(many) == len(few)


def test_cancel_while_the_erp_is_away_changes_and_records_nothing(client, desk):
    number = erp_quotation(desk.shop, "C-1001")
    client.force_login(desk.agent)
    url = reverse("service_order_cancel", args=[desk.company("C-1001").id])
    with erp_away():
        response = client.post(url, {"number": number}, HTTP_HOST=ADMIN)
    # Not followed: the company page would ask the ERP again and trip the breaker.
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == [
        "We can't reach our ERP right now, so nothing was changed: please try again in a few "
        "minutes."
    ]
    assert not ServiceAction.objects.exists() and not OrderCancellation.objects.exists()
    assert erp_state(desk.shop, number) == "quotation"


def test_company_page_lists_its_payments_in_the_agents_stores_only(client, desk):
    from storefleet.billing.models import Payment

    c = desk.company("C-1004")
    c.stores.add(desk.hydra.store)
    for store_id, reference in (
        (desk.shop.store.id, "PAY-FERRUM"),
        (desk.hydra.store.pk, "PAY-HYDRA"),
    ):
        Payment.objects.create(
            reference=reference,
            store_id=store_id,
            company=c,
            invoice_numbers=["INV-1"],
            amount=Decimal("12.50"),
            currency="EUR",
            provider="sandbox",
            idempotency_key=reference,
        )
    client.force_login(desk.agent)
    response = client.get(reverse("service_company", args=[c.id]), HTTP_HOST=ADMIN)
    assert [p.reference for p in response.context["page"].payments] == ["PAY-FERRUM"]
    assert "PAY-HYDRA" not in response.content.decode()


def test_agent_cancels_a_web_order_still_waiting_for_the_erp(client, desk):
    fill(desk.shop, "C-1004", "FAS-1003 10")
    order = checkout(desk.shop, "C-1004", token="waiting-1")
    client.force_login(desk.agent)
    page = client.get(reverse("service_company", args=[order.company_id]), HTTP_HOST=ADMIN)
    assert [w.number for w in page.context["page"].waiting] == [order.number]
    url = reverse("service_order_cancel", args=[order.company_id])
    assert f"{url}?number={order.number}" in page.content.decode()
    client.post(url, {"number": order.number}, HTTP_HOST=ADMIN)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order_submission(order_id=order.id).done_at is not None  # never sent
    (action,) = ServiceAction.objects.all()
    assert (action.target, action.detail) == (
        order.number,
        "taken out of the outbox before the ERP heard of it",
    )


def test_the_audit_lists_what_agents_did_in_the_agents_stores_only(client, desk):
    c = desk.company("C-1004")
    c.stores.add(desk.hydra.store)
    for store_id, detail in (
        (desk.shop.store.id, "done in Ferrum"),
        (desk.hydra.store.pk, "done in Hydra"),
        (None, "done on a sale entered in the ERP"),
    ):
        ServiceAction.objects.create(
            agent_name="someone",
            company=c,
            store_id=store_id,
            action=ActionKind.CONFIRMATION_RESEND,
            detail=detail,
        )
    client.force_login(desk.agent)
    page = client.get(reverse("service_company", args=[c.id]), HTTP_HOST=ADMIN)
    assert [a.detail for a in page.context["page"].actions] == [
        "done on a sale entered in the ERP",
        "done in Ferrum",
    ]
    assert "done in Hydra" not in page.content.decode()
    client.force_login(desk.superuser)
    page = client.get(reverse("service_company", args=[c.id]), HTTP_HOST=ADMIN)
    assert len(page.context["page"].actions) == 3


def test_search_by_the_number_of_a_web_order_of_another_store_finds_nothing(client, desk):
    from storefleet.ordering.models import Order

    c = desk.company("C-1004")
    c.stores.add(desk.hydra.store)
    Order.objects.create(
        number="WEB-HYDRA-9",
        store_id=desk.hydra.store.pk,
        company=c,
        submit_token="hydra-9",
        ship_to=c.addresses.filter(is_ship_to=True).first(),
        currency="USD",
    )
    search = reverse("service_search")
    client.force_login(desk.agent)
    response = client.get(search, {"q": "WEB-HYDRA-9"}, HTTP_HOST=ADMIN)
    assert list(response.context["page"].object_list) == []
    client.force_login(desk.superuser)
    response = client.get(search, {"q": "WEB-HYDRA-9"}, HTTP_HOST=ADMIN)
    assert [found.code for found in response.context["page"].object_list] == ["C-1004"]


def test_console_dates_are_one_format_in_the_stores_language_and_zone(client, desk):
    """Berlin is an hour ahead of UTC in December: a sign-in at 23:30 UTC on 5 December is
    shown as the store's buyers read it, 00:30 on the 6th, and so is every other moment on
    the company's and the order's pages, in the one format with the zone's name."""
    import datetime
    import re

    from django.contrib.auth import get_user_model

    from storefleet.ordering.models import Order
    from storefleet.tenants.models import Store

    Store.objects.filter(pk=desk.shop.store.id).update(default_language="de", time_zone="")
    late = datetime.datetime(2026, 12, 5, 23, 30, tzinfo=datetime.UTC)
    buyer = desk.shop.buyers["C-1004"]
    get_user_model().objects.filter(pk=buyer.pk).update(last_login=late)
    membership = desk.shop.membership("C-1004")
    order = Order.objects.create(
        number="W-LATE-1",
        store_id=desk.shop.store.id,
        company=membership.company,
        placed_by=buyer,
        submit_token="W-LATE-1",
        status=OrderStatus.RECEIVED,
        ship_to=membership.company.addresses.filter(is_ship_to=True).first(),
        currency="EUR",
        total=Decimal("1234.50"),
    )
    Order.objects.filter(pk=order.pk).update(created_at=late)
    client.force_login(desk.agent)

    company = client.get(
        reverse("service_company", args=[membership.company_id]), HTTP_HOST=ADMIN
    ).content.decode()
    # (Inside the store's locale the role is the store's word for it too.)
    assert f"{buyer.email}</a></td><td>Einkäufer</td><td>6 Dez 2026, 00:30 CET</td>" in company
    assert "<td>W-LATE-1</td><td>6 Dez 2026, 00:30 CET</td>" in company
    assert "1.234,50\xa0€" in company  # amounts in the same store's notation
    order_page = client.get(
        reverse("service_order", args=[membership.company_id, "W-LATE-1"]), HTTP_HOST=ADMIN
    ).content.decode()
    assert "<td>6 Dez 2026, 00:30 CET by buyer@c-1004.example</td>" in order_page
    # Every moment on both pages in the one format: no seconds, no bare UTC times.
    for body in (company, order_page):
        moments = re.findall(r"\d{1,2} \w{3} \d{4}, \d\d:\d\d(?::\d\d)?(?: \w+)?", body)
        assert moments and all(re.fullmatch(r".*, \d\d:\d\d CET", m) for m in moments), moments

"""The console's order page and its cancel within the ERP's grace period, against a real ERP
that keeps a confirmed sale cancellable for half an hour: numbers link to their pages, one date
format, the state machine's stage and actions, and the walls (an agent of another store gets
404 and changes nothing)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from storefleet.ordering.models import OrderCancellation, OrderStatus
from storefleet.ordering.selectors import order_submission
from storefleet.ordering.submission import outbox_process
from storefleet.service.models import ActionKind, ServiceAction
from storefleet.service.services import service_agent_add
from storefleet.tenants.models import Store
from tests.ordering.test_services import checkout, fill

pytestmark = pytest.mark.django_db

ADMIN = "localhost"


@pytest.fixture(scope="module")
def half_hour_erp(start_erp_server):
    server = start_erp_server(process_sales_after=1800)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def desk_erp_server(half_hour_erp):
    return half_hour_erp


def erp_state(desk, number: str) -> str:
    (row,) = desk.shop.server.client().search_read(
        "sale.sale", [["number", "=", number]], ["state"]
    )
    return row["state"]


def placed(desk, token: str):
    fill(desk.shop, "C-1004", "FAS-1003 10")
    order = checkout(desk.shop, "C-1004", token=token)
    outbox_process(message_id=order_submission(order_id=order.id).id)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    (sale,) = order.sales.all()
    return order, sale.erp_number


def test_the_agent_cancels_a_confirmed_order_from_its_console_page(client, desk):
    from storefleet.erp.sync import erp_sync

    erp_sync(name="sales", full=True)  # the seeded sales (SO-00004), as the beat does
    order, number = placed(desk, "console-grace")
    company = desk.company("C-1004")
    client.force_login(desk.agent)

    listing = client.get(reverse("service_company", args=[company.id]), HTTP_HOST=ADMIN)
    body = listing.content.decode()
    page_url = reverse("service_order", args=[company.id, order.number])
    assert f'href="{page_url}"' in body  # the web order's number links to its page
    assert f'href="{reverse("service_order", args=[company.id, "SO-00004"])}"' in body
    # One date format across the console: "5 Dec 2026", never ISO dates.
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", body)

    page = client.get(page_url, HTTP_HOST=ADMIN)
    text = page.content.decode()
    assert page.status_code == 200 and 'data-stage="confirmed"' in text
    assert "You can still cancel it until our ERP starts processing it (" in text
    assert "service-order__cancel" in text and "service-order__return" not in text
    # The sale's number reaches the same page.
    again = client.get(reverse("service_order", args=[company.id, number]), HTTP_HOST=ADMIN)
    assert again.status_code == 200 and again.context["page"].number == order.number

    cancel = reverse("service_order_cancel", args=[company.id])
    response = client.post(cancel, {"number": order.number}, HTTP_HOST=ADMIN)
    assert response.status_code == 302
    assert erp_state(desk, number) == "cancelled"
    (record,) = OrderCancellation.objects.all()
    assert (record.number, record.cancelled_by) == (order.number, desk.agent)
    assert list(ServiceAction.objects.values_list("action", "target")) == [
        (ActionKind.ORDER_CANCEL, order.number)
    ]
    text = client.get(page_url, HTTP_HOST=ADMIN).content.decode()
    assert 'data-stage="cancelled"' in text and "service-order__cancel" not in text


def test_an_agent_of_another_store_gets_404_and_changes_nothing(client, desk):
    order, number = placed(desk, "console-wall")
    company = desk.company("C-1004")
    other = desk.superuser.__class__.objects.create_user("hydra.agent", "h@x.example", "x")
    service_agent_add(store=Store.objects.get(pk=desk.hydra.store.pk), user=other)
    client.force_login(other)
    for method, url, data in [
        ("get", reverse("service_order", args=[company.id, order.number]), {}),
        ("get", reverse("service_order", args=[company.id, number]), {}),
        ("post", reverse("service_order_cancel", args=[company.id]), {"number": order.number}),
        ("post", reverse("service_order_cancel", args=[company.id]), {"number": number}),
        ("get", reverse("service_return_create", args=[company.id, number]), {}),
    ]:
        response = getattr(client, method)(url, data, HTTP_HOST=ADMIN)
        assert response.status_code == 404, (method, url)
    assert erp_state(desk, number) == "confirmed"
    assert not OrderCancellation.objects.exists() and not ServiceAction.objects.exists()
    # An order number of another company, asked under the agent's own company: 404 too.
    client.force_login(desk.agent)
    nordwerk = desk.company("C-1001")
    response = client.get(
        reverse("service_order", args=[nordwerk.id, order.number]), HTTP_HOST=ADMIN
    )
    assert response.status_code == 404


def test_a_shipped_order_offers_a_return_and_no_cancel(client, desk):
    company = desk.company("C-1004")
    from storefleet.erp.sync import erp_sync

    erp_sync(name="sales", full=True)
    client.force_login(desk.agent)
    page = client.get(reverse("service_order", args=[company.id, "SO-00004"]), HTTP_HOST=ADMIN)
    text = page.content.decode()
    assert page.status_code == 200 and 'data-stage="shipped"' in text
    assert "service-order__return" in text and "service-order__cancel" not in text
    assert reverse("service_return_create", args=[company.id, "SO-00004"]) in text
    # What shipped is invoiced in draft: shown as being prepared, with no document to open.
    views = [v for s in page.context["page"].sales for v in s.invoices]
    assert [(v.invoice.number, v.invoice.state, v.issued) for v in views] == [("", "draft", False)]
    assert "(being prepared)" in text
    assert f"/service/companies/{company.id}/invoices/" not in text
    # Posted in the ERP, it has its number and its document is linked.
    erp = desk.shop.server.client()
    (sale,) = erp.search_read("sale.sale", [["number", "=", "SO-00004"]], ["invoices"])
    try:
        erp.model("account.invoice", "post", sale["invoices"])
    except erp.Error as warning:  # taxes differ from the product's defaults: post anyway
        assert warning.kind == "UserWarning"
        erp.model("res.user.warning", "skip", warning.error_args[0], False)
        erp.model("account.invoice", "post", sale["invoices"])
    (posted,) = erp.search_read("account.invoice", [["id", "in", sale["invoices"]]], ["number"])
    cache.clear()  # the gateway keeps the sale it read ERP_SALE_TTL_SECONDS; now past that
    text = client.get(
        reverse("service_order", args=[company.id, "SO-00004"]), HTTP_HOST=ADMIN
    ).content.decode()
    document = reverse("service_invoice_document", args=[company.id, posted["number"]])
    assert f'<a href="{document}">{posted["number"]}</a>' in text

"""The cart, checkout and order pages in the store's language, notation and time zone, with
the ERP's tax and invoice total shown before the order is placed and the same figures after.

A German store (Ferrum, ``default_language="de"``) speaks German with ``1.234,56 €`` and
Berlin time; the same store set to English speaks English with ``€1,234.56``. The admin on the
store's host keeps its own language."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import formats, translation

from storefleet.erp.types import OrderTotals
from storefleet.money import format_money
from storefleet.ordering.models import Order
from storefleet.ordering.submission import outbox_process
from storefleet.outbox.models import Message
from storefleet.tenants.locale import zone_for
from storefleet.tenants.models import Store
from storefleet.tenants.services import store_host_map_invalidate

from .conftest import HOST

pytestmark = pytest.mark.django_db


def speak(shop, language: str) -> None:
    Store.objects.filter(pk=shop.store.id).update(default_language=language)
    store_host_map_invalidate()


def buyer(client, shop, code="C-1004"):
    client.force_login(shop.buyers[code])
    return client


def get(client, path):
    return client.get(path, HTTP_HOST=HOST)


def post(client, path, data):
    return client.post(path, data, HTTP_HOST=HOST)


@pytest.fixture
def order_totals_calls(shop, monkeypatch):
    """How often the checkout asked the ERP backend for totals (a counter around the real
    call: every call still goes to the reference ERP)."""
    calls: list[OrderTotals] = []
    real = shop.gateway.backend.order_totals

    def counted(*, order):
        calls.append(totals := real(order=order))
        return totals

    monkeypatch.setattr(shop.gateway.backend, "order_totals", counted)
    return calls


def test_a_german_store_checks_out_in_german_with_the_erps_tax_before_the_order(
    client, shop, order_totals_calls
):
    speak(shop, "de")
    c = buyer(client, shop)
    post(c, "/cart/add/", {"sku": "BRG-1002", "quantity": "3"})
    post(c, "/cart/add/", {"sku": "FAS-1002", "quantity": "1250"})
    cart = get(c, "/cart/")
    body = cart.content.decode()
    assert cart["Content-Language"] == "de"
    assert '<html lang="de"' in body
    assert "Ihr Warenkorb" in body and "Bestellbar" in body and "Summe (netto)" in body
    assert "Ferrum Industrial Components&#x27;s" not in body

    response = get(c, "/checkout/")
    body = response.content.decode()
    totals = response.context["totals"]
    assert isinstance(totals, OrderTotals) and totals.tax.amount > 0
    assert totals.total.amount == totals.untaxed.amount + totals.tax.amount
    assert totals.untaxed.amount == response.context["check"].total
    with translation.override("de"):
        shown = {
            k: format_money(getattr(totals, k).amount, "EUR") for k in ("untaxed", "tax", "total")
        }
    assert shown["total"].endswith("\xa0€") and "," in shown["total"]
    assert f'data-total="net">{shown["untaxed"]}<' in body
    assert f'data-total="tax">{shown["tax"]}<' in body
    assert f'data-total="gross"><strong>{shown["total"]}<' in body
    assert "1.250" in body  # a quantity in German notation
    assert "Steuer" in body and "Rechnungsbetrag" in body and "Bestellung aufgeben" in body
    assert len(order_totals_calls) == 1
    get(c, "/checkout/")  # a reload: the totals come from the cache, not the ERP
    assert len(order_totals_calls) == 1

    form = response.context["form"]
    address = form.fields["ship_to"].queryset.get()
    placed = post(
        c,
        "/checkout/",
        {"submit_token": form.initial["submit_token"], "ship_to": address.id, "po_number": "PO-DE"},
    )
    order = Order.objects.get()
    assert placed["Location"] == f"/orders/{order.number}/"
    outbox_process(message_id=Message.objects.get().id)
    page = get(c, placed["Location"])
    body = page.content.decode()
    assert "Bestellung bestätigt" in body
    # The same figures, now from the ERP's sale.
    assert page.context["totals"] == totals
    assert f'data-total="gross"><strong>{shown["total"]}<' in body
    # Placed at: in Berlin time and German month names.
    berlin = order.created_at.astimezone(zoneinfo.ZoneInfo("Europe/Berlin"))
    with translation.override("de"):
        when = formats.date_format(berlin, "j M Y, H:i")
    assert when in body
    # The buyer's e-mail speaks the store's language and shows the same total.
    (message,) = [m for m in mail.outbox if shop.buyers["C-1004"].email in m.to]
    assert f"Bestellung {order.number} bestätigt" in message.subject
    assert f"Rechnungsbetrag: {shown['total']}" in message.body
    assert "Vielen Dank für Ihre Bestellung." in message.body


def test_the_same_store_in_english_speaks_english_with_english_notation(client, shop):
    speak(shop, "en")
    c = buyer(client, shop, "C-1001")
    post(c, "/cart/add/", {"sku": "FAS-1002", "quantity": "1250"})
    response = get(c, "/checkout/")
    body = response.content.decode()
    assert response["Content-Language"] == "en"
    assert "Check out" in body and "Total to be invoiced" in body and "Zur Kasse" not in body
    totals = response.context["totals"]
    with translation.override("en"):
        total = format_money(totals.total.amount, "EUR")
    assert total.startswith("€") and "." in total
    assert f'data-total="gross"><strong>{total}<' in body
    assert "1,250" in body


def test_the_admin_on_a_german_stores_host_keeps_its_own_language(client, shop):
    speak(shop, "de")
    response = client.get("/admin/login/", HTTP_HOST=HOST)
    assert response.status_code == 200
    assert response.get("Content-Language") != "de"
    assert translation.get_language() == "en-us" or translation.get_language().startswith("en")


def test_a_store_zone_defaults_from_its_country_and_can_be_set():
    assert zone_for(country="DE") == "Europe/Berlin"
    assert zone_for(country="US") == "America/New_York"
    assert zone_for(country="AT") == "Europe/Vienna"
    assert zone_for(country="US", time_zone="America/Chicago") == "America/Chicago"
    assert zone_for(country="XX") == "UTC"  # no such country: the platform's zone


def test_an_unknown_zone_is_refused_with_what_to_do(shop):
    store = Store.objects.get(pk=shop.store.id)
    store.time_zone = "Mars/Olympus"
    with pytest.raises(ValidationError, match="IANA time zone"):
        store.full_clean()
    assert Store.objects.get(pk=store.pk).time_zone == ""


def test_money_after_the_request_is_back_in_the_platforms_language(client, shop):
    speak(shop, "de")
    buyer(client, shop)
    get(client, "/cart/")
    # The thread serves other stores next: nothing of the German request is left switched on.
    assert not translation.get_language().startswith("de")
    assert format_money(Decimal("1234.5"), "EUR") == "€1,234.50"


def test_the_erps_verdict_on_a_line_is_told_in_the_stores_language(client, shop):
    speak(shop, "de")
    c = buyer(client, shop)
    post(c, "/cart/add/", {"sku": "FAS-1002", "quantity": "75"})
    body = get(c, "/cart/").content.decode()
    # The ERP's unit name ("Unit") in the store's language too.
    assert "Dieser Artikel wird in Schritten von 50 Stück verkauft." in body
    assert "Stattdessen 100 Stück bestellen" in body
    assert "sold in steps of" not in body


def test_the_anonymous_catalog_of_a_german_store_is_german_and_an_english_ones_english(
    client, shop
):
    speak(shop, "de")
    german = client.get("/catalog/", HTTP_HOST=HOST).content.decode()
    assert "Anmelden für Ihren Preis" in german and "Sign in for your price" not in german
    speak(shop, "en")
    Store.objects.filter(pk=shop.store.id).update(content_version=2)  # a new page cache
    store_host_map_invalidate()
    english = client.get("/catalog/", HTTP_HOST=HOST).content.decode()
    assert "Sign in for your price" in english and "Anmelden" not in english

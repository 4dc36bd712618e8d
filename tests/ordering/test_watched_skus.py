"""price_or_availability.changed: a subscription watches SKUs; a price list changed in the
ERP (on this module's own copy of the reference ERP) or stock moved reaches its receiver as one
signed event per SKU, with what was and what is; nothing for a look that finds no change, for
SKUs the store doesn't sell, for another company's subscription, or while the ERP is away."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storefleet.errors import ApplicationError
from storefleet.webhooks import services
from storefleet.webhooks.models import Delivery, WatchedOffer
from storefleet.webhooks.watch import watches_look
from tests.webhooks.conftest import Receiver, run_due

from .test_verdict import raise_list_price

pytestmark = pytest.mark.django_db

WATCH = "price_or_availability.changed"


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.down()


def watch(shop, receiver: Receiver, code: str, skus: list[str]):
    made, secret = services.subscription_create(
        url=receiver.url,
        events=[WATCH],
        watched_skus=skus,
        company=shop.membership(code).company,
        store_id=shop.store.id,
    )
    receiver.secrets.append(secret)
    return made


def erp_changed(shop) -> None:
    """What the gateway's price and stock life would do in a minute or two."""
    shop.gateway.invalidate_prices(store=shop.store.slug)
    shop.gateway.invalidate_availability(store=shop.store.slug)


def test_a_moved_price_reaches_the_watcher_once_with_before_and_now(shop, receiver, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    mine = watch(shop, receiver, "C-1004", ["BRG-1002", "FAS-1003", "NOPE-0001"])
    theirs = watch(shop, receiver, "C-1002", ["FAS-1003"])

    assert watches_look() == 0  # the first look records what there is
    seen = WatchedOffer.objects.filter(subscription=mine)
    assert sorted(seen.values_list("sku", flat=True)) == ["BRG-1002", "FAS-1003"]
    assert watches_look() == 0  # nothing moved
    assert not Delivery.objects.exists()

    raise_list_price(shop, "BRG-1002", "1.5")
    erp_changed(shop)
    assert watches_look() == 1  # BRG-1002, for the one subscription that watches it
    (delivery,) = Delivery.objects.all()
    assert (delivery.subscription_id, delivery.event, delivery.subject) == (
        mine.id,
        WATCH,
        "sku:BRG-1002",
    )
    assert run_due() == 1
    (got,) = receiver.received
    assert got.valid and got.event == WATCH
    data = got.json["data"]
    assert data["sku"] == "BRG-1002"
    before, now = Decimal(data["before"]["unit_price"]), Decimal(data["now"]["unit_price"])
    assert now > before and data["now"]["currency"] == "EUR"
    assert got.json["company"] == "C-1004"

    assert watches_look() == 0  # told once: the new price is what it saw last
    assert Delivery.objects.filter(subscription=theirs).count() == 0


def test_nothing_is_said_while_the_erp_is_away(shop, receiver, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    mine = watch(shop, receiver, "C-1004", ["FAS-1003"])
    assert watches_look() == 0
    before = WatchedOffer.objects.get(subscription=mine).seen
    shop.server.stop()
    try:
        erp_changed(shop)
        assert watches_look() == 0
    finally:
        shop.server.start()
    assert WatchedOffer.objects.get(subscription=mine).seen == before
    assert not Delivery.objects.exists()


@pytest.mark.parametrize(
    ("events", "skus", "message"),
    [
        ([WATCH], [], "Name the SKUs to watch"),
        ([WATCH], "BRG-1002", "a list of SKUs"),
        ([WATCH], [1, 2], "a list of SKUs"),
        (["order.placed"], ["BRG-1002"], "choose it too"),
        ([WATCH], [f"S-{n}" for n in range(501)], "at most 500"),
        ([WATCH], ["x" * 65], "not SKUs"),
        ([WATCH], ["BRG\x001002"], "not SKUs"),
        ([WATCH], ["  ", ""], "at least one SKU"),
    ],
)
def test_a_watch_that_makes_no_sense_is_refused_and_nothing_is_made(
    shop, receiver, settings, events, skus, message
):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    with pytest.raises(ApplicationError) as refused:
        services.subscription_create(
            url=receiver.url,
            events=events,
            watched_skus=skus,
            company=shop.membership("C-1004").company,
            store_id=shop.store.id,
        )
    assert message in refused.value.message
    assert refused.value.field == "watched_skus"

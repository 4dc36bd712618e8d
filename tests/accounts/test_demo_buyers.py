"""`make demo`'s buyer set-up against the real reference ERP."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from storefleet.accounts.models import Company, MemberRole, Membership
from storefleet.catalog.models import Product
from tests.erp.conftest import point_gateway_at

pytestmark = pytest.mark.django_db


def test_demo_buyers_open_each_store_to_its_regions_customers(settings, erp_server, ferrum, hydra):
    point_gateway_at(settings, erp_server)
    call_command("demo_buyers", wait=30)
    call_command("demo_buyers", wait=30)  # idempotent
    assert Product.objects.count() == len(erp_server.manifest["products"])
    nordwerk = Company.objects.get(code="C-1001")
    assert list(nordwerk.stores.values_list("slug", flat=True)) == ["ferrum"]
    assert list(Company.objects.get(code="C-1006").stores.values_list("slug", flat=True)) == [
        "hydra"
    ]
    buyer = Membership.objects.select_related("user", "company").get(user__username="ferrum.buyer")
    assert (buyer.company.code, buyer.role) == ("C-1001", MemberRole.ADMIN)
    assert Membership.objects.filter(user__username="hydra.buyer", company__code="C-1006").exists()
    assert Membership.objects.count() == 2


def test_demo_buyers_wait_for_a_sync_the_worker_is_running(settings, erp_server, ferrum, hydra):
    """On `make demo` beat's first customer sync may hold the lock when the set-up starts: the
    set-up waits for it instead of finding no companies to give buyers to."""
    point_gateway_at(settings, erp_server)
    lock = "erp:sync:lock:customers"
    assert cache.add(lock, "1", 60)
    releaser = threading.Timer(2.0, cache.delete, args=(lock,))
    releaser.start()
    try:
        call_command("demo_buyers", wait=60)
    finally:
        releaser.cancel()
    assert Membership.objects.filter(user__username="ferrum.buyer", company__code="C-1001").exists()
    assert Company.objects.count() == len(erp_server.manifest["customers"])


def test_demo_buyers_say_clearly_when_the_erp_never_answers(settings, erp_server, ferrum):
    point_gateway_at(settings, erp_server)
    settings.ERP_URL = "http://127.0.0.1:9/"
    with pytest.raises(CommandError, match="The ERP did not answer within 0 s"):
        call_command("demo_buyers", wait=0)
    assert Membership.objects.count() == 0

"""One principal, three faces: Nordwerk (C-1001) seen by its buyer on Ferrum's storefront, by
an agent of Ferrum's service team in the console, and by its API key on Ferrum get the same
order page — stage, whether it can be cancelled or returned, and the refusal each would get —
for a web order just received, a web order the ERP refused, and a sale entered in the ERP that
has shipped; and the same "not found" for its order placed in Hydra."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from storefleet.api.models import Scope
from storefleet.ordering.cancel import not_cancellable_text
from storefleet.ordering.models import Order, OrderStatus
from storefleet.ordering.returns.selectors import not_shipped_text
from storefleet.service.services import service_agent_add

from .conftest import FERRUM, HYDRA, bearer
from .test_orders import _sale

pytestmark = pytest.mark.django_db
ADMIN = "localhost"


def storefront(client, world, number):
    client.force_login(world.admins["C-1001"])
    response = client.get(f"/orders/{number}/", HTTP_HOST=FERRUM)
    client.logout()
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    page = response.context["page"]
    return (str(page.stage), page.can_cancel, page.can_return, page.why_not_cancel,
            page.why_not_return)  # fmt: skip


def console(client, world, number):
    agent = get_user_model().objects.filter(username="faces.agent").first()
    if agent is None:
        agent = get_user_model().objects.create_user("faces.agent", "faces@example.com", "x")
        service_agent_add(store=world.stores[FERRUM], user=agent)
    client.force_login(agent)
    company = world.companies["C-1001"]
    response = client.get(reverse("service_order", args=[company.id, number]), HTTP_HOST=ADMIN)
    client.logout()
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    page = response.context["page"]
    return (str(page.stage), page.can_cancel, page.can_return, page.why_not_cancel,
            page.why_not_return)  # fmt: skip


def api(client, world, number):
    key = world.key("C-1001", FERRUM, scopes=[Scope.ORDERS_READ])
    response = client.get(f"/api/v1/orders/{number}", HTTP_HOST=FERRUM, **bearer(key))
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.content
    body = response.json()
    return (body["stage"], body["can_cancel"], body["can_return"], body["why_not_cancel"],
            body["why_not_return"])  # fmt: skip


FACES = {"storefront": storefront, "console": console, "api": api}


def test_the_three_faces_give_the_same_rules_and_refusals(client, world):
    received = world.orders[(FERRUM, "C-1001")]
    refused = "W-F-REFUSED"
    Order.objects.create(
        number=refused,
        store=world.stores[FERRUM],
        company=world.companies["C-1001"],
        submit_token=refused,
        status=OrderStatus.REFUSED,
        ship_to=world.companies["C-1001"].addresses.filter(is_ship_to=True).first(),
        currency="EUR",
    )
    shipped = _sale(world, 9500, host=None, changed=timezone.now() - datetime.timedelta(days=2))
    expected = {
        received: ("received", True, False, "",
                   not_shipped_text(number=received, cancellable=True)),
        refused: ("refused", False, False,
                  f"Order {refused} was refused by our ERP: nothing was ordered, so there is "
                  "nothing to cancel.",
                  f"Order {refused} was refused by our ERP: nothing was ordered, so there is "
                  "nothing to return."),
        shipped: ("shipped", False, True, not_cancellable_text(shipped), ""),
        world.orders[(HYDRA, "C-1001")]: None,  # another store's: not found on every face
        world.orders[(FERRUM, "C-1004")]: None,  # another company's
    }  # fmt: skip
    seen = {
        (face, number): read(client, world, number)
        for number in expected
        for face, read in FACES.items()
    }
    assert seen == {(face, n): answer for n, answer in expected.items() for face in FACES}

"""An agent acts as a buyer of a company: a single-use hand-over from the admin to the store's
host, a banner on every storefront page, no password or company-user changes, a time limit,
and start and stop in the company's audit."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from storefleet.accounts.models import Invitation, Membership
from storefleet.provisioning.models import PersonAccess
from storefleet.provisioning.people import Role, person_revoke
from storefleet.service.acting import ACTING_KEY
from storefleet.service.models import ActingSession, ActionKind, ServiceAction, ServiceTeam
from storefleet.service.services import service_agent_add
from storefleet.tenants.models import Store

pytestmark = pytest.mark.django_db

ADMIN = "localhost"
STORE = "ferrum.localhost"


def start(client: Client, desk, code: str = "C-1004") -> str:
    """Start acting from the console; returns the hand-over path on the store's host."""
    company = desk.company(code)
    member = Membership.objects.get(company=company)
    client.force_login(desk.agent)
    url = reverse("service_acting_start", args=[company.id])
    form = client.get(url, HTTP_HOST=ADMIN)
    assert form.status_code == 200 and member.user.email in form.content.decode()
    response = client.post(url, {"member": member.id, "store": desk.shop.store.id}, HTTP_HOST=ADMIN)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert (target.scheme, target.netloc) == ("http", STORE)
    return target.path


def actions() -> list[tuple[str, str]]:
    return list(ServiceAction.objects.order_by("at", "id").values_list("action", "target"))


def test_agent_acts_as_a_buyer_with_a_banner_and_stops(client, desk):
    buyer = desk.shop.buyers["C-1004"]
    handover = start(client, desk)
    store = Client()
    entered = store.get(handover, HTTP_HOST=STORE, follow=True)
    buyer.refresh_from_db()
    assert buyer.last_login is None  # the agent's visit is not the buyer's sign-in
    body = entered.content.decode()
    assert entered.status_code == 200
    assert "Acting for Van der Berg" in body and "as Sam Agent" in body
    assert int(store.session["_auth_user_id"]) == desk.shop.buyers["C-1004"].pk
    for path in ("/orders/", "/account/invoices/", "/cart/"):
        page = store.get(path, HTTP_HOST=STORE)
        assert page.status_code == 200, path
        assert 'class="acting-banner"' in page.content.decode(), path
    assert actions() == [(ActionKind.ACTING_START, "buyer@c-1004.example")]
    # The hand-over link works once only.
    assert Client().get(handover, HTTP_HOST=STORE).status_code == 403

    stopped = store.post(reverse("service:acting_stop"), HTTP_HOST=STORE)
    assert stopped.status_code == 302
    assert stopped["Location"].endswith(
        reverse("service_company", args=[desk.company("C-1004").id])
    )
    assert "_auth_user_id" not in store.session and ACTING_KEY not in store.session
    assert actions() == [
        (ActionKind.ACTING_START, "buyer@c-1004.example"),
        (ActionKind.ACTING_STOP, "buyer@c-1004.example"),
    ]
    (session,) = ActingSession.objects.all()
    assert session.stop_reason == "stopped" and session.agent == desk.agent
    page = client.get(reverse("service_company", args=[session.company_id]), HTTP_HOST=ADMIN)
    assert "Started acting as a buyer" in page.content.decode()
    assert "Stopped acting as a buyer" in page.content.decode()


def test_acting_cannot_change_the_companys_users_or_passwords(client, desk):
    company = desk.company("C-1004")
    Membership.objects.filter(company=company).update(role="admin")
    handover = start(client, desk)
    store = Client()
    store.get(handover, HTTP_HOST=STORE)
    invite = reverse("accounts:invitation_create", args=[company.id])
    refused = store.post(invite, {"email": "new@c-1004.example", "role": "buyer"}, HTTP_HOST=STORE)
    assert refused.status_code == 403
    assert "can't change passwords or the company's users" in refused.content.decode()
    remove = reverse("accounts:member_remove", args=[company.id])
    assert store.post(remove, {"membership": 1}, HTTP_HOST=STORE).status_code == 403
    assert store.get("/admin/password_reset/", HTTP_HOST=STORE).status_code == 403
    assert not Invitation.objects.exists()
    assert Membership.objects.filter(company=company).count() == 1


def test_acting_ends_by_itself_after_its_time(client, desk):
    handover = start(client, desk)
    store = Client()
    store.get(handover, HTTP_HOST=STORE)
    ActingSession.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    ended = store.get("/orders/", HTTP_HOST=STORE)
    assert "has ended" in ended.content.decode()
    assert "_auth_user_id" not in store.session
    assert ActingSession.objects.get().stop_reason == "expired"
    assert [a for a, _ in actions()] == [ActionKind.ACTING_START, ActionKind.ACTING_STOP]
    store.get("/orders/", HTTP_HOST=STORE)
    assert len(actions()) == 2  # recorded once


def test_signing_out_while_acting_stops_the_session(client, desk):
    handover = start(client, desk)
    store = Client()
    store.get(handover, HTTP_HOST=STORE)
    store.post(reverse("accounts:logout"), HTTP_HOST=STORE)
    assert ActingSession.objects.get().stop_reason == "signed out"
    assert [a for a, _ in actions()] == [ActionKind.ACTING_START, ActionKind.ACTING_STOP]


def test_a_stale_or_tampered_handover_link_opens_nothing(client, desk):
    handover = start(client, desk)
    tampered = handover[:-3] + "xyz/"
    response = Client().get(tampered, HTTP_HOST=STORE)
    assert response.status_code == 403 and "has expired or was already used" in (
        response.content.decode()
    )
    # On another store's host the link opens nothing either.
    assert Client().get(handover, HTTP_HOST="hydra.localhost").status_code == 403
    ActingSession.objects.update(expires_at=timezone.now())
    assert Client().get(handover, HTTP_HOST=STORE).status_code == 403
    assert ActingSession.objects.get().entered_at is None


def test_agent_cannot_act_for_a_company_or_store_outside_their_scope(client, desk):
    client.force_login(desk.agent)
    rossi_member = Membership.objects.get(company=desk.rossi)
    url = reverse("service_acting_start", args=[desk.rossi.id])
    assert (
        client.post(url, {"member": rossi_member.id, "store": desk.hydra.store.id}).status_code
        == 404
    )
    c = desk.company("C-1004")
    other_member = Membership.objects.get(company=desk.company("C-1001"))
    response = client.post(
        reverse("service_acting_start", args=[c.id]),
        {"member": other_member.id, "store": desk.shop.store.id},
        HTTP_HOST=ADMIN,
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not ActingSession.objects.exists() and not ServiceAction.objects.exists()


def test_acting_ends_when_the_agent_loses_access(client, desk):
    handover = start(client, desk)
    store = Client()
    store.get(handover, HTTP_HOST=STORE)
    desk.agent.groups.clear()
    ended = store.get("/orders/", HTTP_HOST=STORE)
    assert "has ended" in ended.content.decode()
    assert ActingSession.objects.get().stop_reason == "agent lost access"


def test_taken_out_of_the_stores_team_ends_the_session_though_serving_another(client, desk):
    """Removed from Ferrum's service team in the admin while still an agent of Hydra: the
    session acting in Ferrum ends on the next request."""
    service_agent_add(store=Store.objects.get(pk=desk.hydra.store.pk), user=desk.agent)
    handover = start(client, desk)
    store = Client()
    store.get(handover, HTTP_HOST=STORE)
    desk.agent.groups.remove(ServiceTeam.objects.get(store=desk.shop.store.id).group)
    ended = store.get("/orders/", HTTP_HOST=STORE)
    assert "has ended" in ended.content.decode()
    assert "_auth_user_id" not in store.session
    assert ActingSession.objects.get().stop_reason == "agent lost access"


def test_a_reconcile_revoking_the_agent_ends_their_session_at_once(client, desk):
    """The store file no longer names the agent: the reconcile's revoke takes them out of the
    team and ends the acting session then, not at the buyer page's next request."""
    ferrum = Store.objects.get(pk=desk.shop.store.id)
    PersonAccess.objects.create(
        store=ferrum, user=desk.agent, role=Role.AGENT.value, email=desk.agent.email
    )
    handover = start(client, desk)
    store = Client()
    store.get(handover, HTTP_HOST=STORE)
    person_revoke(store=ferrum, email=desk.agent.email, role=Role.AGENT)
    session = ActingSession.objects.get()
    assert session.stopped_at is not None and session.stop_reason == "agent lost access"
    assert actions()[-1] == (ActionKind.ACTING_STOP, "buyer@c-1004.example")
    assert not PersonAccess.objects.filter(store=ferrum).exists()
    assert "has ended" in store.get("/orders/", HTTP_HOST=STORE).content.decode()
    assert "_auth_user_id" not in store.session


def test_starting_to_act_twice_replaces_the_earlier_session(client, desk):
    first = start(client, desk)
    earlier = Client()
    earlier.get(first, HTTP_HOST=STORE)
    assert earlier.get("/orders/", HTTP_HOST=STORE).status_code == 200

    second = start(client, desk, code="C-1001")
    sessions = list(ActingSession.objects.order_by("id"))
    assert [(s.company.code, s.stop_reason) for s in sessions] == [
        ("C-1004", "replaced"),
        ("C-1001", ""),
    ]
    assert sessions[0].stopped_at is not None and sessions[1].stopped_at is None
    assert ActingSession.objects.filter(agent=desk.agent, stopped_at__isnull=True).count() == 1
    assert actions() == [
        (ActionKind.ACTING_START, "buyer@c-1004.example"),
        (ActionKind.ACTING_STOP, "buyer@c-1004.example"),
        (ActionKind.ACTING_START, "buyer@c-1001.example"),
    ]
    # The earlier browser session is ended on its next request; the new one works.
    ended = earlier.get("/orders/", HTTP_HOST=STORE)
    assert "Your session acting for the company has ended" in ended.content.decode()
    assert "_auth_user_id" not in earlier.session
    now = Client()
    assert now.get(second, HTTP_HOST=STORE, follow=True).status_code == 200
    assert "Acting for Nordwerk" in now.get("/orders/", HTTP_HOST=STORE).content.decode()


def test_the_invite_form_is_not_offered_while_acting(client, desk):
    company = desk.company("C-1004")
    Membership.objects.filter(company=company).update(role="admin")
    page = reverse("accounts:company", args=[company.id])
    own = Client()
    own.force_login(desk.shop.buyers["C-1004"])
    assert 'name="email"' in own.get(page, HTTP_HOST=STORE).content.decode()  # the buyer's own
    store = Client()
    store.get(start(client, desk), HTTP_HOST=STORE)
    body = store.get(page, HTTP_HOST=STORE).content.decode()
    assert 'class="acting-banner"' in body
    assert 'name="email"' not in body and "Send invitation" not in body
    assert "Invitations can't be sent while you act for the company" in body

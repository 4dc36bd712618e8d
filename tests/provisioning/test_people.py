"""Editors and service agents named in a store file are invited by e-mail at launch and on
reconcile, once each; the link carries the platform admin's origin; bad addresses are refused by
the plan; an editor of one store is not an editor of another."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from storefleet.errors import ApplicationError
from storefleet.provisioning.models import ProvisioningRun
from storefleet.provisioning.plan import plan_launch
from storefleet.provisioning.services import store_launch
from storefleet.service.services import service_team_name
from storefleet.tenants.models import Store

pytestmark = pytest.mark.django_db

User = get_user_model()


def name_people(folder: Path, *, editors: str = "", agents: str = "") -> None:
    path = folder / "store.toml"
    text = path.read_text()
    assert "editors = []\nagents = []" in text
    path.write_text(
        text.replace("editors = []\nagents = []", f"editors = [{editors}]\nagents = [{agents}]")
    )


def groups_of(email: str) -> list[str]:
    return sorted(User.objects.get(email=email).groups.values_list("name", flat=True))


def test_people_named_in_the_store_file_are_invited_once(render_brand, settings, hydra):
    settings.WAGTAILADMIN_BASE_URL = "https://admin.storefleet.example:8443"
    folder = render_brand("nordlicht")
    name_people(folder, editors='"Mia@Nordlicht.example"', agents='"sam@nordlicht.example"')

    run = store_launch(path=folder, check_erp=False, inline=True)

    assert run.status == "succeeded", run.error
    assert run.steps.get(name="people").log == (
        "invited mia@nordlicht.example as editor (new account)\n"
        "invited sam@nordlicht.example as agent (new account)"
    )
    store = Store.objects.get(slug="nordlicht")
    assert groups_of("mia@nordlicht.example") == [store.editors_group.name]
    assert groups_of("sam@nordlicht.example") == [service_team_name(store)]
    # The wall: nothing of Hydra's.
    assert hydra.store.editors_group.name not in groups_of("mia@nordlicht.example")
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["mia@nordlicht.example"], "You are invited to Nordlicht Antriebe as an editor"),
        (["sam@nordlicht.example"], "You are invited to Nordlicht Antriebe as a service agent"),
    ]
    link = re.search(r"https://\S+", mail.outbox[0].body)
    assert link is not None
    assert link.group(0).startswith(
        "https://admin.storefleet.example:8443/admin/password_reset/confirm/"
    )
    assert not User.objects.get(email="mia@nordlicht.example").has_usable_password()

    again = store_launch(path=folder, check_erp=False, inline=True)

    assert again.steps.get(name="people").status == "unchanged"
    assert again.steps.get(name="people").log == (
        "2 people named; everyone is in the store's groups already"
    )
    assert len(mail.outbox) == 2


def test_the_invitation_link_lets_the_editor_choose_a_password(render_brand, settings):
    settings.WAGTAILADMIN_BASE_URL = "http://localhost"
    folder = render_brand("nordlicht")
    name_people(folder, editors='"mia@nordlicht.example"')
    store_launch(path=folder, check_erp=False, inline=True)
    link = re.search(r"http://localhost(/\S+)", mail.outbox[0].body)
    assert link is not None

    client = Client(HTTP_HOST="localhost")
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    set_password = form_page.redirect_chain[-1][0]
    response = client.post(
        set_password,
        {"new_password1": "a-long-new-password-41", "new_password2": "a-long-new-password-41"},
    )

    assert response.status_code == 302
    assert User.objects.get(email="mia@nordlicht.example").check_password("a-long-new-password-41")


def test_someone_with_an_account_gets_the_group_and_a_sign_in_link(render_brand, settings):
    settings.WAGTAILADMIN_BASE_URL = "http://localhost"
    User.objects.create_user("robin", "robin@nordlicht.example", "robins-own-password-1")
    folder = render_brand("nordlicht")
    name_people(folder, editors='"robin@nordlicht.example"')

    run = store_launch(path=folder, check_erp=False, inline=True)

    assert run.steps.get(name="people").log == "invited robin@nordlicht.example as editor"
    assert "Sign in with your account here:\nhttp://localhost/admin/\n" in mail.outbox[0].body
    assert User.objects.filter(email="robin@nordlicht.example").count() == 1
    assert User.objects.get(username="robin").check_password("robins-own-password-1")


@pytest.mark.parametrize(
    ("editors", "problem"),
    [
        ('"not-an-address"', "store.toml [people]: 'not-an-address' is not e-mail addresses"),
        ('"a@b.example\\nBcc: x@y.example"', "store.toml [people]: 'a@b.example\\nBcc:"),
        ("42", "store.toml [people]: 'editors' must be a list of texts"),
    ],
)
def test_bad_addresses_are_refused_by_the_plan_and_nobody_is_invited(
    render_brand, editors, problem
):
    folder = render_brand("nordlicht")
    name_people(folder, editors=editors)

    plan = plan_launch(path=folder, check_erp=False)

    assert any(p.startswith(problem) for p in plan.problems), plan.problems
    with pytest.raises(ApplicationError, match=r"store\.toml \[people\]"):
        store_launch(path=folder, check_erp=False, inline=True)
    assert not Store.objects.filter(slug="nordlicht").exists()
    assert ProvisioningRun.objects.count() == 0
    assert mail.outbox == []


def test_the_plan_lists_whom_it_will_invite(render_brand):
    folder = render_brand("nordlicht")
    name_people(folder, editors='"mia@nordlicht.example"', agents='"sam@nordlicht.example"')

    plan = plan_launch(path=folder, check_erp=False)

    assert [(c.kind, c.target, c.detail) for c in plan.changes if c.target == "invitation"] == [
        ("create", "invitation", "mia@nordlicht.example as editor"),
        ("create", "invitation", "sam@nordlicht.example as agent"),
    ]
    assert mail.outbox == []
    assert not User.objects.filter(email="mia@nordlicht.example").exists()


def test_removing_a_person_from_the_store_file_revokes_their_access_to_that_store_only(
    render_brand,
):
    nordlicht, mittag = render_brand("nordlicht"), render_brand("mittag")
    name_people(nordlicht, editors='"mia@example.com"', agents='"sam@example.com"')
    name_people(mittag, editors='"mia@example.com"', agents='"sam@example.com"')
    for folder in (nordlicht, mittag):
        assert store_launch(path=folder, check_erp=False, inline=True).status == "succeeded"
    north, noon = Store.objects.get(slug="nordlicht"), Store.objects.get(slug="mittag")
    # Given access another way (the admin, the demo): not the store file's to take back.
    robin = User.objects.create_user("robin", "robin@example.com", "pw")
    robin.groups.add(north.editors_group)
    sent = len(mail.outbox)

    store_toml = nordlicht / "store.toml"
    store_toml.write_text(
        store_toml.read_text().replace(
            'editors = ["mia@example.com"]\nagents = ["sam@example.com"]',
            "editors = []\nagents = []",
        )
    )
    plan = plan_launch(path=nordlicht, check_erp=False)
    assert [(c.kind, c.detail) for c in plan.changes if c.target == "access"] == [
        ("remove", "sam@example.com as agent (no longer in store.toml)"),
        ("remove", "mia@example.com as editor (no longer in store.toml)"),
    ]

    run = store_launch(path=nordlicht, check_erp=False, inline=True)

    assert run.status == "succeeded", run.error
    step = run.steps.get(name="people")
    assert step.status == "succeeded"
    assert step.log == (
        "revoked sam@example.com's access as agent to Nordlicht Antriebe (no longer in "
        "store.toml; the account and other stores' access are kept)\n"
        "revoked mia@example.com's access as editor to Nordlicht Antriebe (no longer in "
        "store.toml; the account and other stores' access are kept)"
    )
    # Out of Nordlicht's groups, still in Mittag's; the accounts are kept.
    assert groups_of("mia@example.com") == [noon.editors_group.name]
    assert groups_of("sam@example.com") == [service_team_name(noon)]
    assert sorted(robin.groups.values_list("name", flat=True)) == [north.editors_group.name]
    assert len(mail.outbox) == sent  # taking access back sends nothing

    again = store_launch(path=nordlicht, check_erp=False, inline=True)
    assert again.steps.get(name="people").log == "store.toml names no editors or agents"
    assert groups_of("mia@example.com") == [noon.editors_group.name]

    # Named again: invited again, to this store.
    name_people(nordlicht, editors='"mia@example.com"')
    back = store_launch(path=nordlicht, check_erp=False, inline=True)
    assert back.steps.get(name="people").log == "invited mia@example.com as editor"
    assert groups_of("mia@example.com") == sorted(
        [north.editors_group.name, noon.editors_group.name]
    )


def test_a_person_already_in_the_group_and_named_is_taken_back_when_unnamed(render_brand):
    folder = render_brand("nordlicht")
    store_launch(path=folder, check_erp=False, inline=True)
    store = Store.objects.get(slug="nordlicht")
    robin = User.objects.create_user("robin", "robin@example.com", "pw")
    robin.groups.add(store.editors_group)
    name_people(folder, editors='"robin@example.com"')

    named = store_launch(path=folder, check_erp=False, inline=True)
    assert named.steps.get(name="people").status == "unchanged"
    assert mail.outbox == []

    path = folder / "store.toml"
    path.write_text(path.read_text().replace('editors = ["robin@example.com"]', "editors = []"))
    store_launch(path=folder, check_erp=False, inline=True)

    # The store file named Robin, so unnaming Robin takes the access back.
    assert list(robin.groups.all()) == []
    assert User.objects.filter(username="robin").exists()

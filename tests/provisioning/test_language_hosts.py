"""store.toml's ``[store.hosts]``: a language on a host of its own, read and checked like the
store's hostname, shown by the plan (created, or the drift from the store's) and applied by
launch and reconcile; a host another store or site answers on is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from storefleet.provisioning.plan import plan_launch
from storefleet.provisioning.services import store_launch
from storefleet.provisioning.storefile import StoreFileError, brand_folder_load
from storefleet.tenants.models import Store
from storefleet.tenants.selectors import store_for_hostname
from tests.factories import make_store

pytestmark = pytest.mark.django_db

LANGUAGES = 'languages = ["de", "en", "fr"]'


def declare(folder: Path, hosts: str, languages: str = LANGUAGES) -> None:
    """Give the store file ``languages`` and a ``[store.hosts]`` table of ``hosts`` (TOML)."""
    toml = folder / "store.toml"
    text = toml.read_text()
    assert 'languages = ["de", "en"]' in text
    text = text.replace('languages = ["de", "en"]', languages)
    if hosts:
        text = text.replace("\n[erp]", f"\n[store.hosts]\n{hosts}\n\n[erp]", 1)
    toml.write_text(text)


def problems(folder: Path) -> tuple[str, ...]:
    with pytest.raises(StoreFileError) as refused:
        brand_folder_load(folder)
    return refused.value.problems


@pytest.fixture
def nordlicht(render_brand) -> Path:
    return render_brand("nordlicht", languages="de, en")


def test_the_store_file_reads_a_language_host(nordlicht):
    declare(nordlicht, 'fr = "nordlicht-fr.localhost"')

    folder = brand_folder_load(nordlicht)

    assert folder.hosts == (("fr", "nordlicht-fr.localhost"),)


@pytest.mark.parametrize(
    ("hosts", "problem"),
    [
        (
            'de = "nordlicht-de.localhost"',
            "store.toml [store.hosts]: 'de' is the store's default language, served unprefixed "
            "on its hostname (nordlicht.localhost); remove it from [store.hosts], or change "
            "hostname",
        ),
        (
            'ja = "nordlicht-ja.localhost"',
            "store.toml [store.hosts]: 'ja' is not one of the store's languages (de, en, fr); "
            "add it to languages, or remove its host",
        ),
        (
            'fr = "not a host"',
            "store.toml [store.hosts] fr: 'not a host' is not a valid host name; use lower-case "
            "labels separated by dots, e.g. acme.localhost or shop.acme.example.",
        ),
        (
            'fr = "Nordlicht-FR.localhost"',
            "store.toml [store.hosts] fr: 'Nordlicht-FR.localhost' is not a valid host name; use "
            "lower-case labels",
        ),
        (
            'fr = "localhost"',
            "store.toml [store.hosts] fr: 'localhost' is reserved for the platform itself",
        ),
        (
            'fr = "10.0.0.1"',
            "store.toml [store.hosts] fr: '10.0.0.1' is an IP address; give the store a host name",
        ),
        (
            'fr = "nordlicht.localhost"',
            "store.toml [store.hosts]: 'fr' is given the store's own hostname "
            "nordlicht.localhost; give it a host of its own, or remove it to serve it under /fr/",
        ),
        (
            'fr = "same.localhost"\nen = "same.localhost"',
            "store.toml [store.hosts]: 'en' and 'fr' have the same host same.localhost",
        ),
        ("fr = 7", "store.toml [store.hosts]: fr must be a host name in quotes"),
    ],
    ids=[
        "default",
        "undeclared",
        "malformed",
        "capitals",
        "platform",
        "ip",
        "own-host",
        "twice",
        "not-text",
    ],
)
def test_a_bad_language_host_is_a_problem_that_says_what_to_do(nordlicht, hosts, problem):
    declare(nordlicht, hosts)

    found = problems(nordlicht)

    assert any(p.startswith(problem) for p in found), found


def test_hosts_that_are_not_a_table_are_a_problem(nordlicht):
    toml = nordlicht / "store.toml"
    toml.write_text(toml.read_text().replace("[store]\n", '[store]\nhosts = "fr.localhost"\n', 1))

    assert "store.toml: [store.hosts] must be a table of keys and values" in problems(nordlicht)


def test_a_host_of_another_store_is_a_plan_problem(nordlicht):
    make_store("hydra", "Hydra Flow Systems", languages=("en", "fr"))
    Store.objects.filter(slug="hydra").update(language_hosts={"fr": "hydra-fr.localhost"})
    declare(nordlicht, 'fr = "hydra.localhost"\nen = "hydra-fr.localhost"')

    plan = plan_launch(path=nordlicht, check_erp=False)

    assert not plan.ok
    assert (
        "store.toml [store.hosts]: the host hydra.localhost of 'fr' is the host of the store "
        "'hydra'; choose another host." in plan.problems
    )
    assert (
        "store.toml [store.hosts]: the host hydra-fr.localhost of 'en' is the fr host of the "
        "store 'hydra'; choose another host." in plan.problems
    )


def test_a_host_this_machine_cannot_route_is_a_plan_problem(nordlicht, settings):
    settings.ALLOWED_HOSTS = [".localhost"]
    declare(nordlicht, 'fr = "nordlicht.example"')

    plan = plan_launch(path=nordlicht, check_erp=False)

    assert any(
        p.startswith("The host 'nordlicht.example' cannot be routed on this machine")
        for p in plan.problems
    ), plan.problems


def _change(plan, target: str) -> tuple[str, str] | None:
    return next(((c.kind, c.detail) for c in plan.changes if c.target == target), None)


def test_launch_gives_the_language_its_host_and_reconcile_applies_the_drift(nordlicht, client):
    declare(nordlicht, 'fr = "nordlicht-fr.localhost"')
    plan = plan_launch(path=nordlicht, check_erp=False)
    assert plan.ok, plan.problems
    assert _change(plan, "language hosts") == ("create", "fr on nordlicht-fr.localhost")

    run = store_launch(path=nordlicht, check_erp=False, inline=True)

    store = Store.objects.get(slug="nordlicht")
    assert store.language_hosts == {"fr": "nordlicht-fr.localhost"}
    assert store_for_hostname("nordlicht-fr.localhost").slug == "nordlicht"
    assert "language hosts set: fr on nordlicht-fr.localhost" in run.steps.get(name="languages").log
    smoke = run.steps.get(name="smoke_test").log.splitlines()
    assert [line.split(" → ")[0] for line in smoke if line.startswith("GET ")] == [
        "GET http://nordlicht.localhost/",
        "GET http://nordlicht-fr.localhost/",
    ]
    home = client.get("/", HTTP_HOST="nordlicht-fr.localhost")
    assert (home.status_code, home["Content-Language"]) == (200, "fr")
    assert client.get("/fr/", HTTP_HOST="nordlicht.localhost").status_code == 301
    # Unchanged on the next plan.
    assert _change(plan_launch(path=nordlicht, check_erp=False), "language hosts") == (
        "unchanged",
        "fr on nordlicht-fr.localhost",
    )

    # store.toml moves French to another host and gives English one.
    toml = nordlicht / "store.toml"
    toml.write_text(
        toml.read_text().replace(
            'fr = "nordlicht-fr.localhost"',
            'fr = "nordlicht-france.localhost"\nen = "nordlicht-en.localhost"',
        )
    )
    drift = plan_launch(path=nordlicht, check_erp=False)
    assert drift.ok, drift.problems
    assert _change(drift, "language hosts") == (
        "change",
        "fr on nordlicht-fr.localhost → en on nordlicht-en.localhost, fr on "
        "nordlicht-france.localhost (store.toml's [store.hosts])",
    )

    again = store_launch(path=nordlicht, check_erp=False, inline=True)

    store.refresh_from_db()
    assert store.language_hosts == {
        "en": "nordlicht-en.localhost",
        "fr": "nordlicht-france.localhost",
    }
    assert again.steps.get(name="languages").status == "succeeded"
    assert store_for_hostname("nordlicht-fr.localhost") is None
    assert client.get("/", HTTP_HOST="nordlicht-france.localhost")["Content-Language"] == "fr"
    assert client.get("/", HTTP_HOST="nordlicht-en.localhost")["Content-Language"] == "en"

"""The smoke test requests the store over HTTP where its driver serves it, and destroy and plan
use the store's declared driver."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from storefleet.errors import ApplicationError
from storefleet.provisioning.drivers import LocalDriver
from storefleet.provisioning.models import ProvisioningRun, RunStatus
from storefleet.provisioning.plan import plan_destroy
from storefleet.provisioning.services import store_launch, store_teardown
from storefleet.tenants.models import Store, StoreStatus


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("wagtail_roots_restored")
def test_the_smoke_test_requests_the_store_from_the_running_web_server(
    render_brand, live_server, settings
):
    address = live_server.url.removeprefix("http://")
    settings.STOREFLEET_WEB_ADDRESS = address
    folder = render_brand("nordlicht", primary_colour="#1D4E89")

    run = store_launch(path=folder, check_erp=False, inline=True)

    assert run.status == RunStatus.SUCCEEDED, run.error
    log = run.steps.get(name="smoke_test").log.splitlines()
    assert log[0].startswith("GET http://nordlicht.localhost/ → 200, ")
    assert log[0].endswith("bytes, theme #1D4E89")
    assert log[1] == f"requested over HTTP via {address}"


class _BrokenProxy(http.server.BaseHTTPRequestHandler):
    """What a misconfigured web server in front of the store answers."""

    hosts: list[str] = []

    def do_GET(self) -> None:
        self.hosts.append(self.headers["Host"])
        self.send_response(502)
        self.end_headers()
        self.wfile.write(b"Bad gateway")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def broken_proxy() -> Iterator[tuple[str, list[str]]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _BrokenProxy)
    _BrokenProxy.hosts = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}", _BrokenProxy.hosts
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_a_store_the_web_server_does_not_serve_is_not_put_live(
    render_brand, settings, broken_proxy
):
    address, hosts = broken_proxy
    settings.STOREFLEET_WEB_ADDRESS = address
    folder = render_brand("nordlicht")

    run = store_launch(path=folder, check_erp=False, inline=True)

    assert run.status == RunStatus.FAILED
    assert run.steps.get(name="smoke_test").error == (
        f"http://nordlicht.localhost/ answered 502, not 200 (over HTTP via {address})."
    )
    assert hosts == ["nordlicht.localhost"]  # the store's host, not the server's address
    assert Store.objects.get(slug="nordlicht").status == StoreStatus.DRAFT


def _declare_driver(folder: Path, driver: str) -> None:
    path = folder / "store.toml"
    path.write_text(path.read_text().replace('driver = "local"', f'driver = "{driver}"'))


@pytest.mark.django_db
def test_destroy_plans_and_tears_down_with_the_stores_declared_driver(render_brand):
    folder = render_brand("nordlicht")
    assert store_launch(path=folder, check_erp=False, inline=True).status == "succeeded"
    local = plan_destroy(slug="nordlicht")
    assert (local.driver, local.problems) == ("local", ())
    assert ("local infrastructure", "media folder") in [(c.target, c.detail) for c in local.changes]

    # As if the store had been launched in the cloud: its teardown is Pulumi's, never the
    # local driver's (this machine has no Pulumi backend, so the step says what to configure).
    _declare_driver(folder, "pulumi")
    plan = plan_destroy(slug="nordlicht")
    assert plan.driver == "pulumi"
    assert "pulumi infrastructure" in [c.target for c in plan.changes]
    assert "local infrastructure" not in [c.target for c in plan.changes]

    run = store_teardown(slug="nordlicht", inline=True)

    assert run.status == RunStatus.FAILED
    step = run.steps.get(name="infrastructure")
    assert step.error.startswith("The pulumi infrastructure driver is not configured: set ")
    assert LocalDriver().media_dir("nordlicht").is_dir()  # the local teardown did not run
    assert Store.objects.filter(slug="nordlicht").exists()


@pytest.mark.django_db
def test_without_a_readable_store_file_destroy_uses_the_driver_the_launch_recorded(render_brand):
    folder = render_brand("nordlicht")
    _declare_driver(folder, "pulumi")
    # A store file declaring pulumi, overridden on this machine (as production's setting does
    # the other way round): the launch records the driver that really ran.
    with override_settings(STOREFLEET_INFRASTRUCTURE_DRIVER="local"):
        assert store_launch(path=folder, check_erp=False, inline=True).status == "succeeded"
    (folder / "store.toml").write_text("schema = 1\n")

    plan = plan_destroy(slug="nordlicht")
    assert (plan.driver, plan.problems) == ("local", ())

    ProvisioningRun.objects.all().delete()
    unknown = plan_destroy(slug="nordlicht")
    assert unknown.problems[0].startswith(f"The store file {folder} cannot be read (")
    assert unknown.problems[0].endswith(
        "no launch recorded the store's infrastructure driver, so it is not known what to tear "
        "down; restore the folder from git first."
    )
    with pytest.raises(ApplicationError, match="restore the folder from git first"):
        store_teardown(slug="nordlicht", inline=True)
    assert Store.objects.filter(slug="nordlicht").exists()

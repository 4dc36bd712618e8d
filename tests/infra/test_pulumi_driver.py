"""The ``pulumi`` provisioning driver at its boundary: ``pulumi.automation``.

The Automation API drives the ``pulumi`` CLI, which cannot be installed on this machine
(../shared/reference/stack.md), so the stacks here are recording stand-ins built from the
Automation API's own result types; the test asserts what the driver asks of them (stack name,
program, backend, config) and what it makes of their answers."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from storefleet.errors import ApplicationError
from storefleet.provisioning import drivers, steps
from storefleet.provisioning.drivers import InfraState, LocalDriver, driver_for
from storefleet.provisioning.models import ProvisioningRun, StepStatus
from storefleet.provisioning.pulumi_driver import PulumiConfig, PulumiDriver
from storefleet.provisioning.storefile import brand_folder_load

REPO = Path(__file__).resolve().parents[2]
CONFIG = PulumiConfig(
    backend_url="s3://acme-pulumi-state",
    secrets_provider="awskms://alias/storefleet-pulumi",
    platform_stack="acme/storefleet-platform/prod",
    allowed_domains=("stores.acme.example", "localhost"),
    aws_region="eu-central-1",
    environment="prod",
)


def summary(**changes: int) -> auto.UpdateSummary:
    return auto.UpdateSummary(
        kind="update",
        start_time=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        message="",
        environment={},
        config={},
        result="succeeded",
        resource_changes=dict(changes),
    )


STACK_OUTPUTS = {
    "hostname": auto.OutputValue("ferrum.localhost", secret=False),
    "mediaBucket": auto.OutputValue("acme-storefleet-prod-ferrum-media", secret=False),
    "distributionId": auto.OutputValue("E2QWRUHAPOMQZL", secret=False),
    "distributionDomainName": auto.OutputValue("d1x2y3.cloudfront.net", secret=False),
    "certificateStatus": auto.OutputValue("ISSUED", secret=False),
}


class RecordingStack:
    def __init__(self, automation: RecordingAutomation, name: str) -> None:
        self.automation, self.name = automation, name
        self.workspace = self

    def _record(self, *call: Any) -> None:
        self.automation.calls.append(call)

    def set_all_config(self, config: dict[str, auto.ConfigValue]) -> None:
        self._record("set_all_config", self.name, {k: v.value for k, v in config.items()})

    def preview(self, on_output=None) -> auto.PreviewResult:
        self._record("preview", self.name)
        return self.automation.answer("preview") or auto.PreviewResult(
            "", "", {auto.OpType.CREATE: 21, auto.OpType.SAME: 1}
        )

    def up(self, on_output=None) -> auto.UpResult:
        self._record("up", self.name)
        return self.automation.answer("up") or auto.UpResult(
            "", "", summary(create=21, same=1), dict(STACK_OUTPUTS)
        )

    def destroy(self, on_output=None) -> auto.DestroyResult:
        self._record("destroy", self.name)
        return auto.DestroyResult("", "", summary(delete=21))

    def remove_stack(self, name: str) -> None:
        self._record("remove_stack", name)


class RecordingAutomation:
    """Stands in for ``pulumi.automation``: the real option and value types, recorded calls."""

    LocalWorkspaceOptions = auto.LocalWorkspaceOptions
    ConfigValue = auto.ConfigValue
    CommandError = auto.CommandError
    StackNotFoundError = auto.StackNotFoundError

    def __init__(self, *, existing: set[str] | None = None) -> None:
        self.calls: list[tuple] = []
        self.existing = existing if existing is not None else set()
        self.answers: dict[str, Any] = {}

    def answer(self, operation: str) -> Any:
        answer = self.answers.get(operation)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def _opened(self, how: str, stack_name: str, work_dir: str, opts) -> RecordingStack:
        self.calls.append((how, stack_name, work_dir, dict(opts.env_vars), opts.secrets_provider))
        self.existing.add(stack_name)
        return RecordingStack(self, stack_name)

    def create_or_select_stack(self, *, stack_name: str, work_dir: str, opts) -> RecordingStack:
        return self._opened("create_or_select_stack", stack_name, work_dir, opts)

    def select_stack(self, *, stack_name: str, work_dir: str, opts) -> RecordingStack:
        if stack_name not in self.existing:
            raise auto.StackNotFoundError(auto.CommandResult("", "no stack named", 255))
        return self._opened("select_stack", stack_name, work_dir, opts)


@pytest.fixture
def automation() -> RecordingAutomation:
    return RecordingAutomation()


@pytest.fixture
def driver(automation) -> PulumiDriver:
    return PulumiDriver(CONFIG, automation=automation)


PROGRAM = str(REPO / "infra" / "aws" / "store")
OPENED = (
    "create_or_select_stack",
    "store-ferrum",
    PROGRAM,
    {"PULUMI_BACKEND_URL": "s3://acme-pulumi-state"},
    "awskms://alias/storefleet-pulumi",
)
CONFIGURED = (
    "set_all_config",
    "store-ferrum",
    {
        "slug": "ferrum",
        "brandsDir": str(REPO / "brands"),
        "allowedDomains": json.dumps(["stores.acme.example", "localhost"]),
        "platformStack": "acme/storefleet-platform/prod",
        "environment": "prod",
        "aws:region": "eu-central-1",
    },
)


def test_the_program_is_the_store_stack_in_the_repository():
    assert (Path(PROGRAM) / "__main__.py").is_file()
    assert "name: storefleet-store" in (Path(PROGRAM) / "Pulumi.yaml").read_text()


def test_plan_is_a_preview_of_the_store_stack(driver, automation):
    changes = driver.plan(slug="ferrum", hostname="ferrum.localhost")

    assert changes == ("store-ferrum: 21 to create",)
    assert automation.calls == [OPENED, CONFIGURED, ("preview", "store-ferrum")]


def test_ensure_is_up_and_records_the_outputs(driver, automation):
    state = driver.ensure(slug="ferrum", hostname="ferrum.localhost")

    assert state == InfraState(
        changed=True,
        details=(
            "store-ferrum: 21 to create",
            "hostname: ferrum.localhost",
            "mediaBucket: acme-storefleet-prod-ferrum-media",
            "distributionId: E2QWRUHAPOMQZL",
            "distributionDomainName: d1x2y3.cloudfront.net",
            "certificateStatus: ISSUED",
        ),
    )
    assert automation.calls == [OPENED, CONFIGURED, ("up", "store-ferrum")]


def test_ensure_again_changes_nothing(driver, automation):
    automation.answers["up"] = auto.UpResult("", "", summary(same=22), dict(STACK_OUTPUTS))

    state = driver.ensure(slug="ferrum", hostname="ferrum.localhost")

    assert state.changed is False
    assert state.details[:2] == ("store-ferrum: up to date", "hostname: ferrum.localhost")


def test_a_refused_store_file_is_an_application_error(driver, automation):
    refusal = (
        "error: Program failed with an unhandled exception:\n"
        "error: brands/ferrum/store.toml: [store] hostname 'ferrum.evil.example' is outside "
        "the allowed domains (stores.acme.example, localhost)"
    )
    automation.answers["preview"] = auto.CommandError(auto.CommandResult("", refusal, 255))

    with pytest.raises(ApplicationError) as failed:
        driver.plan(slug="ferrum", hostname="ferrum.evil.example")

    assert failed.value.message == (
        "pulumi preview of stack store-ferrum failed: error: Program failed with an unhandled "
        "exception: error: brands/ferrum/store.toml: [store] hostname 'ferrum.evil.example' is "
        "outside the allowed domains (stores.acme.example, localhost)"
    )
    assert [c[0] for c in automation.calls] == [
        "create_or_select_stack",
        "set_all_config",
        "preview",
    ]


def test_destroy_is_destroy_then_the_stack_is_removed(automation):
    automation.existing.add("store-ferrum")
    driver = PulumiDriver(CONFIG, automation=automation)

    state = driver.destroy(slug="ferrum", hostname="ferrum.localhost")

    assert state == InfraState(
        changed=True, details=("store-ferrum: 21 resources deleted, stack removed",)
    )
    assert automation.calls == [
        ("select_stack", *OPENED[1:]),
        ("destroy", "store-ferrum"),
        ("remove_stack", "store-ferrum"),
    ]


def test_destroy_of_a_missing_stack_changes_nothing(driver, automation):
    state = driver.destroy(slug="ferrum", hostname="ferrum.localhost")

    assert state == InfraState(changed=False, details=("stack store-ferrum was not there",))
    assert automation.calls == []


def test_without_the_pulumi_cli_the_real_automation_api_gives_a_clear_error(monkeypatch):
    """The real ``pulumi.automation`` on this machine, where the CLI is missing."""
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("PULUMI_SKIP_UPDATE_CHECK", "true")
    driver = PulumiDriver(CONFIG)

    with pytest.raises(ApplicationError, match="The pulumi CLI is not installed on this machine"):
        driver.plan(slug="ferrum", hostname="ferrum.localhost")


def test_unconfigured_driver_names_what_is_missing(settings):
    settings.PULUMI_BACKEND_URL = ""
    settings.PULUMI_PLATFORM_STACK = "acme/storefleet-platform/prod"
    settings.PULUMI_AWS_REGION = ""
    settings.STOREFLEET_ALLOWED_DOMAINS = []

    with pytest.raises(ApplicationError) as refused:
        driver_for("pulumi")

    assert refused.value.message == (
        "The pulumi infrastructure driver is not configured: set PULUMI_BACKEND_URL, "
        "PULUMI_AWS_REGION, STOREFLEET_ALLOWED_DOMAINS in the environment (see README, "
        "'Running on AWS')."
    )


@pytest.fixture
def pulumi_settings(settings):
    settings.PULUMI_BACKEND_URL = "s3://acme-pulumi-state"
    settings.PULUMI_PLATFORM_STACK = "acme/storefleet-platform/prod"
    settings.PULUMI_AWS_REGION = "eu-central-1"
    settings.STOREFLEET_ALLOWED_DOMAINS = ["stores.acme.example"]
    return settings


def test_driver_selection(pulumi_settings):
    assert isinstance(driver_for("local"), LocalDriver)
    assert isinstance(driver_for("pulumi"), PulumiDriver)
    pulumi_settings.STOREFLEET_INFRASTRUCTURE_DRIVER = "pulumi"
    assert isinstance(driver_for("local"), PulumiDriver)


def test_the_infrastructure_step_records_the_stack_outputs(tmp_path, settings, monkeypatch):
    """A store file that names the pulumi driver, through the pipeline's own step."""
    brands = tmp_path / "brands"
    shutil.copytree(REPO / "brands" / "ferrum", brands / "ferrum")
    store_file = brands / "ferrum" / "store.toml"
    store_file.write_text(
        store_file.read_text().replace('driver = "local"', 'driver = "pulumi"'), encoding="utf-8"
    )
    settings.STOREFLEET_BRANDS_DIR = brands
    automation = RecordingAutomation()
    monkeypatch.setitem(
        drivers.DRIVERS, "pulumi", lambda: PulumiDriver(CONFIG, automation=automation)
    )
    assert brand_folder_load(brands / "ferrum").driver == "pulumi"

    outcome = steps.infrastructure(ProvisioningRun(slug="ferrum", folder=str(brands / "ferrum")))

    assert outcome.status == StepStatus.SUCCEEDED
    assert outcome.log[1:3] == (
        "hostname: ferrum.localhost",
        "mediaBucket: acme-storefleet-prod-ferrum-media",
    )
    assert automation.calls[1][2]["brandsDir"] == str(brands)

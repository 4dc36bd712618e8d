"""The ``pulumi`` infrastructure driver: one Pulumi stack per store (``store-<slug>``) running
the program in ``infra/aws/store`` through Pulumi's Automation API.

plan = ``pulumi preview``, ensure = ``pulumi up``, destroy = ``pulumi destroy`` (then the stack is
removed). The stack's outputs — media bucket, CloudFront distribution, certificate status — are
returned as the step's details, so the provisioning run records them. The state backend and
credentials come from the environment: ``PULUMI_BACKEND_URL`` (``s3://…``, ``https://api.pulumi.com``
or ``file://…``), ``PULUMI_SECRETS_PROVIDER`` or ``PULUMI_CONFIG_PASSPHRASE``, and AWS's own
variables (``AWS_PROFILE``, ``AWS_ACCESS_KEY_ID``, …), which the ``pulumi`` CLI inherits."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from django.conf import settings

from storefleet.errors import ApplicationError

from .drivers import InfraState
from .storefile import brands_dir

logger = logging.getLogger("storefleet.provisioning.pulumi")

STORE_PROGRAM = Path(settings.REPO_DIR) / "infra" / "aws" / "store"
# Outputs of infra/aws/store worth a line in the run's log, in this order.
RECORDED_OUTPUTS = (
    "hostname",
    "mediaBucket",
    "distributionId",
    "distributionDomainName",
    "certificateStatus",
)


@dataclass(frozen=True)
class PulumiConfig:
    """What every store stack is given besides its slug."""

    backend_url: str
    secrets_provider: str
    platform_stack: str
    allowed_domains: tuple[str, ...]
    aws_region: str
    environment: str

    @classmethod
    def from_settings(cls) -> PulumiConfig:
        missing = [
            name
            for name in ("PULUMI_BACKEND_URL", "PULUMI_PLATFORM_STACK", "PULUMI_AWS_REGION")
            if not getattr(settings, name, "")
        ]
        if not getattr(settings, "STOREFLEET_ALLOWED_DOMAINS", ()):
            missing.append("STOREFLEET_ALLOWED_DOMAINS")
        if missing:
            raise ApplicationError(
                "The pulumi infrastructure driver is not configured: set "
                f"{', '.join(missing)} in the environment (see README, 'Running on AWS').",
                field="driver",
                code="pulumi_not_configured",
            )
        return cls(
            backend_url=settings.PULUMI_BACKEND_URL,
            secrets_provider=getattr(settings, "PULUMI_SECRETS_PROVIDER", ""),
            platform_stack=settings.PULUMI_PLATFORM_STACK,
            allowed_domains=tuple(settings.STOREFLEET_ALLOWED_DOMAINS),
            aws_region=settings.PULUMI_AWS_REGION,
            environment=getattr(settings, "STOREFLEET_ENVIRONMENT", "") or "production",
        )


def stack_name(slug: str) -> str:
    return f"store-{slug}"


def _automation() -> ModuleType:
    from pulumi import automation

    return automation


class PulumiDriver:
    """A store's cloud infrastructure as a Pulumi stack; implements ``InfrastructureDriver``.

    ``automation`` is ``pulumi.automation`` unless a test passes a stand-in with the same
    ``create_or_select_stack``/``select_stack`` (the boundary this machine cannot cross: the
    ``pulumi`` CLI is not installable here)."""

    name = "pulumi"

    def __init__(
        self,
        config: PulumiConfig | None = None,
        *,
        automation: Any = None,
        program_dir: Path = STORE_PROGRAM,
    ) -> None:
        self.config = config or PulumiConfig.from_settings()
        self.auto = automation or _automation()
        self.program_dir = program_dir

    # -- the stack ---------------------------------------------------------------------------
    def _options(self) -> Any:
        env = {"PULUMI_BACKEND_URL": self.config.backend_url}
        return self.auto.LocalWorkspaceOptions(
            env_vars=env, secrets_provider=self.config.secrets_provider or None
        )

    def stack_config(self, slug: str) -> dict[str, Any]:
        value = self.auto.ConfigValue
        return {
            "slug": value(slug),
            "brandsDir": value(str(brands_dir())),
            "allowedDomains": value(json.dumps(list(self.config.allowed_domains))),
            "platformStack": value(self.config.platform_stack),
            "environment": value(self.config.environment),
            "aws:region": value(self.config.aws_region),
        }

    def _stack(self, slug: str) -> Any:
        try:
            stack = self.auto.create_or_select_stack(
                stack_name=stack_name(slug), work_dir=str(self.program_dir), opts=self._options()
            )
        except FileNotFoundError:
            raise ApplicationError(
                "The pulumi CLI is not installed on this machine: install it "
                "(https://www.pulumi.com/docs/install/) where the worker runs, or use the "
                "'local' driver.",
                field="driver",
                code="pulumi_missing",
            ) from None
        stack.set_all_config(self.stack_config(slug))
        return stack

    def _run(self, slug: str, operation: str, call: Any) -> Any:
        try:
            return call()
        except self.auto.CommandError as error:
            # The program's own refusals (a bad store file) come back in the CLI's stderr.
            message = _last_lines(str(error).partition("stderr:")[2] or str(error))
            logger.warning("pulumi %s of %s failed: %s", operation, stack_name(slug), message)
            raise ApplicationError(
                f"pulumi {operation} of stack {stack_name(slug)} failed: {message}",
                field="infrastructure",
                code="pulumi_failed",
            ) from None

    # -- InfrastructureDriver ----------------------------------------------------------------
    # The stack reads the language hosts from store.toml itself (``infra/aws``).
    def plan(
        self, *, slug: str, hostname: str, language_hosts: tuple[str, ...] = ()
    ) -> tuple[str, ...]:
        stack = self._stack(slug)
        result = self._run(slug, "preview", lambda: stack.preview(on_output=logger.debug))
        return _changes(stack_name(slug), result.change_summary)

    def ensure(
        self, *, slug: str, hostname: str, language_hosts: tuple[str, ...] = ()
    ) -> InfraState:
        stack = self._stack(slug)
        result = self._run(slug, "up", lambda: stack.up(on_output=logger.debug))
        changes = _changes(stack_name(slug), result.summary.resource_changes or {})
        outputs = {key: out.value for key, out in result.outputs.items() if not out.secret}
        if outputs.get("hostname") not in (None, hostname):
            raise ApplicationError(
                f"Stack {stack_name(slug)} serves {outputs['hostname']}, not {hostname}.",
                field="hostname",
            )
        recorded = tuple(f"{key}: {outputs[key]}" for key in RECORDED_OUTPUTS if key in outputs)
        head = changes or (f"{stack_name(slug)}: up to date",)
        return InfraState(changed=bool(changes), details=(*head, *recorded))

    def destroy(self, *, slug: str, hostname: str) -> InfraState:
        try:
            stack = self.auto.select_stack(
                stack_name=stack_name(slug), work_dir=str(self.program_dir), opts=self._options()
            )
        except self.auto.StackNotFoundError:
            return InfraState(changed=False, details=(f"stack {stack_name(slug)} was not there",))
        result = self._run(slug, "destroy", lambda: stack.destroy(on_output=logger.debug))
        stack.workspace.remove_stack(stack_name(slug))
        deleted = (result.summary.resource_changes or {}).get("delete", 0)
        return InfraState(
            changed=True,
            details=(f"{stack_name(slug)}: {deleted} resources deleted, stack removed",),
        )


def _changes(name: str, summary: Mapping[Any, int]) -> tuple[str, ...]:
    """``{"create": 3, "same": 2}`` → ``("store-x: 3 to create",)``; unchanged ones left out."""
    return tuple(
        f"{name}: {count} to {getattr(op, 'value', op)}"
        for op, count in sorted(summary.items(), key=lambda item: str(item[0]))
        if count and getattr(op, "value", op) != "same"
    )


def _last_lines(text: str, lines: int = 6) -> str:
    return " ".join(line.strip() for line in text.strip().splitlines()[-lines:] if line.strip())

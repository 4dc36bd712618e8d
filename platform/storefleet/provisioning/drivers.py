"""Infrastructure drivers: what a store needs outside the platform's database.

``local`` is the embedded default (media folder and host routing on this machine); ``pulumi``
(``pulumi_driver.py``) makes a store's cloud infrastructure with one Pulumi stack per store.
A store file names its driver; ``STOREFLEET_INFRASTRUCTURE_DRIVER`` overrides it for every store
(production sets ``pulumi``)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.http.request import validate_host

from storefleet.errors import ApplicationError
from storefleet.tenants.selectors import store_for_hostname


@dataclass(frozen=True)
class InfraState:
    """What the driver found or made for one store; ``changed`` is False when it was there."""

    changed: bool
    details: tuple[str, ...]


class InfrastructureDriver(Protocol):
    name: str

    def plan(self, *, slug: str, hostname: str) -> tuple[str, ...]:
        """What ``ensure`` would create, without creating it."""
        ...

    def ensure(self, *, slug: str, hostname: str) -> InfraState:
        """Make the store's infrastructure exist; idempotent."""
        ...

    def destroy(self, *, slug: str, hostname: str) -> InfraState:
        """Remove what ``ensure`` made; idempotent."""
        ...


class LocalDriver:
    """This machine: ``MEDIA_ROOT/stores/<slug>/`` for the store's files, and the store's host
    routed by this process (allowed by ``ALLOWED_HOSTS``, resolved by the store middleware)."""

    name = "local"

    def media_dir(self, slug: str) -> Path:
        return Path(settings.MEDIA_ROOT) / "stores" / slug

    def _routable(self, hostname: str) -> bool:
        return validate_host(hostname, settings.ALLOWED_HOSTS)

    def plan(self, *, slug: str, hostname: str) -> tuple[str, ...]:
        changes = []
        if not self.media_dir(slug).is_dir():
            changes.append(f"create media folder {self.media_dir(slug)}")
        if not self._routable(hostname):
            raise ApplicationError(
                f"The host '{hostname}' cannot be routed on this machine: it is not in "
                f"ALLOWED_HOSTS ({', '.join(settings.ALLOWED_HOSTS)}). Use a *.localhost name "
                "or add the host to DJANGO_ALLOWED_HOSTS.",
                field="hostname",
            )
        return tuple(changes)

    def ensure(self, *, slug: str, hostname: str) -> InfraState:
        changes = list(self.plan(slug=slug, hostname=hostname))
        self.media_dir(slug).mkdir(parents=True, exist_ok=True)
        store = store_for_hostname(hostname)
        if store is None or store.slug != slug:
            raise ApplicationError(
                f"The host '{hostname}' does not resolve to the store '{slug}' here.",
                field="hostname",
            )
        details = [*changes, f"host {hostname} resolves to store {slug}"]
        return InfraState(changed=bool(changes), details=tuple(details))

    def destroy(self, *, slug: str, hostname: str) -> InfraState:
        folder = self.media_dir(slug)
        if folder.is_dir():
            shutil.rmtree(folder)
            return InfraState(changed=True, details=(f"removed {folder}",))
        return InfraState(changed=False, details=(f"{folder} was not there",))


def _pulumi_driver() -> InfrastructureDriver:
    # Imported on use: the Automation API is only needed where stacks are run.
    from .pulumi_driver import PulumiDriver

    return PulumiDriver()


DRIVERS: dict[str, Callable[[], InfrastructureDriver]] = {
    "local": LocalDriver,
    "pulumi": _pulumi_driver,
}


def driver_for(name: str) -> InfrastructureDriver:
    name = getattr(settings, "STOREFLEET_INFRASTRUCTURE_DRIVER", "") or name
    try:
        return DRIVERS[name]()
    except KeyError:
        raise ApplicationError(f"No infrastructure driver '{name}'.", field="driver") from None

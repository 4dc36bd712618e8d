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
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import validate_host

from storefleet.errors import ApplicationError
from storefleet.origins import DEFAULT_PORTS, public_base_url, public_port
from storefleet.tenants.selectors import store_for_hostname


@dataclass(frozen=True)
class InfraState:
    """What the driver found or made for one store; ``changed`` is False when it was there."""

    changed: bool
    details: tuple[str, ...]


class InfrastructureDriver(Protocol):
    name: str

    def plan(
        self, *, slug: str, hostname: str, language_hosts: tuple[str, ...] = ()
    ) -> tuple[str, ...]:
        """What ``ensure`` would create, without creating it. ``language_hosts``: the hosts of
        the store's languages served on their own (store.toml's ``[store.hosts]``), reached as
        the store's hostname is."""
        ...

    def ensure(
        self, *, slug: str, hostname: str, language_hosts: tuple[str, ...] = ()
    ) -> InfraState:
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

    def plan(
        self, *, slug: str, hostname: str, language_hosts: tuple[str, ...] = ()
    ) -> tuple[str, ...]:
        changes = []
        if not self.media_dir(slug).is_dir():
            changes.append(f"create media folder {self.media_dir(slug)}")
        for host in (hostname, *language_hosts):
            if not self._routable(host):
                raise ApplicationError(
                    f"The host '{host}' cannot be routed on this machine: it is not in "
                    f"ALLOWED_HOSTS ({', '.join(settings.ALLOWED_HOSTS)}). Use a *.localhost "
                    "name or add the host to DJANGO_ALLOWED_HOSTS.",
                    field="hostname",
                )
        return tuple(changes)

    def ensure(
        self, *, slug: str, hostname: str, language_hosts: tuple[str, ...] = ()
    ) -> InfraState:
        # The language hosts are checked routable here; they resolve to the store once the
        # languages step has given them (after the content).
        changes = list(self.plan(slug=slug, hostname=hostname, language_hosts=language_hosts))
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


@dataclass(frozen=True)
class Endpoint:
    """Where a store's smoke test sends its request: ``url`` is the store's address as the
    public types it; the request goes to ``address`` (host, port), whatever the driver put in
    front of the store, with ``url``'s host in the Host header. ``in_process_fallback``: when
    nothing listens there, the store may be requested inside this process instead (the local
    driver's CLI path: no web server is running); never for a cloud driver, where that would
    pass a store nobody can reach."""

    url: str
    address: tuple[str, int]
    in_process_fallback: bool


def web_address() -> tuple[str, int]:
    """The local web server's address: ``STOREFLEET_WEB_ADDRESS`` (``host:port``), else the
    loopback on the public port (runserver's, under ``make demo``)."""
    configured = settings.STOREFLEET_WEB_ADDRESS
    if configured:
        host, _, port = configured.rpartition(":")
        if not port.isdigit():
            raise ApplicationError(
                f"STOREFLEET_WEB_ADDRESS '{configured}' is not host:port (e.g. 127.0.0.1:8000); "
                "correct it in the environment.",
                code="smoke_test",
            )
        return host or "127.0.0.1", int(port)
    return "127.0.0.1", public_port()


def smoke_endpoint(*, driver: str, hostname: str) -> Endpoint:
    """Where the smoke test of a store on ``driver`` requests ``hostname``'s home page."""
    url = public_base_url(hostname) + "/"
    if driver == "local":
        return Endpoint(url=url, address=web_address(), in_process_fallback=True)
    # A cloud store is reached as the public reaches it: DNS, load balancer, CDN.
    parts = urlsplit(url)
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 80)
    return Endpoint(url=url, address=(hostname, port), in_process_fallback=False)


def _pulumi_driver() -> InfrastructureDriver:
    # Imported on use: the Automation API is only needed where stacks are run.
    from .pulumi_driver import PulumiDriver

    return PulumiDriver()


DRIVERS: dict[str, Callable[[], InfrastructureDriver]] = {
    "local": LocalDriver,
    "pulumi": _pulumi_driver,
}


def driver_name(name: str) -> str:
    """The driver that will really run for a store declaring ``name`` (the setting overrides)."""
    return getattr(settings, "STOREFLEET_INFRASTRUCTURE_DRIVER", "") or name


def driver_for(name: str) -> InfrastructureDriver:
    name = getattr(settings, "STOREFLEET_INFRASTRUCTURE_DRIVER", "") or name
    try:
        return DRIVERS[name]()
    except KeyError:
        raise ApplicationError(f"No infrastructure driver '{name}'.", field="driver") from None

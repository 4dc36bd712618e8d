"""The few facts a store's infrastructure needs from ``brands/<slug>/store.toml``.

The platform's own reader (``storefleet.provisioning.storefile``) needs Django settings and
models; a Pulumi program must not, so this reads the same file with ``tomllib`` and checks only
what the cloud depends on. Every problem is reported at once, before any resource is declared."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pulumi

HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class StoreDeclarationError(pulumi.RunError):
    """The store file cannot be deployed; raised before any resource exists.

    A ``RunError`` so that ``pulumi preview``/``up`` print the message without a stack trace."""


@dataclass(frozen=True)
class StoreDeclaration:
    slug: str
    name: str
    brand: str
    region: str
    hostname: str
    # The allowed domain the hostname belongs to: where its DNS zone is.
    domain: str
    # (host, its allowed domain) of each language served on a host of its own
    # ([store.hosts]): on the same certificate, distribution and host rule as the store's.
    language_hosts: tuple[tuple[str, str], ...] = ()


def domain_for(hostname: str, allowed_domains: Sequence[str]) -> str | None:
    """The longest allowed domain that ``hostname`` is, or is under."""
    matches = [
        d.lower().strip(".")
        for d in allowed_domains
        if hostname == d.lower().strip(".") or hostname.endswith("." + d.lower().strip("."))
    ]
    return max(matches, key=len) if matches else None


def load_store_declaration(folder: Path, *, allowed_domains: Sequence[str]) -> StoreDeclaration:
    """Read and check ``folder/store.toml``; raises :class:`StoreDeclarationError`."""
    file = folder / "store.toml"
    if not file.is_file():
        raise StoreDeclarationError(f"{file}: no store file. Is '{folder.name}' a brand folder?")
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise StoreDeclarationError(f"{file}: cannot be read: {error}") from None
    table = data.get("store")
    store: dict = table if isinstance(table, dict) else {}
    problems: list[str] = []

    def text(key: str) -> str:
        value = store.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"[store] '{key}' is missing; add {key} = \"...\" to the file")
            return ""
        return value.strip()

    slug, name, brand, region = text("slug"), text("name"), text("brand"), text("region")
    hostname = text("hostname").lower()
    if slug and slug != folder.name:
        problems.append(f"[store] slug '{slug}' differs from the folder name '{folder.name}'")
    domain = None
    if hostname:
        labels = hostname.split(".")
        if len(labels) < 2 or not all(HOST_LABEL.match(label) for label in labels):
            problems.append(f"[store] hostname '{hostname}' is not a valid host name")
        domain = domain_for(hostname, allowed_domains)
        if domain is None:
            allowed = ", ".join(allowed_domains) or "none configured"
            problems.append(
                f"[store] hostname '{hostname}' is outside the allowed domains ({allowed}); "
                "use a host under one of them, or ask platform IT to add the domain to the "
                "stack's allowedDomains"
            )
    language_hosts = _language_hosts(store.get("hosts"), allowed_domains, problems)
    if problems:
        raise StoreDeclarationError(f"{file}: " + "; ".join(problems))
    assert domain is not None
    return StoreDeclaration(
        slug=slug,
        name=name,
        brand=brand,
        region=region,
        hostname=hostname,
        domain=domain,
        language_hosts=language_hosts,
    )


def _language_hosts(
    table: object, allowed_domains: Sequence[str], problems: list[str]
) -> tuple[tuple[str, str], ...]:
    """``[store.hosts]``: each a valid host under an allowed domain (the platform checks the
    rest: a language the store speaks, not the default, no other store's host)."""
    if table is None:
        return ()
    if not isinstance(table, dict):
        problems.append('[store.hosts] must be a table of language = "host"')
        return ()
    found = []
    for language, value in sorted(table.items()):
        host = value.strip().lower() if isinstance(value, str) else ""
        labels = host.split(".")
        if len(labels) < 2 or not all(HOST_LABEL.match(label) for label in labels):
            problems.append(f"[store.hosts] {language} '{value}' is not a valid host name")
            continue
        domain = domain_for(host, allowed_domains)
        if domain is None:
            allowed = ", ".join(allowed_domains) or "none configured"
            problems.append(
                f"[store.hosts] {language} '{host}' is outside the allowed domains ({allowed}); "
                "use a host under one of them, or ask platform IT to add the domain to the "
                "stack's allowedDomains"
            )
            continue
        found.append((host, domain))
    return tuple(found)


def brand_folders(brands_dir: Path) -> list[Path]:
    """Every store folder under ``brands_dir`` (one with a ``store.toml``), by name."""
    return sorted(p for p in brands_dir.iterdir() if (p / "store.toml").is_file())

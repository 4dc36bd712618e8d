"""Sandboxes: a partner builds against a copy of a store before going live.

A sandbox of store ``<slug>`` is the store ``<slug>-sandbox``, declared in
``brands/<slug>-sandbox/`` (the store's own folder with another slug, name and host) and
launched through the same provisioning pipeline as every store, against the reference ERP's
demo data; it is flagged ``Store.sandbox``. Keys made for it (``ApiKey.sandbox``) hold every
read and order scope, and the API refuses them on any store that is not a sandbox
(``auth.KeyAuth``), whatever else they name."""

from __future__ import annotations

import datetime
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from storefleet.accounts.models import Company
from storefleet.errors import ApplicationError
from storefleet.provisioning.models import RunStatus
from storefleet.provisioning.services import store_launch
from storefleet.provisioning.storefile import brands_dir
from storefleet.tenants.models import Store

from .keys import api_key_create
from .models import ApiKey, KeyKind, Scope

SUFFIX = "-sandbox"
SANDBOX_SCOPES = tuple(Scope)
SANDBOX_KEY_DAYS = 30


@dataclass(frozen=True, slots=True)
class SandboxKey:
    store: Store
    company: Company
    key: ApiKey
    text: str  # shown once

    @property
    def base_url(self) -> str:
        return f"{self.store.base_url}/api/v1/"

    def example_curl(self) -> str:
        return (
            f"curl -H 'Authorization: Bearer {self.text}' '{self.base_url}catalog/products?limit=5'"
        )


def _sandbox_hostname(hostname: str) -> str:
    first, _, rest = hostname.partition(".")
    return f"{first}{SUFFIX}.{rest}" if rest else f"{first}{SUFFIX}"


def _declare(source: Store) -> Path:
    """``brands/<slug>-sandbox/``: the source store's folder with the sandbox's slug, name
    and host (the rest — theme, content, assortment, customers — is the store's own)."""
    root = brands_dir()
    origin = root / source.slug
    if not (origin / "store.toml").is_file():
        raise ApplicationError(
            f"The store '{source.slug}' has no folder in {root}: a sandbox is made from a store "
            "declared there."
        )
    slug = f"{source.slug}{SUFFIX}"
    target = root / slug
    if target.exists():
        return target
    scratch = Path(tempfile.mkdtemp(prefix=".sandbox-", dir=root))
    try:
        copy = scratch / slug
        shutil.copytree(origin, copy)
        text = (copy / "store.toml").read_text(encoding="utf-8")
        for field, value in (
            ("slug", slug),
            ("name", f"{source.name} (sandbox)"),
            ("hostname", _sandbox_hostname(source.hostname)),
        ):
            text = re.sub(
                rf'^{field}\s*=\s*"[^"]*"', f'{field} = "{value}"', text, count=1, flags=re.M
            )
        (copy / "store.toml").write_text(text, encoding="utf-8")
        copy.rename(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def sandbox_store_launch(*, source: Store, requested_by: Any = None) -> Store:
    """The sandbox of ``source``, launched through the provisioning pipeline if it is not yet
    (idempotent: an existing sandbox is returned as it is)."""
    if source.sandbox:
        return source
    existing = Store.objects.filter(slug=f"{source.slug}{SUFFIX}").first()
    if existing is not None and existing.sandbox:
        return existing
    if existing is not None:
        raise ApplicationError(
            f"The store '{existing.slug}' exists and is not a sandbox: rename it first."
        )
    path = _declare(source)
    run = store_launch(path=path, requested_by=requested_by, check_erp=False, inline=True)
    if run.status != RunStatus.SUCCEEDED:
        raise ApplicationError(f"Launching the sandbox failed (run {run.pk}): {run.error}")
    Store.objects.filter(slug=path.name).update(sandbox=True)
    return Store.objects.get(slug=path.name)


@transaction.atomic
def sandbox_key_create(
    *, store: Store, company: Company | None = None, created_by: Any = None
) -> SandboxKey:
    """A fresh sandbox key of ``company`` (default: the first company that buys in the
    sandbox) with every read and order scope, valid for 30 days on this sandbox store only."""
    if not store.sandbox:
        raise ApplicationError(
            f"'{store.slug}' is not a sandbox store: sandbox keys are made on sandboxes only."
        )
    buyers = Company.objects.filter(stores=store, active=True).order_by("code")
    chosen = buyers.filter(pk=company.pk).first() if company else buyers.first()
    if chosen is None:
        raise ApplicationError(
            "No company buys in this sandbox: name one of its customers (--company), once the "
            "ERP's customers are mirrored."
        )
    key, text = api_key_create(
        name=f"Sandbox of {store.name}",
        kind=KeyKind.COMPANY,
        scopes=[scope.value for scope in SANDBOX_SCOPES],
        expires_at=timezone.now() + datetime.timedelta(days=SANDBOX_KEY_DAYS),
        company=chosen,
        store=store,
        created_by=created_by,
        sandbox=True,
    )
    return SandboxKey(store=store, company=chosen, key=key, text=text)

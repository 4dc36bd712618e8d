"""Who is calling: ``Authorization: Bearer <key>`` on a store's host, turned into a
:class:`Caller` (the key, the store the request reached, the company it acts for) — or a problem:
401 for a key that is wrong, revoked, expired or not valid on this store's host; 429 while the
client has sent too many wrong keys or the key is over its rate; 403 for a missing scope or a
company the key may not act for.

A company key acts for its company. A partner key names the company in the
``Storefleet-Company`` header (its customer number) on every request, and may act only for the
companies it was granted that buy in this store."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from storefleet.accounts.models import Company
from storefleet.accounts.throttle import client_address
from storefleet.ordering.scope import OrderScope
from storefleet.tenants.selectors import StoreRecord

from . import ratelimit
from .keys import key_for_text, key_touch
from .models import ApiKey, KeyKind, Scope
from .problems import ApiProblem

logger = logging.getLogger("storefleet.api")

COMPANY_HEADER = "Storefleet-Company"
_COMPANY_META = "HTTP_STOREFLEET_COMPANY"
WRONG_KEY = (
    "Send a valid API key as 'Authorization: Bearer <key>'. This key is unknown, revoked or "
    "expired, or was made for another store: a company admin makes keys on the store's "
    "account pages (Company > API keys)."
)


@dataclass(frozen=True, slots=True)
class Caller:
    key: ApiKey
    store: StoreRecord
    company: Company

    @property
    def scope(self) -> OrderScope:
        """What the storefront's buyer of this company in this store reaches."""
        return OrderScope.store(company=self.company, store_id=self.store.id)


def _valid_here(key: ApiKey, store: StoreRecord) -> bool:
    if key.sandbox and not store.sandbox:
        return False  # a sandbox key never acts on a live store, whatever else it names
    if key.kind == KeyKind.COMPANY:
        return key.store_id == store.id
    return key.stores.filter(pk=store.id).exists()


def _company(request: HttpRequest, key: ApiKey, store: StoreRecord) -> Company:
    named = request.META.get(_COMPANY_META, "").strip()
    if key.kind == KeyKind.COMPANY:
        company = key.company
        if company is None or (named and named != company.code):
            raise ApiProblem(
                "company-not-granted",
                f"This key acts for its own company only; leave out {COMPANY_HEADER} or name "
                "your own customer number.",
            )
    else:
        if not named:
            raise ApiProblem(
                "company-required",
                f"A partner key must name the company it acts for: send its customer number in "
                f"the {COMPANY_HEADER} header.",
            )
        found = key.companies.filter(code=named[:64]).first()
        if found is None:
            raise ApiProblem(
                "company-not-granted",
                f"This key was not granted company {named[:64]!r}: ask platform IT to grant it.",
            )
        company = found
    if not company.active or not company.stores.filter(pk=store.id).exists():
        raise ApiProblem(
            "company-not-granted",
            "This company does not buy in this store: call the store it buys in.",
        )
    return company


class KeyAuth(HttpBearer):
    """Ninja's bearer scheme with the key checks above; ``scope`` is what the endpoint needs."""

    def __init__(self, scope: Scope) -> None:
        super().__init__()
        self.required_scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> Caller | PartnerCaller | None:
        store: StoreRecord | None = getattr(request, "store", None)
        address = client_address(request)
        wait = ratelimit.failed_lookups_blocked(address)
        if wait:
            raise ApiProblem(
                "too-many-failed-keys",
                f"This client sent too many wrong API keys: wait {wait} seconds, then send a "
                "valid key.",
                headers={"Retry-After": str(wait)},
            )
        key = key_for_text(token.strip()) if store is not None else None
        if key is None or store is None or not _valid_here(key, store):
            ratelimit.failed_lookup_note(address)
            # The audit platform IT reads: which client, which key prefix, never the key.
            logger.warning(
                "API key refused from %s on %s: %s",
                address,
                store.slug if store else "-",
                token.strip()[:16],
            )
            raise ApiProblem("unauthenticated", WRONG_KEY, headers={"WWW-Authenticate": "Bearer"})
        allowance = ratelimit.key_allowance(
            key_id=key.pk, limit=key.rate_limit_per_minute or settings.API_RATE_LIMIT_PER_MINUTE
        )
        request.api_rate_headers = allowance.headers()  # type: ignore[attr-defined]
        if not allowance.allowed:
            raise ApiProblem(
                "rate-limited",
                f"This key sent more than {allowance.limit} requests a minute: wait "
                f"{allowance.reset_seconds} seconds (Retry-After) and spread requests out.",
            )
        if self.required_scope not in key.scopes:
            raise ApiProblem(
                "scope-missing",
                f"This needs the scope {self.required_scope.value!r}, which the key does not "
                "have: make a key with it.",
            )
        return self.caller(request, key, store)

    def caller(
        self, request: HttpRequest, key: ApiKey, store: StoreRecord
    ) -> Caller | PartnerCaller:
        """Who calls, once the key is valid here, within its rate and scope: the company it
        acts for (``Caller``)."""
        company = _company(request, key, store)
        key_touch(key)
        return Caller(key=key, store=store, company=company)


@dataclass(frozen=True, slots=True)
class PartnerCaller:
    """A partner key acting for itself, across the stores and companies it was granted
    (its own webhook subscriptions): no company named."""

    key: ApiKey
    store: StoreRecord


class PartnerKeyAuth(KeyAuth):
    """``KeyAuth`` for a partner key's own resources: a company key is refused (403)."""

    def caller(
        self, request: HttpRequest, key: ApiKey, store: StoreRecord
    ) -> Caller | PartnerCaller:
        if key.kind != KeyKind.PARTNER:
            raise ApiProblem(
                "forbidden",
                "These are a partner key's own webhook subscriptions: a company key manages "
                "its company's under /api/v1/webhooks/.",
            )
        if request.META.get(_COMPANY_META, "").strip():
            # Not needed here; but a company named is one the key was granted, as everywhere.
            _company(request, key, store)
        key_touch(key)
        return PartnerCaller(key=key, store=store)

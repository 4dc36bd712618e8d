"""Making, finding and revoking API keys (services and selectors of ``ApiKey``).

A key reads ``sfk_<prefix>_<secret>``. The prefix (12 random characters) finds the row; the
whole key is checked against ``digest``, an HMAC-SHA256 keyed with the server's secret
(Django's ``salted_hmac`` over ``SECRET_KEY``). Why not a password hasher (PBKDF2, Argon2):
those are slow on purpose to make guessing *low-entropy* passwords expensive; a key carries 238
random bits, which no guessing reaches, and the API checks a key on every request, where a
deliberately slow hash would cost every call. The HMAC's server secret means a copy of the
database alone can neither use nor verify a key. The comparison is constant-time."""

from __future__ import annotations

import datetime
import re
import secrets
import string
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from storefleet.accounts.models import Company
from storefleet.errors import ApplicationError
from storefleet.tenants.models import Store

from .models import ApiKey, KeyKind, Scope

_ALPHABET = string.ascii_letters + string.digits
PREFIX_LENGTH = 12
SECRET_LENGTH = 40
KEY_PATTERN = re.compile(rf"sfk_([A-Za-z0-9]{{{PREFIX_LENGTH}}})_[A-Za-z0-9]{{{SECRET_LENGTH}}}")
# last_used_at is written at most this often per key: not one UPDATE per request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
MAX_LIFETIME_DAYS = 730
# Scopes a company admin may grant: every one (a procurement system places orders by API).
GRANTABLE_SCOPES = tuple(Scope)


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def key_digest(key: str) -> str:
    return salted_hmac("storefleet.api.key", key, algorithm="sha256").hexdigest()


def _checked_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(scopes))
    unknown = [s for s in chosen if s not in Scope.values]
    if unknown:
        raise ApplicationError(
            _("Unknown scope %(scope)r.") % {"scope": unknown[0]}, field="scopes"
        )
    if not chosen:
        raise ApplicationError(_("Choose at least one thing the key may do."), field="scopes")
    return chosen


@transaction.atomic
def api_key_create(
    *,
    name: str,
    kind: KeyKind,
    scopes: Sequence[str],
    expires_at: datetime.datetime,
    company: Company | None = None,
    store: Store | None = None,
    stores: Iterable[Store] = (),
    companies: Iterable[Company] = (),
    created_by: Any = None,
    sandbox: bool = False,
) -> tuple[ApiKey, str]:
    """A new key and its text, which is returned here once and stored nowhere."""
    name = name.strip()[:100]
    if not name:
        raise ApplicationError(
            _("Give the key a name, e.g. the system that will use it."), field="name"
        )
    now = timezone.now()
    if expires_at <= now:
        raise ApplicationError(_("Choose an expiry date in the future."), field="expires_at")
    if expires_at > now + datetime.timedelta(days=MAX_LIFETIME_DAYS):
        raise ApplicationError(
            _("A key may live %(n)d days at most: choose an earlier expiry date.")
            % {"n": MAX_LIFETIME_DAYS},
            field="expires_at",
        )
    if kind == KeyKind.COMPANY and (company is None or store is None):
        raise ApplicationError("A company key needs its company and store.")
    prefix = _random(PREFIX_LENGTH)
    text = f"sfk_{prefix}_{_random(SECRET_LENGTH)}"
    key = ApiKey.objects.create(
        name=name,
        kind=kind,
        prefix=prefix,
        digest=key_digest(text),
        scopes=_checked_scopes(scopes),
        company=company if kind == KeyKind.COMPANY else None,
        store=store if kind == KeyKind.COMPANY else None,
        expires_at=expires_at,
        created_by=created_by,
        sandbox=sandbox,
    )
    if kind == KeyKind.PARTNER:
        key.stores.set(stores)
        key.companies.set(companies)
    return key, text


def api_key_revoke(*, key_id: int, company: Company | None = None) -> bool:
    """Revoke a key (``company``: only one of that company's keys). False if none matched."""
    keys = ApiKey.objects.filter(pk=key_id, revoked_at__isnull=True)
    if company is not None:
        keys = keys.filter(company=company, kind=KeyKind.COMPANY)
    return bool(keys.update(revoked_at=timezone.now()))


def key_for_text(text: str) -> ApiKey | None:
    """The live key (not revoked, not expired) this text is, or None."""
    match = KEY_PATTERN.fullmatch(text)
    if match is None:
        return None
    key = ApiKey.objects.filter(prefix=match.group(1)).select_related("company", "store").first()
    if key is None or not constant_time_compare(key.digest, key_digest(text)):
        return None
    if key.revoked_at is not None or key.expires_at <= timezone.now():
        return None
    return key


def key_touch(key: ApiKey) -> None:
    """Note the key was used now: at most one write a minute per key, whatever the traffic."""
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    key.last_used_at = now


def company_keys(*, company: Company, store_id: int) -> QuerySet[ApiKey]:
    """A company's keys made in this store, newest first (revoked and expired ones too)."""
    return ApiKey.objects.filter(kind=KeyKind.COMPANY, company=company, store_id=store_id)

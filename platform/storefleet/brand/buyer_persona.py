"""What of a signed-in buyer's own the storefront's shared pages show: their *persona* (see
``buyer_cache``), read through what the apps that own it register in their ``AppConfig.ready``
— accounts whom the buyer buys for in a store (``register_buyer_of``), ordering the cart's size
and lists the lists they may add to (``register_persona_part``). The page cache sits below
those apps: it reads them only through this registry and never imports them."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Protocol


class Membership(Protocol):
    """Whom a buyer buys for: what the page cache needs of an accounts membership."""

    @property
    def company_id(self) -> int: ...


# (user, store id) -> the user's membership of a company buying in the store, or None.
BuyerOf = Callable[[Any, int], Membership | None]
# (user, store id, membership) -> one part of the persona (compared, never shown).
PersonaPart = Callable[[Any, int, Any], Hashable]

_buyer_of: list[BuyerOf] = []
_parts: dict[str, PersonaPart] = {}


def register_buyer_of(reader: BuyerOf) -> None:
    """Say how a user's membership in a store is read (accounts; one reader, the last wins)."""
    _buyer_of[:] = [reader]


def register_persona_part(name: str, read: PersonaPart) -> None:
    """Add what a shared page shows of the buyer's own under ``name`` (registering the same
    name again replaces it)."""
    _parts[name] = read


def buyer_membership(*, user: Any, store_id: int) -> Membership | None:
    """The user's membership of a company buying in the store; None when there is none, or
    no app said how to read it."""
    return _buyer_of[0](user, store_id) if _buyer_of else None


def persona_parts(
    *, user: Any, store_id: int, membership: Membership
) -> tuple[tuple[str, Hashable], ...]:
    """Every registered part of the buyer's persona, by name, in a fixed order."""
    return tuple((name, _parts[name](user, store_id, membership)) for name in sorted(_parts))

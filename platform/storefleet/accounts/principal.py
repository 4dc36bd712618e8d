"""Who acts, for which company, in which store(s), with which permissions: the one record
every face (storefront, service console, API) hands to the services and selectors that a
buyer, an agent or an API key calls, so that all three get the same answers.

A buyer acts for their company in the store the request reached. An agent acting as a buyer
on the storefront is that buyer, with the agent named (``agent``). An agent in the console
acts for a company in the stores they serve. An API key acts for its company (or the company
a partner key names) in the store the request reached, with the key's scopes.

This module sits low: it imports nothing of the apps above accounts and tenants but the
order scope it hands out (``scope``, read lazily)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest

from .models import Company, MemberRole, Membership

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from storefleet.ordering.checkout import Placer
    from storefleet.ordering.scope import OrderScope
    from storefleet.tenants.selectors import StoreRecord


class Actor(enum.StrEnum):
    BUYER = "buyer"  # a member of the company, on the storefront
    AGENT_AS_BUYER = "agent_as_buyer"  # an agent signed in as a member (service acting)
    AGENT = "agent"  # an agent in the service console
    KEY = "key"  # an API key (the company's own, or a partner's)


@dataclass(frozen=True, slots=True)
class Principal:
    """The acting principal. ``store`` is the store acted in (None: a console agent acting
    across the stores they serve, ``store_ids``; None there too: every store, a superuser)."""

    actor: Actor
    company: Company
    store: StoreRecord | None
    store_ids: frozenset[int] | None
    user: User | None = None  # the member acting (or whom the agent acts as), else None
    membership: Membership | None = None
    agent: User | None = None  # the agent: in the console, or acting as a buyer
    key_id: int | None = None
    key_scopes: frozenset[str] = field(default_factory=frozenset)
    role: str = ""  # the member's role (MemberRole), blank for an agent or a key

    # ------------------------------------------------------------ constructors
    @classmethod
    def for_buyer(cls, request: HttpRequest) -> Principal:
        """The storefront's buyer (or the agent acting as one): 404 for anyone not buying for
        a company in the request's store, as ``store_buyer``."""
        from .access import store_buyer

        store, membership = store_buyer(request)
        return cls.for_member(
            store=store,
            membership=membership,
            agent=getattr(getattr(request, "service_acting", None), "agent", None),
        )

    @classmethod
    def for_member(
        cls, *, store: StoreRecord, membership: Membership, agent: User | None = None
    ) -> Principal:
        return cls(
            actor=Actor.BUYER if agent is None else Actor.AGENT_AS_BUYER,
            company=membership.company,
            store=store,
            store_ids=frozenset({store.id}),
            user=membership.user,
            membership=membership,
            agent=agent,
            role=membership.role,
        )

    @classmethod
    def for_agent(
        cls,
        *,
        agent: User,
        company: Company,
        store: StoreRecord | None = None,
        store_ids: frozenset[int] | None = None,
    ) -> Principal:
        """An agent in the console. The caller has checked the agent serves ``store`` (or
        gives the stores of the company they serve, ``service.selectors.agent_principal``)."""
        if store is not None:
            store_ids = frozenset({store.id})
        return cls(
            actor=Actor.AGENT, company=company, store=store, store_ids=store_ids, agent=agent
        )

    @classmethod
    def for_key(cls, caller: Any) -> Principal:
        """An API caller (``api.auth.Caller``): its key, its store, the company it acts for."""
        key = caller.key
        return cls(
            actor=Actor.KEY,
            company=caller.company,
            store=caller.store,
            store_ids=frozenset({caller.store.id}),
            key_id=key.pk,
            key_scopes=frozenset(key.scopes or ()),
        )

    # ------------------------------------------------------------ what it may do
    @property
    def scope(self) -> OrderScope:
        """The company's orders, sales, returns and invoices this principal reaches."""
        from storefleet.ordering.scope import OrderScope

        return OrderScope(company=self.company, store_ids=self.store_ids)

    @property
    def placer(self) -> Placer:
        """Who an order is placed by: the member (the one an agent acts as), else the key."""
        from storefleet.ordering.checkout import Placer

        if self.user is not None:
            return Placer(user_id=self.user.pk)
        return Placer(api_key_id=self.key_id)

    @property
    def is_admin(self) -> bool:
        return self.role == MemberRole.ADMIN

    def has_scope(self, scope: str) -> bool:
        """An API key's scope; a member or an agent holds them all."""
        return self.actor is not Actor.KEY or scope in self.key_scopes

    def require_store(self) -> StoreRecord:
        """The store acted in, for what can only be done in one store (404 otherwise)."""
        if self.store is None:
            raise Http404("Choose the store to act in.")
        return self.store

    @property
    def recorded_user(self) -> User | None:
        """Who a record of what this principal does names (who cancelled an order, who asked
        for a return): the member (the one an agent acts as on the storefront), else the
        console's agent; None for an API key, which those records do not name."""
        return self.user if self.user is not None else self.agent

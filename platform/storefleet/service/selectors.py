"""Reads of the service console, scoped to the agent: the stores they serve, the companies
buying there, and one company's page. Another store's company is never found, so a URL with
its id answers like a missing one (404); within a company, its orders, returns, payments,
invoices and the audit of what agents did are those of the stores the agent serves (the
``OrderScope`` of ``agent_scope``: web orders of another store are not found)."""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from storefleet.accounts.models import Company, Membership
from storefleet.accounts.principal import Principal
from storefleet.accounts.selectors import company_members
from storefleet.billing.models import Payment
from storefleet.billing.selectors import AccountStatement, account_statement, payment_list
from storefleet.erp.errors import ErpError
from storefleet.ordering.models import (
    ErpSale,
    Order,
    OrderProgress,
    ReturnRequest,
    SaleRecord,
)
from storefleet.ordering.order_history import SaleView, sale_view
from storefleet.ordering.order_page import OrderPage
from storefleet.ordering.returns.selectors import return_list
from storefleet.ordering.scope import OrderScope
from storefleet.tenants.models import Store

from .models import ServiceAction, ServiceTeam

PERMISSION = "service.access_console"
ORDERS_SHOWN = 25
# Sales the ERP no longer changes: the page shows their mirror without asking again.
SETTLED = {OrderProgress.COMPLETED, OrderProgress.CANCELLED}
SEARCH_PER_PAGE = 20
MAX_QUERY = 100

User = AuthUser | AnonymousUser


def is_agent(user: User) -> bool:
    """Whether the user may open the console at all (what they see is then scoped)."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(PERMISSION))


def agent_stores(user: User) -> QuerySet[Store]:
    """The stores the agent serves: every store for a superuser, else those whose service
    team the agent is in."""
    if not is_agent(user):
        return Store.objects.none()
    if getattr(user, "is_superuser", False):
        return Store.objects.order_by("name")
    teams = ServiceTeam.objects.filter(group__in=user.groups.all())
    return Store.objects.filter(pk__in=teams.values("store_id")).order_by("name")


def store_agents(*, store_id: int) -> QuerySet[AuthUser]:
    """The active members of a store's service team (whom the store's buyers' requests go
    to; superusers serve every store but are in no team, and are not written to)."""
    return AuthUser.objects.filter(
        is_active=True, groups__service_team__store_id=store_id
    ).distinct()


def agent_companies(user: User) -> QuerySet[Company]:
    """The companies buying in a store the agent serves (all of them for a superuser)."""
    if not is_agent(user):
        return Company.objects.none()
    if getattr(user, "is_superuser", False):
        return Company.objects.all()
    stores = agent_stores(user)
    return Company.objects.filter(
        Exists(Company.stores.through.objects.filter(company=OuterRef("pk"), store__in=stores))
    )


def company_for_agent(*, user: User, company_id: int) -> Company | None:
    return agent_companies(user).filter(id=company_id).first()


def company_search(*, user: User, query: str) -> QuerySet[Company]:
    """The agent's companies matching ``query`` by code, name, a member's e-mail or user name,
    or the number of one of its orders (platform, ERP sale or return). Empty: all of them."""
    companies = agent_companies(user).order_by("name", "id").prefetch_related("stores")
    query = query.strip()[:MAX_QUERY]
    if not query:
        return companies
    by_member = Membership.objects.filter(company=OuterRef("pk")).filter(
        Q(user__email__icontains=query) | Q(user__username__icontains=query)
    )
    # By a number only of what the agent may see: a web order (its sales, its returns) of a
    # store they don't serve finds nothing, the same rule as OrderScope's.
    by_order = Order.objects.filter(company=OuterRef("pk"), number__iexact=query)
    by_erp_sale = ErpSale.objects.filter(order__company=OuterRef("pk"), erp_number__iexact=query)
    by_record = SaleRecord.objects.filter(company=OuterRef("pk"), number__iexact=query)
    by_return = ReturnRequest.objects.filter(company=OuterRef("pk")).filter(
        Q(number__iexact=query) | Q(erp_number__iexact=query)
    )
    if not getattr(user, "is_superuser", False):
        stores = agent_stores(user).values("pk")
        by_order = by_order.filter(store__in=stores)
        by_erp_sale = by_erp_sale.filter(order__store__in=stores)
        by_record = by_record.filter(Q(store__isnull=True) | Q(store__in=stores))
        by_return = by_return.filter(Q(order__isnull=True) | Q(order__store__in=stores))
    return companies.filter(
        Q(code__icontains=query)
        | Q(name__icontains=query)
        | Exists(by_member)
        | Exists(by_order)
        | Exists(by_erp_sale)
        | Exists(by_record)
        | Exists(by_return)
    )


# ------------------------------------------------------------------ one company
@dataclasses.dataclass(frozen=True, slots=True)
class WaitingOrder:
    """A web order the ERP has not confirmed (or refused): no ERP sale is mirrored for it."""

    order: Order


@dataclasses.dataclass(frozen=True, slots=True)
class CompanyPage:
    company: Company
    stores: tuple[Store, ...]  # the company's stores the agent serves
    members: tuple[Membership, ...]
    statement: AccountStatement | None  # None: the ERP could not be asked
    sales: tuple[SaleView, ...]
    sales_total: int
    waiting: tuple[Order, ...]
    returns: tuple[ReturnRequest, ...]
    payments: tuple[Payment, ...]
    actions: tuple[ServiceAction, ...]
    erp_fresh: bool  # False: orders, returns and credit are what the platform last knew
    checked_at: datetime.datetime

    @property
    def store(self) -> Store | None:
        """The store whose language and zone the page's dates and amounts are shown in: the
        first the company buys in that the agent serves."""
        return self.stores[0] if self.stores else None

    @property
    def shipments(self) -> list[tuple[SaleView, object]]:
        return [(sale, s) for sale in self.sales for s in sale.shipments]


def company_stores_for_agent(*, user: User, company: Company) -> tuple[Store, ...]:
    return tuple(agent_stores(user).filter(companies=company).select_related("site"))


def agent_scope(*, user: User, company: Company) -> OrderScope:
    """The company as the agent may see it: in the stores it buys in that the agent serves
    (every store for a superuser)."""
    if getattr(user, "is_superuser", False) and is_agent(user):
        return OrderScope.stores(company=company, store_ids=None)
    return OrderScope.stores(
        company=company,
        store_ids=[s.id for s in company_stores_for_agent(user=user, company=company)],
    )


def company_actions(*, scope: OrderScope) -> QuerySet[ServiceAction]:
    """The audit of what agents did for the company within ``scope``: actions in the scope's
    stores, and those on what belongs to the company in every store (a sale entered in the
    ERP)."""
    actions = ServiceAction.objects.filter(company=scope.company)
    if scope.store_ids is None:
        return actions
    return actions.filter(Q(store__isnull=True) | Q(store_id__in=scope.store_ids))


def company_shown_sales(*, scope: OrderScope) -> list[SaleRecord]:
    """The company's sales its console page shows, newest first."""
    sales_qs = scope.sales().select_related("order")
    return list(sales_qs.order_by("-placed_at", "-erp_id")[:ORDERS_SHOWN])


def company_shown_returns(*, principal: Principal) -> list[ReturnRequest]:
    """The company's returns its console page shows, newest first."""
    shown = return_list(principal=principal).select_related("requested_by")
    return list(shown[:ORDERS_SHOWN])


def company_page(*, user: User, company: Company, fresh: bool = True) -> CompanyPage:
    """Everything the console shows of one company, as the platform has it: bring the shown
    orders and returns up to date first (``services.company_refresh``) and pass what it
    answered as ``fresh``. When the ERP can't be reached for the credit, the page says so too
    (``erp_fresh``)."""
    from django.utils import timezone

    stores = company_stores_for_agent(user=user, company=company)
    store_ids = [s.id for s in stores]
    principal = agent_principal(user=user, company=company)
    scope = principal.scope
    sales_qs = scope.sales().select_related("order")
    shown = company_shown_sales(scope=scope)
    # Web orders whose ERP sale is not mirrored yet: waiting, refused, and those the ERP has
    # just confirmed (the sales sync mirrors them within minutes; until then they are here).
    waiting = list(
        scope.orders()
        .filter(~Exists(SaleRecord.objects.filter(order=OuterRef("pk"))))
        .order_by("-created_at")[:ORDERS_SHOWN]
    )
    returns = company_shown_returns(principal=principal)
    statement: AccountStatement | None
    try:
        statement = account_statement(principal=principal)
    except ErpError:
        statement, fresh = None, False
    payments: list[Payment] = []
    for store_id in store_ids:
        payments.extend(payment_list(company=company, store_id=store_id)[:ORDERS_SHOWN])
    payments.sort(key=lambda p: p.created_at, reverse=True)
    return CompanyPage(
        company=company,
        stores=stores,
        members=tuple(company_members(company=company)),
        statement=statement,
        sales=tuple(sale_view(r) for r in shown),
        sales_total=sales_qs.count(),
        waiting=tuple(waiting),
        returns=tuple(returns),
        payments=tuple(payments[:ORDERS_SHOWN]),
        actions=tuple(company_actions(scope=scope)[:50]),
        erp_fresh=fresh,
        checked_at=timezone.now(),
    )


def company_sale_for_agent(*, user: User, company: Company, number: str) -> SaleRecord | None:
    if not number or len(number) > 64:
        return None
    return agent_scope(user=user, company=company).sales().filter(number=number).first()


def company_order_for_agent(*, user: User, company: Company, number: str) -> Order | None:
    """A web order of the company placed in a store the agent serves, by its platform number
    or the number of one of its ERP sales."""
    if not number or len(number) > 64:
        return None
    orders = agent_scope(user=user, company=company).orders()
    return (
        orders.filter(number=number).first()
        or orders.filter(sales__erp_number=number).distinct().first()
    )


# ------------------------------------------------------------------ one order
def agent_principal(*, user: User, company: Company) -> Principal:
    """The agent acting for the company in the console: in the stores it buys in that the
    agent serves (every store for a superuser), as ``agent_scope``."""
    scope = agent_scope(user=user, company=company)
    return Principal.for_agent(agent=user, company=company, store_ids=scope.store_ids)  # type: ignore[arg-type]


def order_page_store(*, user: User, company: Company, page: OrderPage) -> Store | None:
    """Whose language and zone the console shows an order's dates and amounts in: the web
    order's store, else the first store of the company the agent serves (a sale entered in
    the ERP)."""
    if page.order is not None:
        return page.order.store
    return next(iter(company_stores_for_agent(user=user, company=company)), None)

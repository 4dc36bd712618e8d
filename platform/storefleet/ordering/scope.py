"""Which of a company's orders, sales, returns, cancellations and invoices a caller may reach:
the one rule every buyer page, every buyer action and every console action asks.

A company may buy in several stores. A web order belongs to the store it was placed in (and
so do its ERP sales, its returns, its cancellation and its invoices); a sale entered straight
into the ERP (by phone) belongs to the company in every store it buys in. A buyer's scope is
their company in the store the request reached; an agent's is the company in the stores the
agent serves (every store for a superuser). Whatever lies outside a scope is "not found",
exactly like a number that does not exist, so nothing tells a caller what another store holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from storefleet.accounts.models import Company

from .models import Order, OrderCancellation, OrderProgress, ReturnRequest, SaleRecord
from .sales_mirror import parts_from_json

MAX_NUMBER = 64


@dataclass(frozen=True, slots=True)
class OrderScope:
    """A company seen from some of the stores it buys in (``store_ids``; None: all of them)."""

    company: Company
    store_ids: frozenset[int] | None

    @classmethod
    def store(cls, *, company: Company, store_id: int) -> OrderScope:
        """A buyer's scope: their company in the store the request reached."""
        return cls(company=company, store_ids=frozenset({store_id}))

    @classmethod
    def stores(cls, *, company: Company, store_ids: Iterable[int] | None) -> OrderScope:
        return cls(company=company, store_ids=None if store_ids is None else frozenset(store_ids))

    def _in_stores(self, field: str, *, or_null: str = "") -> Q:
        if self.store_ids is None:
            return Q()
        inside = Q(**{f"{field}__in": self.store_ids})
        return inside | Q(**{f"{or_null}__isnull": True}) if or_null else inside

    # -------------------------------------------------------------- what is inside
    def orders(self) -> QuerySet[Order]:
        """The company's web orders placed in the scope's stores."""
        return Order.objects.filter(company=self.company).filter(self._in_stores("store_id"))

    def sales(self) -> QuerySet[SaleRecord]:
        """The company's mirrored ERP sales: those entered in the ERP, and the web orders'
        sales of the scope's stores (never ERP drafts)."""
        return (
            SaleRecord.objects.filter(company=self.company)
            .filter(self._in_stores("store_id", or_null="store"))
            .exclude(progress=OrderProgress.DRAFT)
        )

    def returns(self) -> QuerySet[ReturnRequest]:
        """The company's returns of sales entered in the ERP, and of its web orders placed in
        the scope's stores."""
        return ReturnRequest.objects.filter(company=self.company).filter(
            self._in_stores("order__store_id", or_null="order")
        )

    def cancellations(self) -> QuerySet[OrderCancellation]:
        return OrderCancellation.objects.filter(company=self.company).filter(
            self._in_stores("order__store_id", or_null="order")
        )

    # -------------------------------------------------------------- what is outside
    def foreign_order(self, number: str) -> bool:
        """Whether ``number`` names a web order of the company (by its platform number or one
        of its ERP sales') placed in a store outside the scope. Such a number is not asked of
        the ERP: the ERP would say it is the company's."""
        if self.store_ids is None or not number:
            return False
        web = Order.objects.filter(company=self.company).filter(
            Q(number=number) | Q(sales__erp_number=number)
        )
        mirrored = SaleRecord.objects.filter(
            company=self.company, number=number, store__isnull=False
        )
        return (
            web.exclude(store_id__in=self.store_ids).exists()
            or mirrored.exclude(store_id__in=self.store_ids).exists()
        )

    def foreign_invoices(self, numbers: Iterable[str]) -> set[str]:
        """Those of the invoice ``numbers`` that belong to a web order's sale of a store
        outside the scope (as far as the sales mirror knows them). An invoice of a sale the
        mirror has not seen yet is the company's, like the sale."""
        wanted = {n for n in numbers if n and len(n) <= MAX_NUMBER}
        if self.store_ids is None or not wanted:
            return set()
        outside = SaleRecord.objects.filter(company=self.company, store__isnull=False).exclude(
            store_id__in=self.store_ids
        )
        foreign: set[str] = set()
        for detail in outside.filter(_mentions(wanted)).values_list("detail", flat=True):
            foreign |= {i.number for i in parts_from_json(detail).invoices} & wanted
        if foreign:
            # An invoice on a sale the scope sees too is the scope's (one invoice, two sales).
            inside = self.sales().filter(_mentions(foreign))
            for detail in inside.values_list("detail", flat=True):
                foreign -= {i.number for i in parts_from_json(detail).invoices}
        return foreign


def _mentions(numbers: Iterable[str]) -> Q:
    """Sales whose mirrored detail mentions one of ``numbers``: a text match that narrows the
    rows, after which the parsed invoices decide."""
    found = Q(pk__in=[])
    for number in numbers:
        found |= Q(detail__icontains=number)
    return found

"""The company's invoice history and statement of account, in the store's brand.

The history is every invoice the ERP issued to the company (open and paid), less those of web
orders of another store (``ordering.scope``); the statement adds the credit and the open
invoices with what is due and overdue. Both are what the ERP says now.
Drawn with the documents' shared layout (``documents``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext

from storefleet import dates
from storefleet.accounts.principal import Principal
from storefleet.brand.selectors import BrandLook, brand_look
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import Invoice
from storefleet.money import Money

from .documents import amount_text, closing_line, document_start, lines_table, totals_block
from .selectors import AccountStatement, account_statement, scoped_invoices

MAX_HISTORY = 200


@dataclass(frozen=True, slots=True)
class HistoryInvoice:
    invoice: Invoice

    @property
    def paid(self) -> bool:
        return self.invoice.amount_to_pay.amount <= 0

    @property
    def state_label(self) -> str:
        if self.paid:
            return gettext("Paid")
        return gettext("Overdue") if self.invoice.overdue else gettext("Open")


def invoice_history(*, principal: Principal, limit: int = MAX_HISTORY) -> list[HistoryInvoice]:
    """The company's issued invoices (open and paid) within the principal's scope, newest
    first, as the ERP has them now; ``ErpUnavailable`` when it can't be reached."""
    scope = principal.scope
    invoices = get_gateway().invoice_history(customer=scope.company.code, limit=limit)
    mine = [i for i in invoices if i.customer == scope.company.code]  # never trust a backend
    return [HistoryInvoice(i) for i in scoped_invoices(scope=scope, invoices=mine)]


def _date(value: datetime.date | None) -> str:
    return dates.format_day(value) or "—"


def statement_pdf(
    *,
    statement: AccountStatement,
    history: list[HistoryInvoice],
    company_name: str,
    company_code: str,
    brand: BrandLook,
    today: datetime.date,
) -> bytes:
    """The statement of account: credit, open invoices with what is due and overdue, and the
    invoice history; every amount in its currency's digits."""
    credit = statement.credit
    facts = [
        (gettext("Statement date"), _date(today)),
        (gettext("Customer"), company_code),
        (
            gettext("Credit limit"),
            amount_text(credit.limit.amount, credit.limit.currency)
            if credit.limit
            else gettext("none"),
        ),
        (gettext("Credit used"), amount_text(credit.used.amount, credit.used.currency)),
    ]
    if credit.available is not None:
        facts.append(
            (gettext("Available"), amount_text(credit.available.amount, credit.available.currency))
        )
    pdf = document_start(
        brand=brand,
        title=gettext("Statement of account"),
        facts=facts,
        party_label=gettext("Customer"),
        party=[company_name, gettext("Customer %(code)s") % {"code": company_code}],
    )
    pdf.set_font(pdf.body_font, "B", 11)
    pdf.cell(0, 7, pdf.text_of(gettext("Open invoices")), new_x="LMARGIN", new_y="NEXT")
    open_invoices = statement.invoices
    if open_invoices:
        lines_table(
            pdf,
            headings=(
                gettext("Invoice"),
                gettext("Date"),
                gettext("Due"),
                gettext("Total"),
                gettext("To pay"),
                "",
            ),
            widths=(30, 28, 28, 32, 32, 24),
            align=(
                "LEFT",
                "LEFT",
                "LEFT",
                "RIGHT",
                "RIGHT",
                "LEFT",
            ),
            rows=[
                (
                    i.number,
                    _date(i.invoice_date),
                    _date(i.due_date),
                    amount_text(i.total.amount, i.total.currency),
                    amount_text(i.amount_to_pay.amount, i.amount_to_pay.currency),
                    gettext("Overdue") if i.overdue else "",
                )
                for i in open_invoices
            ],
        )
        pdf.ln(3)
        by_currency: dict[str, tuple[Decimal, Decimal]] = {}
        for i in open_invoices:
            due, overdue = by_currency.get(i.amount_to_pay.currency, (Decimal(0), Decimal(0)))
            amount = i.amount_to_pay.amount
            by_currency[i.amount_to_pay.currency] = (
                due + amount,
                overdue + (amount if i.overdue else Decimal(0)),
            )
        totals: list[tuple[str, Money, bool]] = []
        for currency, (due, overdue) in sorted(by_currency.items()):
            totals.append((gettext("Overdue"), Money(overdue, currency), False))
            totals.append((gettext("Total to pay"), Money(due, currency), True))
        totals_block(pdf, totals)
    else:
        pdf.set_font(pdf.body_font, "", 9)
        pdf.cell(0, 6, pdf.text_of(gettext("No open invoices.")), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(pdf.body_font, "B", 11)
    pdf.cell(0, 7, pdf.text_of(gettext("Invoice history")), new_x="LMARGIN", new_y="NEXT")
    if history:
        lines_table(
            pdf,
            headings=(
                gettext("Invoice"),
                gettext("Date"),
                gettext("Due"),
                gettext("Status"),
                gettext("Total"),
                gettext("To pay"),
            ),
            widths=(30, 28, 28, 22, 36, 30),
            align=(
                "LEFT",
                "LEFT",
                "LEFT",
                "LEFT",
                "RIGHT",
                "RIGHT",
            ),
            rows=[
                (
                    h.invoice.number,
                    _date(h.invoice.invoice_date),
                    _date(h.invoice.due_date) if not h.paid else "—",
                    h.state_label,
                    amount_text(h.invoice.total.amount, h.invoice.total.currency),
                    amount_text(h.invoice.amount_to_pay.amount, h.invoice.amount_to_pay.currency),
                )
                for h in history
            ],
        )
    else:
        pdf.set_font(pdf.body_font, "", 9)
        pdf.cell(0, 6, pdf.text_of(gettext("No invoices yet.")), new_x="LMARGIN", new_y="NEXT")
    if any(i.overdue for i in open_invoices):
        closing_line(pdf, gettext("Some invoices are overdue: please pay them now, or contact us."))
    elif open_invoices:
        closing_line(pdf, gettext("Please pay each open invoice by its due date."))
    else:
        closing_line(pdf, gettext("Nothing to pay — thank you."), good=True)
    return bytes(pdf.output())


def statement_of_account_pdf(*, principal: Principal) -> bytes:
    """The statement of the company within the principal's scope, in its store's brand, as
    the ERP has it now (``ErpUnavailable`` when it can't be reached: a statement is never
    drawn from stale credit)."""
    store = principal.require_store()
    statement = account_statement(principal=principal)
    return statement_pdf(
        statement=statement,
        history=invoice_history(principal=principal),
        company_name=principal.company.name,
        company_code=principal.company.code,
        brand=brand_look(site=store.site, name=store.brand),
        today=timezone.localdate(),
    )

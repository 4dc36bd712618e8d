"""Writes of billing: starting a payment of open invoices, handling the provider's events, and
recording paid payments in the ERP through the outbox (``storefleet.outbox``, the kind
``payment.record``, handled by ``payment_record``).

``payment_start`` checks the buyer's choice against the ERP before anything is written: every
invoice open and the company's, the amount the buyer saw still the amount to pay. Events are
handled once per provider event id, and a payment's status only moves forward, so duplicate,
shuffled or late deliveries change nothing; the ERP hears of a paid payment once, under the
payment's idempotency key, however often the worker runs."""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from storefleet.accounts.principal import Principal
from storefleet.erp.errors import ErpRejected, ErpUnavailable
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import Invoice, PaymentRequest
from storefleet.errors import ApplicationError
from storefleet.money import Money, format_money
from storefleet.outbox import services as outbox
from storefleet.outbox.models import Message, State
from storefleet.outbox.registry import Outcome

from .models import Payment, PaymentStatus, ProcessedEvent
from .outbox_kinds import RECORD_PAYMENT
from .providers import (
    CheckoutLine,
    CheckoutRequest,
    EventKind,
    ProviderEvent,
    ProviderUnavailable,
    get_provider,
)
from .selectors import scoped_invoices

logger = logging.getLogger("storefleet.billing")

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out on the phone
MAX_INVOICES = 50


@dataclass(frozen=True, slots=True)
class InvoiceChoice:
    """An invoice the buyer picked, with the amount to pay they saw (None: not shown)."""

    number: str
    amount_seen: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ReturnUrls:
    """Absolute URLs on the store's host the provider sends the buyer back to; ``{reference}``
    is replaced by the payment's reference."""

    success: str
    cancel: str


def _new_reference() -> str:
    return "P-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))


def _chosen_invoices(
    *, open_invoices: Sequence[Invoice], choices: Sequence[InvoiceChoice], company_id: int
) -> list[Invoice]:
    if not choices:
        raise ApplicationError(_("Pick at least one invoice to pay."), field="invoices")
    if len(choices) > MAX_INVOICES:
        raise ApplicationError(
            _("Pay at most %(max)d invoices at once.") % {"max": MAX_INVOICES}, field="invoices"
        )
    by_number = {invoice.number: invoice for invoice in open_invoices}
    seen = {choice.number: choice for choice in choices}
    for choice in seen.values():
        invoice = by_number.get(choice.number)
        # Paid already, never ours, or a made-up number: the same answer, so another
        # company's invoice numbers can't be probed.
        if invoice is None or invoice.amount_to_pay.amount <= 0:
            raise ApplicationError(
                _(
                    "Invoice “%(number)s” is not one of your open invoices: it may have been "
                    "paid already. Reload the list and pick again."
                )
                % {"number": choice.number},
                field="invoices",
                code="invoice_not_open",
            )
        if choice.amount_seen is not None and choice.amount_seen != invoice.amount_to_pay.amount:
            raise ApplicationError(
                _(
                    "The amount to pay for invoice “%(number)s” is now %(now)s, not %(seen)s: "
                    "check the list and pay again."
                )
                % {
                    "number": choice.number,
                    "now": format_money(
                        invoice.amount_to_pay.amount, invoice.amount_to_pay.currency
                    ),
                    "seen": format_money(choice.amount_seen, invoice.amount_to_pay.currency),
                },
                field="invoices",
                code="amount_mismatch",
            )
    under_way = Payment.objects.filter(
        company_id=company_id, status=PaymentStatus.PAID
    ).values_list("invoice_numbers", flat=True)
    busy = {number for numbers in under_way for number in numbers} & set(seen)
    if busy:
        raise ApplicationError(
            _(
                "Invoice “%(number)s” is paid already and being recorded: it will disappear "
                "from your open invoices shortly."
            )
            % {"number": sorted(busy)[0]},
            field="invoices",
            code="invoice_being_recorded",
        )
    # In the ERP's order (oldest due first), which is also how the ERP allocates a payment.
    return [invoice for invoice in open_invoices if invoice.number in seen]


def payment_start(
    *, principal: Principal, choices: Sequence[InvoiceChoice], urls: ReturnUrls
) -> Payment:
    """Open a hosted payment of the chosen open invoices of the buyer's company in the
    principal's store, for the sum the ERP says is to pay, started by the member (the one an
    agent acts as). Raises ``ApplicationError`` (nothing written) when an invoice is not open
    or not the company's, or an amount changed since the buyer saw it."""
    store, company, user = principal.require_store(), principal.company, principal.user
    if user is None:  # a key or a console agent: no storefront buyer sees this
        raise ApplicationError("Only a buyer pays invoices online.", code="not_a_buyer")
    try:
        open_invoices = get_gateway().open_invoices(customer=company.code)
    except ErpUnavailable as error:
        raise ApplicationError(
            _("We can't reach our accounting system right now: try again in a few minutes."),
            code="erp_unavailable",
        ) from error
    # Another store's web orders' invoices are not this store's to pay (nor to list).
    open_invoices = scoped_invoices(scope=principal.scope, invoices=open_invoices)
    invoices = _chosen_invoices(open_invoices=open_invoices, choices=choices, company_id=company.id)
    currencies = {invoice.amount_to_pay.currency for invoice in invoices}
    if len(currencies) != 1:
        raise ApplicationError(
            _("Invoices in different currencies are paid separately: pick one currency."),
            field="invoices",
        )
    (currency,) = currencies
    total = sum((invoice.amount_to_pay for invoice in invoices), Money(Decimal(0), currency))
    provider = get_provider()
    payment = Payment.objects.create(
        reference=_new_reference(),
        store_id=store.id,
        company=company,
        started_by_id=user.pk,
        invoice_numbers=[invoice.number for invoice in invoices],
        amount=total.amount,
        currency=currency,
        provider=provider.name,
        idempotency_key=f"storefleet-pay-{secrets.token_hex(16)}",
    )
    request = CheckoutRequest(
        payment_id=payment.id,
        reference=payment.reference,
        lines=tuple(CheckoutLine(invoice.number, invoice.amount_to_pay) for invoice in invoices),
        total=total,
        idempotency_key=payment.idempotency_key,
        success_url=urls.success.replace("{reference}", payment.reference),
        cancel_url=urls.cancel.replace("{reference}", payment.reference),
        customer_email=getattr(user, "email", "") or "",
        expires_at=timezone.now()
        + datetime.timedelta(minutes=settings.BILLING_CHECKOUT_EXPIRES_MINUTES),
    )
    try:
        session = provider.checkout_create(request=request)
    except ProviderUnavailable as error:
        Payment.objects.filter(id=payment.id).update(status=PaymentStatus.FAILED)
        logger.warning("payment %s: provider refused the session: %s", payment.reference, error)
        raise ApplicationError(
            _(
                "The payment page could not be opened: nothing was charged. Try again in a few "
                "minutes."
            ),
            code="provider_unavailable",
        ) from error
    payment.provider_session_id = session.session_id
    payment.checkout_url = session.url
    payment.save(update_fields=["provider_session_id", "checkout_url", "updated_at"])
    logger.info(
        "payment %s started company=%s invoices=%s amount=%s %s",
        payment.reference,
        company.code,
        ",".join(payment.invoice_numbers),
        payment.amount,
        currency,
    )
    return payment


# ------------------------------------------------------------------ provider events
def payment_webhook_receive(
    *, provider_name: str, payload: bytes, signature: str
) -> Payment | None:
    """Verify and handle one webhook delivery. Raises ``providers.InvalidEvent`` for a payload
    the provider did not sign (the caller answers 400)."""
    event = get_provider(provider_name).event_parse(payload=payload, signature=signature)
    return payment_event_handle(provider_name=provider_name, event=event)


def payment_event_handle(*, provider_name: str, event: ProviderEvent) -> Payment | None:
    """Apply a verified provider event to its payment, once per event id. A payment moves
    pending → paid | failed | expired, and failed | expired → paid (money taken late still
    counts); paid → recorded is the worker's. A paid payment gets its outbox row here."""
    try:
        with transaction.atomic():
            processed = ProcessedEvent.objects.create(
                provider=provider_name, event_id=event.event_id, kind=event.type
            )
            payment = (
                Payment.objects.select_for_update()
                .filter(provider=provider_name, provider_session_id=event.session_id)
                .first()
            )
            if payment is None or (event.payment_id and event.payment_id != payment.id):
                logger.warning(
                    "event %s for unknown session %s ignored", event.event_id, event.session_id
                )
                return None
            processed.payment = payment
            processed.save(update_fields=["payment"])
            _apply(payment, event)
    except IntegrityError:
        logger.info("event %s:%s delivered again; ignored", provider_name, event.event_id)
        return None
    return payment


def _apply(payment: Payment, event: ProviderEvent) -> None:
    now = timezone.now()
    status = payment.status
    if event.kind is EventKind.PAID and status in (
        PaymentStatus.PENDING,
        PaymentStatus.FAILED,
        PaymentStatus.EXPIRED,
    ):
        if event.amount is not None and event.amount != Money(payment.amount, payment.currency):
            # Never record in the ERP an amount other than the one the ERP asked for.
            payment.erp_error = (
                f"the provider reports {event.amount.amount} {event.amount.currency} paid, "
                f"not {payment.amount} {payment.currency}"
            )
            payment.save(update_fields=["erp_error", "updated_at"])
            logger.error("payment %s: %s", payment.reference, payment.erp_error)
            return
        payment.status = PaymentStatus.PAID
        payment.paid_at = now
        payment.save(update_fields=["status", "paid_at", "updated_at"])
        outbox.message_add(kind=RECORD_PAYMENT, subject=payment.id, key=payment.idempotency_key)
        logger.info("payment %s paid", payment.reference)
    elif event.kind is EventKind.FAILED and status == PaymentStatus.PENDING:
        payment.status = PaymentStatus.FAILED
        payment.save(update_fields=["status", "updated_at"])
    elif event.kind is EventKind.EXPIRED and status in (
        PaymentStatus.PENDING,
        PaymentStatus.FAILED,
    ):
        payment.status = PaymentStatus.EXPIRED
        payment.save(update_fields=["status", "updated_at"])


# ------------------------------------------------------------------ into the ERP
def outbox_process(*, message_id: int) -> Payment | None:
    """Carry one outbox message into the ERP (see ``payment_record``); the payment it
    recorded, or None (another kind's message, or one done already). Raises
    ``ErpUnavailable`` when the ERP can't be reached; safe to run twice for one message."""
    outcome = outbox.message_process(message_id=message_id)
    return outcome.value if outcome is not None and isinstance(outcome.value, Payment) else None


def payment_record(message: Message) -> Outcome:
    """The outbox handler of ``payment.record``: record one paid payment in the ERP under its
    idempotency key. A refusal is kept on the payment for the service team (money was taken);
    an ``ErpError`` other than a refusal goes back to the outbox, which tries again."""
    payment = Payment.objects.select_related("company").get(id=int(message.subject))
    request = PaymentRequest(
        customer=payment.company.code,
        invoice_numbers=tuple(payment.invoice_numbers),
        amount=Money(payment.amount, payment.currency),
        date=timezone.localdate(payment.paid_at or timezone.now()),
        idempotency_key=payment.idempotency_key,
    )
    try:
        result = get_gateway().record_payment(payment=request)
    except ErpRejected as refusal:
        # Money was taken but the ERP won't apply it (e.g. the invoice was paid another way
        # meanwhile): keep it visible for the service team rather than retry for ever.
        Payment.objects.filter(id=payment.id).update(erp_error=refusal.message)
        logger.error("payment %s refused by the ERP: %s", payment.reference, refusal.message)
        return Outcome(
            state=State.FAILED, note=refusal.message, value=Payment.objects.get(id=payment.id)
        )
    with transaction.atomic():
        if result.allocations:  # empty when the key had been recorded before
            Payment.objects.filter(id=payment.id).update(
                erp_allocations=[
                    {
                        "invoice": a.invoice_number,
                        "amount": str(a.amount.amount),
                        "remaining": str(a.remaining.amount),
                    }
                    for a in result.allocations
                ]
            )
        Payment.objects.filter(id=payment.id, status=PaymentStatus.PAID).update(
            status=PaymentStatus.RECORDED, recorded_at=timezone.now(), erp_error=""
        )
    logger.info("payment %s recorded in the ERP", payment.reference)
    return Outcome(value=Payment.objects.get(id=payment.id))


def outbox_sweep(*, limit: int = 500) -> int:
    """Send again what is owed to the ERP and nobody is working on (every kind's)."""
    return outbox.messages_sweep(limit=limit)

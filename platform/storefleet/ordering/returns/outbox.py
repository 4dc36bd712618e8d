"""The outbox step of ``return.file`` (``ordering.outbox_kinds.FILE_RETURN``, registered in
``OrderingConfig.ready``): a return requested on the platform filed in the ERP."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from storefleet.erp.errors import ErpNotFound, ErpRejected
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import ReturnLine as ErpReturnLine
from storefleet.erp.types import ReturnRequest as ErpReturnRequest
from storefleet.outbox.models import Message, State
from storefleet.outbox.registry import Outcome

from .. import webhook_events
from ..models import ReturnReason, ReturnRequest, ReturnStatus

logger = logging.getLogger("storefleet.ordering")


def return_file(message: Message) -> Outcome:
    """The outbox handler of ``return.file``: file the return in the ERP under its number. A
    refusal is recorded on the return; an ``ErpError`` other than a refusal goes back to the
    outbox, which tries again."""
    request = ReturnRequest.objects.select_related("company").get(id=int(message.subject))
    reason = ReturnReason(request.reason).label
    erp_request = ErpReturnRequest(
        customer=request.company.code,
        order_number=request.order_number,
        reason=f"{reason}: {request.reason_text}" if request.reason_text else str(reason),
        idempotency_key=request.number,
        lines=tuple(ErpReturnLine(line.sku, line.quantity) for line in request.lines.all()),
    )
    try:
        result = get_gateway().request_return(request=erp_request)
    except (ErpRejected, ErpNotFound) as refusal:
        with transaction.atomic():
            if ReturnRequest.objects.filter(id=request.id, status=ReturnStatus.RECEIVED).update(
                status=ReturnStatus.REFUSED, refusal_message=refusal.message
            ):
                webhook_events.return_event("return.decided", request)
        logger.warning("return %s refused by the ERP: %s", request.number, refusal.message)
        return Outcome(state=State.FAILED, note=refusal.message, value=request)
    get_gateway().invalidate_sales(customer=request.company.code)
    now = timezone.now()
    with transaction.atomic():
        ReturnRequest.objects.filter(id=request.id).update(
            status=ReturnStatus.FILED,
            erp_number=result.number,
            erp_state=result.state,
            erp_state_at=now,
            filed_at=now,
        )
        webhook_events.return_event("return.filed", request)
    logger.info("return %s filed in the ERP as complaint %s", request.number, result.number)
    return Outcome(value=request)

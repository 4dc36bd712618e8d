"""The ERP's state of filed returns brought up to date when a page shows them (one ERP request
for all), with the webhook of a return the ERP has just decided."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from storefleet.erp.errors import ErpError
from storefleet.erp.gateway import get_gateway

from .. import webhook_events
from ..models import ReturnRequest, ReturnStatus


def returns_refresh(*, returns: Sequence[ReturnRequest]) -> bool:
    """Bring the ERP state of filed returns up to date (one ERP request for all of them).
    False when the ERP can't be reached: the states shown are the last ones seen."""
    filed = [r for r in returns if r.status == ReturnStatus.FILED]
    if not filed:
        return True
    try:
        statuses = get_gateway().return_statuses(keys=[r.number for r in filed])
    except ErpError:
        return False
    now = timezone.now()
    by_key = {s.idempotency_key: s for s in statuses}
    for item in filed:
        status = by_key.get(item.number)
        if status is None:
            continue
        decided = status.state in webhook_events.DECIDED and item.erp_state != status.state
        with transaction.atomic():
            ReturnRequest.objects.filter(id=item.id).update(
                erp_state=status.state, erp_number=status.number, erp_state_at=now
            )
            if decided:
                webhook_events.return_event("return.decided", item)
        item.erp_state, item.erp_number, item.erp_state_at = status.state, status.number, now
    return True

"""Returns: the company's return requests, and filing one on shipped lines of an order, through
the storefront's services (``ordering.returns``) with the key's ``Principal`` — once per
``Idempotency-Key``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Header, Query, Router, Status

from storefleet.accounts.principal import Principal
from storefleet.ordering.returns.selectors import return_list as returns_of

from ..auth import Caller, KeyAuth
from ..idempotency import HEADER, HEADER_DESCRIPTION, run_once
from ..models import Scope
from ..pagination import cursor_decode, cursor_encode
from ..problems import ApiProblem
from ..schemas import ERRORS, WRITE_ERRORS, ReturnIn, ReturnOut, ReturnPage
from . import writing

# Documented (and read) as a header; its absence is the problem idempotency-key-required.
IDEMPOTENCY_KEY = Header(default=None, alias=HEADER, description=HEADER_DESCRIPTION)
router = Router(tags=["returns"])


@router.get(
    "",
    response={200: ReturnPage, **ERRORS},
    auth=KeyAuth(Scope.ORDERS_READ),
    summary="The company's return requests in this store, newest first",
)
def return_list(
    request: HttpRequest,
    cursor: str | None = Query(default=None, max_length=512),
    limit: int = Query(default=50, ge=1, le=200),
) -> dict[str, Any]:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    returns = returns_of(principal=Principal.for_key(caller)).order_by("-id")
    after = cursor_decode("returns", cursor)
    if after is not None:
        if not isinstance(after, int):
            raise ApiProblem(
                "invalid-request", "The cursor is not one this list gave: start again without it."
            )
        returns = returns.filter(id__lt=after)
    rows = list(returns[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return dict(
        items=[writing.return_answer(row) for row in rows],
        next_cursor=cursor_encode("returns", rows[-1].id) if more else None,
    )


@router.post(
    "",
    response={201: ReturnOut, 200: ReturnOut, **WRITE_ERRORS},
    auth=KeyAuth(Scope.ORDERS_WRITE),
    summary="File a return of shipped lines of an order (once per Idempotency-Key)",
)
def return_file(
    request: HttpRequest, body: ReturnIn, idempotency_key: str | None = IDEMPOTENCY_KEY
) -> Status[dict[str, Any]]:
    """Quantities are checked against what the ERP shipped, less what returns already ask
    back (``return-invalid`` says what to fix, per line); the return is filed in the ERP
    through the outbox."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    return run_once(
        idempotency_key,
        caller=caller,
        operation="return.file",
        payload=body.model_dump(mode="json"),
        run=lambda key: writing.return_file(caller, body, key),
        replay_status={201: 200},
    )

"""The gateway's errors. Each is an ``ApplicationError`` so interfaces show ``message`` to the
user; ``ErpRejected`` also carries the reason codes (and, where known, the line) that a cart or
checkout page turns into a message next to the right line."""

from __future__ import annotations

from collections.abc import Sequence

from storefleet.errors import ApplicationError

from .types import LineVerdict, ReasonCode

UNAVAILABLE_MESSAGE = (
    "Live prices, stock and ordering are unavailable right now because our ERP system cannot be "
    "reached. Your cart is kept; please try again in a few minutes."
)


class ErpError(ApplicationError):
    """Any failure of the ERP gateway."""

    def __init__(self, message: str, *, code: str = "erp_error", raw: object = None) -> None:
        super().__init__(message, code=code)
        self.raw = raw


class ErpUnavailable(ErpError):
    """The ERP cannot be reached (connection refused, timeout, 5xx) or the circuit breaker is
    open. Retrying later may succeed."""

    def __init__(self, detail: str = "", *, raw: object = None) -> None:
        super().__init__(UNAVAILABLE_MESSAGE, code="erp_unavailable", raw=raw)
        self.detail = detail


class ErpProtocolError(ErpError):
    """The ERP answered something the gateway does not understand: a malformed response or an
    unknown error kind. The raw payload is logged and kept on ``raw``."""

    def __init__(self, detail: str, *, raw: object = None) -> None:
        super().__init__(
            "The ERP system gave an answer we could not understand; platform IT has been told.",
            code="erp_protocol",
            raw=raw,
        )
        self.detail = detail


class ErpNotFound(ErpError):
    """A customer, order, invoice or warehouse the caller named does not exist in the ERP."""

    def __init__(self, what: str, key: str) -> None:
        super().__init__(f"{what} {key} was not found in the ERP.", code="erp_not_found")
        self.what = what
        self.key = key


class ErpRejected(ErpError):
    """The ERP refused a request for business reasons: each reason is a ``ReasonCode``, and line
    reasons come with their verdicts."""

    def __init__(
        self,
        message: str,
        *,
        reasons: Sequence[ReasonCode],
        lines: Sequence[LineVerdict] = (),
        raw: object = None,
    ) -> None:
        super().__init__(message, code="erp_rejected", raw=raw)
        self.reasons = tuple(reasons)
        self.lines = tuple(lines)

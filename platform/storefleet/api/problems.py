"""Errors of the partner API as RFC 9457 problem details (``application/problem+json``).

Every error the API answers — its own, ninja's validation errors, Django's 404s and 500s under
``/api/`` (``middleware.ApiProblemMiddleware``), an ERP outage — is one of ``PROBLEMS``: a
stable ``code`` a client can switch on, its ``type`` URI (``/api/v1/problems/<code>``), a
title, the status, and a ``detail`` that says what to do."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "/api/v1/problems/"


@dataclass(frozen=True, slots=True)
class ProblemKind:
    status: int
    title: str


PROBLEMS: dict[str, ProblemKind] = {
    "bad-request": ProblemKind(400, "The request could not be read"),
    "company-required": ProblemKind(400, "Name the company this request acts for"),
    "unauthenticated": ProblemKind(401, "No valid API key"),
    "forbidden": ProblemKind(403, "Forbidden"),
    "scope-missing": ProblemKind(403, "The API key lacks a scope this needs"),
    "company-not-granted": ProblemKind(403, "The API key may not act for this company"),
    "not-found": ProblemKind(404, "Not found"),
    "method-not-allowed": ProblemKind(405, "Method not allowed"),
    "body-too-large": ProblemKind(413, "The request body is too large"),
    "idempotency-key-required": ProblemKind(400, "Send an Idempotency-Key with this write"),
    "idempotency-key-in-use": ProblemKind(409, "A request with this Idempotency-Key is running"),
    "prices-moved": ProblemKind(409, "Prices changed: the order was not placed"),
    "not-cancellable": ProblemKind(409, "The order can't be cancelled now"),
    "invalid-request": ProblemKind(422, "The request has invalid values"),
    "invalid-cost-centre": ProblemKind(422, "Charge the order to one of your cost centres"),
    "idempotency-key-reused": ProblemKind(422, "The Idempotency-Key was used for another request"),
    "not-orderable": ProblemKind(422, "The ERP would not accept these lines"),
    "return-invalid": ProblemKind(422, "The return can't be filed as sent"),
    "quote-invalid": ProblemKind(422, "The quote request can't be made as sent"),
    "quote-not-answered": ProblemKind(409, "The quote has no answer to accept yet"),
    "quote-expired": ProblemKind(409, "The quote has expired"),
    "quote-closed": ProblemKind(409, "The quote can no longer be accepted"),
    "too-many-skus": ProblemKind(422, "Too many SKUs in one request"),
    "unknown-skus": ProblemKind(422, "SKUs this store does not sell"),
    "rate-limited": ProblemKind(429, "Too many requests"),
    "too-many-failed-keys": ProblemKind(429, "Too many requests with wrong API keys"),
    "server-error": ProblemKind(500, "Internal error"),
    "erp-unavailable": ProblemKind(503, "The ERP cannot be reached"),
    "store-unavailable": ProblemKind(503, "This store is unavailable"),
}

STATUS_CODES = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "body-too-large",
    422: "invalid-request",
    429: "rate-limited",
    503: "store-unavailable",
}


class ApiProblem(Exception):
    """Raise in an endpoint to answer with this problem."""

    def __init__(
        self,
        code: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = extra


def problem_body(code: str, detail: str, *, instance: str = "", **extra: Any) -> dict[str, Any]:
    kind = PROBLEMS[code]
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": kind.title,
        "status": kind.status,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def problem_response(
    request: HttpRequest | None,
    code: str,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    body = problem_body(code, detail, instance=request.path if request is not None else "", **extra)
    response = HttpResponse(
        json.dumps(body, default=str), status=PROBLEMS[code].status, content_type=CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response


def from_problem(request: HttpRequest, problem: ApiProblem) -> HttpResponse:
    return problem_response(
        request, problem.code, problem.detail, headers=problem.headers, **problem.extra
    )

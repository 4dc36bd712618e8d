"""Version 1 of the partner API, on every store's host at ``/api/v1/``.

Built with django-ninja rather than Django REST framework: its endpoints are typed functions
whose pydantic schemas validate input and *are* the OpenAPI document (3.1, natively; DRF needs
drf-spectacular to describe serializers after the fact, in 3.0), it is async-ready should an
endpoint need to wait on several ERP calls at once, and it is small: an endpoint stays a thin
interface that parses input, calls the same selector or service the storefront calls (catalog
offers, cart checks, ``OrderScope``, billing's selectors) and renders the result.

The docs page (``/api/v1/docs``) is ninja's Swagger UI served from this server's static files
(``ninja`` is an installed app): no CDN, and no inline script (its settings travel in a JSON
data block), so it runs under the storefront's Content-Security-Policy."""

from __future__ import annotations

import logging
import math
import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from storefleet.erp.errors import ErpError
from storefleet.erp.resilience import BREAKER_OPENED_AT

from ..problems import CONTENT_TYPE, PROBLEMS, ApiProblem, from_problem, problem_response
from ..schemas import ProblemOut
from . import catalog, invoices, orders, partner_webhooks, quotes, returns, webhooks

logger = logging.getLogger("storefleet.api")


class PartnerApi(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Error answers are documented as what they are: ``application/problem+json``."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        answer["content"] = {CONTENT_TYPE: content["application/json"]}
        return schema


class AnswerEncoder(NinjaJSONEncoder):
    """Ninja's encoder, asked about a Decimal first: the answers are mostly amounts and
    quantities, and the encoder's chain of checks (models, URLs, addresses, enums, dates)
    before it reaches ``str`` was a third of the time a 100-product catalog answer took to
    encode. The same output."""

    def default(self, o: Any) -> Any:
        if type(o) is Decimal:
            return str(o)
        return super().default(o)


class AnswerRenderer(JSONRenderer):
    encoder_class = AnswerEncoder


api = PartnerApi(
    title="Storefleet partner API",
    version="1",
    description=(
        "The store's catalog with your company's prices and availability, the ERP's verdict on "
        "order lines, placing and cancelling orders, returns, your orders with shipments and "
        "tracking, invoices and credit, requesting and accepting quotes. Writes take an "
        "`Idempotency-Key` header. "
        "Authenticate with `Authorization: Bearer <key>`; a partner key names the company it "
        "acts for in the `Storefleet-Company` header. Errors are RFC 9457 problem details."
    ),
    urls_namespace="api-v1",
    docs=Swagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=AnswerRenderer(),
)
api.add_router("/catalog", catalog.router)
api.add_router("/orders", orders.router)
api.add_router("/returns", returns.router)
api.add_router("/quotes", quotes.router)
api.add_router("/", invoices.router)
api.add_router("/webhooks", webhooks.router)
api.add_router("/partner/webhooks", partner_webhooks.router)


class ProblemTypeOut(Schema):
    code: str
    title: str
    status: int


@api.get(
    "/problems/{code}",
    response={200: ProblemTypeOut, 404: ProblemOut},
    auth=None,
    tags=["problems"],
    summary="What a problem type means (the 'type' of every error answer)",
)
def problem_type(request: HttpRequest, code: str) -> dict[str, Any]:
    kind = PROBLEMS.get(code)
    if kind is None:
        raise ApiProblem("not-found", "No such problem type: see the 'code' of the error answer.")
    return {"code": code, "title": kind.title, "status": kind.status}


def _validation(request: HttpRequest, exc: Any) -> HttpResponse:
    errors = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in exc.errors[:50]
    ]
    first = errors[0] if errors else {"loc": [], "msg": "invalid"}
    where = ".".join(first["loc"][1:] or first["loc"]) or "the request"
    return problem_response(
        request,
        "invalid-request",
        f"Fix {where}: {first['msg']} (every problem is listed in 'errors').",
        errors=errors,
    )


def _unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
    from ..auth import WRONG_KEY

    return problem_response(
        request, "unauthenticated", WRONG_KEY, headers={"WWW-Authenticate": "Bearer"}
    )


def _http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    status = exc.status_code
    code = {400: "bad-request", 404: "not-found", 405: "method-not-allowed"}.get(
        status, "invalid-request" if status < 500 else "server-error"
    )
    return problem_response(request, code, str(exc) or PROBLEMS[code].title)


def _not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    return problem_response(
        request,
        "not-found",
        "There is no such resource for this company in this store: check the number.",
    )


def retry_after_erp() -> int:
    """Seconds until the ERP is worth asking again: what is left of the breaker's cool-off
    while it is open, else half a minute."""
    opened_at = cache.get(BREAKER_OPENED_AT)
    if opened_at is None:
        return 30
    left = settings.ERP_BREAKER_COOLDOWN_SECONDS - (time.time() - opened_at)
    return min(max(math.ceil(left), 1), 600)


def _erp(request: HttpRequest, exc: Any) -> HttpResponse:
    wait = retry_after_erp()
    return problem_response(
        request,
        "erp-unavailable",
        f"The ERP cannot answer right now; nothing was changed. Retry in {wait} seconds.",
        headers={"Retry-After": str(wait)},
    )


def _suspicious(request: HttpRequest, exc: Any) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):
        return problem_response(
            request,
            "body-too-large",
            "The body is larger than this API reads: send at most "
            f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1_000_000} MB (fewer lines per request).",
        )
    return problem_response(request, "bad-request", "The request could not be read as sent.")


def _unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
    logger.exception("API error on %s", request.path)
    return problem_response(
        request,
        "server-error",
        "Something went wrong on our side; it has been logged. Try again later.",
    )


def _problem(request: HttpRequest, exc: Any) -> HttpResponse:
    return from_problem(request, exc)


api.add_exception_handler(ApiProblem, _problem)
api.add_exception_handler(ValidationError, _validation)
api.add_exception_handler(AuthenticationError, _unauthenticated)
api.add_exception_handler(HttpError, _http_error)
api.add_exception_handler(Http404, _not_found)
api.add_exception_handler(ErpError, _erp)
api.add_exception_handler(SuspiciousOperation, _suspicious)
api.add_exception_handler(Exception, _unexpected)

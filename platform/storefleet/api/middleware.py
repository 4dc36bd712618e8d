"""Every answer under ``/api/`` is JSON: errors that arise outside the API's own handlers (an
address no endpoint takes, a suspended store, an unknown host, a server error rendered by
Django) become problem details too, and a caller's rate-limit fields are added to whatever it
is answered (a PDF included)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .problems import CONTENT_TYPE, STATUS_CODES, problem_response

API_PREFIX = "/api/"

DETAILS = {
    "not-found": "Nothing is at this address: see /api/v1/docs for the API's endpoints.",
    "method-not-allowed": "This endpoint does not take this method: see /api/v1/docs.",
    "store-unavailable": "This store is not taking requests right now: try again later.",
    "server-error": "Something went wrong on our side; it has been logged. Try again later.",
}


class ApiProblemMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path_info.startswith(API_PREFIX):
            return response
        if response.status_code == 301 and response.get("Location", "").rstrip("/").endswith(
            request.path_info.rstrip("/")
        ):
            # CommonMiddleware's added slash leads to the storefront's pages, never an endpoint.
            response = problem_response(request, "not-found", DETAILS["not-found"])
        if response.status_code >= 400 and response.get("Content-Type", "") != CONTENT_TYPE:
            status = response.status_code
            code = STATUS_CODES.get(status, "server-error" if status >= 500 else "bad-request")
            if status == 404 and getattr(request, "store", None) is None:
                detail = "This host is not a store: call the API on the store's own address."
            else:
                detail = DETAILS.get(code, "The request could not be answered as it is.")
            # What the answer says about retrying (Retry-After) and about the methods the
            # address takes (Allow, which RFC 9110 requires on a 405) stays on the problem.
            kept = {
                name: response[name]
                for name in ("Retry-After", "Allow")
                if response.has_header(name)
            }
            response = problem_response(request, code, detail, headers=kept or None)
        for name, value in getattr(request, "api_rate_headers", {}).items():
            response[name] = value
        return response

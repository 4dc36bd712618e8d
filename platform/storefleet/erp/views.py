"""Platform IT's admin screen for the ERP connection: settings in force, breaker, per-call
statistics, sync state, and a "test connection" action that says what it found."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from .errors import ErpError
from .gateway import get_gateway
from .models import SyncState
from .selectors import erp_breaker_state, erp_call_stats
from .types import ConnectionReport


def _require_platform_it(request: HttpRequest) -> None:
    if not request.user.has_perm("erp.view_syncstate"):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def erp_status(request: HttpRequest) -> HttpResponse:
    _require_platform_it(request)
    report: ConnectionReport | None = None
    error = ""
    if request.method == "POST":
        try:
            report = get_gateway().test_connection()
        except ErpError as exc:
            # Platform IT gets the technical cause next to the sentence buyers would see.
            detail = getattr(exc, "detail", "")
            error = f"{exc.message} ({detail})" if detail else exc.message
    return TemplateResponse(
        request,
        "erp/status.html",
        {
            "connection": {
                "backend": settings.ERP_BACKEND,
                "url": settings.ERP_URL,
                "database": settings.ERP_DATABASE,
                "user": settings.ERP_USER,
            },
            "breaker": erp_breaker_state(),
            "stats": erp_call_stats(),
            "syncs": SyncState.objects.order_by("name"),
            "report": report,
            "error": error,
        },
    )

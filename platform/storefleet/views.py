"""Platform-level views: health for load balancers and operators, the store directory."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import URLPattern, re_path
from django.views.decorators.cache import never_cache
from django.views.static import serve as static_serve

from storefleet.tenants.models import StoreStatus
from storefleet.tenants.selectors import store_list


def _check(probe) -> dict[str, object]:
    started = time.perf_counter()
    try:
        probe()
    except Exception as error:  # a health check reports every failure, whatever its type
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return what was written")


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check(_database), "cache": _check(_cache)}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status=200 if healthy else 503,
    )


def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Media from local disk, for the embedded default and tests only (S3 in production)."""
    return static_serve(request, path, document_root=settings.MEDIA_ROOT)


def media_urlpatterns() -> list[URLPattern]:
    if not settings.STOREFLEET_SERVE_MEDIA:
        return []
    prefix = settings.MEDIA_URL.lstrip("/")
    return [re_path(rf"^{prefix}(?P<path>.*)$", serve_media, name="media")]


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def store_directory(request: HttpRequest) -> HttpResponse:
    stores = store_list(statuses=(StoreStatus.LIVE, StoreStatus.DRAFT))
    return TemplateResponse(request, "storefleet/store_directory.html", {"stores": stores})

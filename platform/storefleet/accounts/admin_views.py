"""Platform IT's admin screen of sign-in lockouts: who is being throttled now, and the latest
failed sign-ins (django-axes' records; storefleet.accounts.throttle)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from . import selectors

# Platform IT holds it (superusers); brand editors, agents and managers don't.
VIEW_PERMISSION = "axes.view_accessattempt"


@require_GET
def sign_in_lockouts(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    return TemplateResponse(
        request,
        "accounts/admin/sign_in_lockouts.html",
        {
            "attempts": selectors.sign_in_attempts(),
            "failures": selectors.sign_in_failures(),
            "lockouts": settings.SIGN_IN_LOCKOUTS,
            "cool_off": settings.AXES_COOLOFF_TIME,
        },
    )

"""Sign-in throttling: django-axes, tuned for Storefleet.

Every ``authenticate()`` that carries a request goes through ``AxesStandaloneBackend`` (first
in ``AUTHENTICATION_BACKENDS``): the storefront's sign-in, Wagtail's and Django's admin login,
and whatever signs in later (API keys) as long as it passes the request. Failures are counted
in axes' ``AccessAttempt`` rows (one per username, client address and user agent) and logged in
``AccessFailureLog``; platform IT sees both in the admin.

Three counters lock a sign-in, each with its own limit (``SIGN_IN_LOCKOUTS`` in settings): one
account from one client (a guesser at one door), one client whatever the account (a guesser
trying many accounts), one account whatever the client (a guesser spread over many addresses).
axes compares a single number with a single limit, so ``SignInThrottle.get_failures`` reports
each counter in units of the first limit. The counters are keyed by the username typed, whether
or not such an account exists, and the refusal is the same for both: nothing tells a guesser
which accounts are real.
"""

from __future__ import annotations

import ipaddress
import math
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

# AccessAttempt.username is 255 characters; what a form lets through is shorter, but the
# throttle must never be the thing that fails on a long or odd username.
USERNAME_MAX_LENGTH = 255


def failure_limits() -> list[int]:
    return [limit for _, limit in settings.SIGN_IN_LOCKOUTS]


class SignInThrottle(AxesDatabaseHandler):
    """axes' database handler with one limit per counter, and a success that clears only the
    account's own failures from this client (axes would also clear the client's failures on
    other accounts: a guesser with one real account could wipe their trail by signing in)."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        base, *_ = limits = failure_limits()
        counters = self.get_user_attempts(request, credentials)
        return max(
            (attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0) * base // limit
            for attempts, limit in zip(counters, limits, strict=True)
        )

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        count, _ = AccessAttempt.objects.filter(
            username=sign_in_username(request, credentials),
            ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        ).delete()
        return count


def sign_in_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The username the counters are keyed by, as typed (the storefront's form has already
    lower-cased it), made storable: NUL characters replaced, cut to the column's length."""
    field = settings.AXES_USERNAME_FORM_FIELD
    username = (credentials or {}).get(field)
    if username is None:
        username = request.POST.get(field, "") if request.method == "POST" else ""
    return str(username).replace("\x00", "\ufffd")[:USERNAME_MAX_LENGTH]


def client_address(request: HttpRequest) -> str | None:
    """The client's address: the connection's peer, or, behind ``STOREFLEET_TRUSTED_PROXIES``
    load balancers that append to X-Forwarded-For, the address the outermost of them saw.
    Entries further left are whatever the client wrote and are never trusted."""
    candidate = request.META.get("REMOTE_ADDR", "")
    proxies = settings.STOREFLEET_TRUSTED_PROXIES
    if proxies:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def retry_minutes(request: HttpRequest, credentials: dict | None = None) -> int:
    """Whole minutes until the cool-off of the latest failure that counts has passed."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return 0
    threshold = get_cool_off_threshold(request)
    times = [
        attempts.filter(attempt_time__gte=threshold).aggregate(t=Max("attempt_time"))["t"]
        for attempts in SignInThrottle().filter_user_attempts(request, credentials)
    ]
    latest = max((t for t in times if t is not None), default=None)
    until = (latest or timezone.now()) + cool_off
    return max(1, math.ceil((until - timezone.now()).total_seconds() / 60))


def lockout_message(minutes: int) -> str:
    when = "in 1 minute" if minutes == 1 else f"in {minutes} minutes"
    return (
        "Too many failed sign-ins. To protect the account, signing in is paused here: "
        f"try again {when}."
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The sign-in page the client used (the store's own, or the admin's), with the refusal
    in place of the form's errors; plain text where no such page was rendered (an API)."""
    message = lockout_message(retry_minutes(request, credentials))
    status = settings.AXES_HTTP_RESPONSE_CODE
    context: dict[str, Any] | None = getattr(original_response, "context_data", None)
    form = (context or {}).get("form")
    if isinstance(original_response, TemplateResponse) and context and form is not None:
        form._errors = ErrorDict()
        form.add_error(None, message)
        response = TemplateResponse(
            request, original_response.template_name or [], context, status=status
        )
        return response.render()
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


# --- Other doors a guesser could knock on: password-reset and account-request forms ----------
# They never say whether an account exists, so each request counts (not only failures), with
# the sign-in's first two limits (one address from one client, one client) and its cool-off.


def form_request_allowed(request: HttpRequest, *, door: str, identifier: str) -> bool:
    """Count this request at ``door`` (``"password_reset"``, ``"account_request"``) for the
    identifier typed and the client; False once either counter is past its limit within the
    cool-off (the caller answers with :func:`form_lockout_response`)."""
    from django.core.cache import cache

    limits = failure_limits()
    window = int(settings.AXES_COOLOFF_TIME.total_seconds())
    client = client_address(request) or "unknown"
    keys = [
        (f"throttle:{door}:id-client:{identifier.strip().lower()[:200]}:{client}", limits[0]),
        (f"throttle:{door}:client:{client}", limits[1] if len(limits) > 1 else limits[0]),
    ]
    allowed = True
    for key, limit in keys:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: this is the window's first
            cache.set(key, 1, timeout=window)
            count = 1
        allowed = allowed and count <= limit
    return allowed


def form_lockout_message() -> str:
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    when = "in 1 minute" if minutes == 1 else f"in {minutes} minutes"
    return f"Too many requests from here. To protect our customers' accounts, try again {when}."

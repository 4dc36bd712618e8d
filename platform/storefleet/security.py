"""The Content-Security-Policy header: the storefront's strict policy everywhere, the admin's
(which Wagtail's scripts need) under the admin's URL prefixes."""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if (
            not report_only
            and parts.config is None
            and request.path_info.startswith(settings.STOREFLEET_ADMIN_URL_PREFIXES)
        ):
            parts.config = settings.STOREFLEET_ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"]
        return parts

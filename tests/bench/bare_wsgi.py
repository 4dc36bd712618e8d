"""A bare Django for `make bench-storefront`'s second ceiling (a'): the same trivial view as
/bench/trivial, with no project middleware, no apps and no database — what Django itself costs
under the same gunicorn settings. Served from this folder: ``gunicorn bare_wsgi:application``."""

from __future__ import annotations

import django
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    SECRET_KEY="bench-bare-django-only",
)
django.setup()


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial", trivial), path("healthz", trivial)]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

"""The partner API (``/api/v1/``) and the company admin's key page on a store's host."""

from django.urls import path

from . import views
from .v1 import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("account/api-keys/", views.key_list, name="api_keys"),
    path("account/api-keys/<int:key_id>/revoke/", views.key_revoke, name="api_key_revoke"),
]

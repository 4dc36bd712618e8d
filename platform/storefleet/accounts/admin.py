"""Django's user admin (at /django-admin/), retiring the cached pages of the users it changes:
a buyer's pages are kept for their session without looking the user up (brand.buyer_cache)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services

User = get_user_model()


class BuyerAwareUserAdmin(UserAdmin):
    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        # Logged after every change the admin saves, its password form's included.
        services.user_pages_retire(user_ids=[obj.pk])
        return super().log_change(request, obj, message)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.user_pages_retire(user_ids=[obj.pk])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        services.user_pages_retire(user_ids=list(queryset.values_list("pk", flat=True)))
        super().delete_queryset(request, queryset)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, BuyerAwareUserAdmin)

"""Platform IT's view of API keys in the Django admin: every key, and partner keys made here
(the key's text is shown once, in the message after saving)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils import timezone

from .keys import api_key_create
from .models import ApiKey, KeyKind, Scope


class PartnerKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiKey
        fields = ["name", "scopes", "stores", "companies", "rate_limit_per_minute", "expires_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "kind",
        "company",
        "store",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["kind"]
    search_fields = ["name", "prefix", "company__code"]
    actions = ["revoke"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = PartnerKeyForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [
            "kind",
            "prefix",
            "digest",
            "company",
            "store",
            "created_by",
            "created_at",
            "last_used_at",
            "scopes",
        ]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"expires_at": timezone.now() + datetime.timedelta(days=365)}

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        key, text = api_key_create(
            name=form.cleaned_data["name"],
            kind=KeyKind.PARTNER,
            scopes=form.cleaned_data["scopes"],
            expires_at=form.cleaned_data["expires_at"],
            stores=form.cleaned_data["stores"],
            companies=form.cleaned_data["companies"],
            created_by=request.user,
        )
        if form.cleaned_data.get("rate_limit_per_minute"):
            ApiKey.objects.filter(pk=key.pk).update(
                rate_limit_per_minute=form.cleaned_data["rate_limit_per_minute"]
            )
        obj.pk = key.pk
        messages.warning(request, f"The partner key, shown only now — copy it: {text}")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, f"{count} keys revoked.")

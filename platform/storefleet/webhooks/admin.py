"""Platform IT's webhooks in the Django admin: partner subscriptions (made here, for a partner
API key; the secret shown once, in the message after saving), every subscription and delivery
with its log, and resend."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from storefleet.api.models import ApiKey, KeyKind
from storefleet.errors import ApplicationError

from . import services
from .addresses import UnsafeUrl, url_check
from .events import Event
from .models import Attempt, Delivery, DeliveryState, Subscription


class PartnerSubscriptionForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=[(e.value, e.value) for e in Event], widget=forms.CheckboxSelectMultiple
    )
    partner_key = forms.ModelChoiceField(queryset=ApiKey.objects.filter(kind=KeyKind.PARTNER))
    contact_email = forms.EmailField(help_text="Told when the endpoint is disabled.")
    url = forms.URLField(max_length=500, assume_scheme="https")

    class Meta:
        model = Subscription
        fields = ["partner_key", "url", "events", "contact_email", "description"]

    def clean_url(self) -> str:
        try:
            return url_check(self.cleaned_data["url"])
        except UnsafeUrl as error:
            raise forms.ValidationError(error.message) from error


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ["number", "at", "response_status", "duration_ms", "error", "response_body"]
    readonly_fields = ["number", "at", "response_status", "duration_ms", "error", "response_body"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["url", "company", "store", "partner_key", "active", "failing_since"]
    list_filter = ["active"]
    search_fields = ["url", "company__code", "partner_key__prefix"]
    actions = ["rotate_secret", "enable"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = PartnerSubscriptionForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [
            "company",
            "store",
            "partner_key",
            "url",
            "events",
            "secret",
            "previous_secret",
            "previous_secret_until",
            "failing_since",
            "disabled_at",
            "disabled_reason",
            "created_by",
            "created_at",
            "deleted_at",
        ]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["secret", "previous_secret"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Subscription, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            made, secret = services.subscription_create(
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                partner_key_id=form.cleaned_data["partner_key"].pk,
                contact_email=form.cleaned_data["contact_email"],
                description=form.cleaned_data.get("description", ""),
                created_by=request.user,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            return
        obj.pk = made.pk
        messages.warning(request, f"The signing secret, shown only now — copy it: {secret}")

    @admin.action(description="Rotate the signing secret (the old one signs 24 h more)")
    def rotate_secret(self, request: HttpRequest, queryset: Any) -> None:
        for subscription in queryset:
            secret = services.subscription_secret_rotate(subscription=subscription)
            messages.warning(request, f"New secret of {subscription.url}, shown only now: {secret}")

    @admin.action(description="Enable again")
    def enable(self, request: HttpRequest, queryset: Any) -> None:
        for subscription in queryset:
            services.subscription_enable(subscription=subscription)
        messages.success(request, f"{queryset.count()} subscriptions enabled.")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "subject", "company", "state", "attempts", "last_status", "created_at"]
    list_filter = ["state", "event"]
    search_fields = ["subject", "uuid", "company__code"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [AttemptInline]
    date_hierarchy = "created_at"  # resend everything since a time: filter, select all, resend
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Resend the selected deliveries")
    def resend(self, request: HttpRequest, queryset: Any) -> None:
        count = 0
        for delivery in queryset.exclude(state=DeliveryState.PENDING).select_related(
            "subscription"
        ):
            try:
                services.delivery_resend(delivery=delivery)
            except ApplicationError as error:
                messages.error(request, f"{delivery}: {error.message}")
            else:
                count += 1
        messages.success(request, f"{count} deliveries sent again.")

"""The company admin's webhooks page on a store's host (the API's are under /api/v1/webhooks)."""

from django.urls import path

from . import views

urlpatterns = [
    path("account/webhooks/", views.subscription_list, name="webhooks"),
    path(
        "account/webhooks/<int:subscription_id>/rotate/",
        views.subscription_rotate,
        name="webhook_rotate",
    ),
    path(
        "account/webhooks/<int:subscription_id>/enable/",
        views.subscription_enable,
        name="webhook_enable",
    ),
    path(
        "account/webhooks/<int:subscription_id>/delete/",
        views.subscription_delete,
        name="webhook_delete",
    ),
    path(
        "account/webhooks/deliveries/<int:delivery_id>/resend/",
        views.delivery_resend,
        name="webhook_resend",
    ),
]

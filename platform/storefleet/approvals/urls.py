"""Approvals in the account area of a store's host (/account/approvals/)."""

from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path("", views.waiting, name="waiting"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:rule_id>/remove/", views.rule_remove, name="rule_remove"),
    path("<str:number>/", views.decide, name="decide"),
]

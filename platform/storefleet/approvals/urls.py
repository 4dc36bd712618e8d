"""Approvals in the account area of a store's host (/account/approvals/)."""

from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path("", views.waiting, name="waiting"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:rule_id>/remove/", views.rule_remove, name="rule_remove"),
    path("rules/cost-centres/", views.cost_centre_add, name="cost_centre_add"),
    path(
        "rules/cost-centres/<int:centre_id>/remove/",
        views.cost_centre_remove,
        name="cost_centre_remove",
    ),
    path("rules/budgets/", views.budget_set, name="budget_set"),
    path("<str:number>/", views.decide, name="decide"),
]

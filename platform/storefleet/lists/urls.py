"""Saved lists on a store's host."""

from django.urls import path

from . import views

app_name = "lists"

urlpatterns = [
    path("", views.index, name="index"),
    path("add/", views.add, name="add"),
    path("from-cart/", views.from_cart, name="from_cart"),
    path("<int:list_id>/", views.detail, name="detail"),
    path("<int:list_id>/edit/", views.update, name="update"),
    path("<int:list_id>/delete/", views.delete, name="delete"),
    path("<int:list_id>/order/", views.order, name="order"),
    path("<int:list_id>/lines/<int:line_id>/", views.line, name="line"),
]

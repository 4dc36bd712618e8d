"""Ordering on a store's host."""

from django.urls import path

from . import views

app_name = "ordering"

urlpatterns = [
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/lines/<int:line_id>/", views.cart_line, name="cart_line"),
    path("quick-order/", views.quick_order, name="quick_order"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/", views.order_list, name="orders"),
    path("orders/<str:number>/", views.order_detail, name="order"),
    path("orders/<str:number>/reorder/", views.reorder, name="reorder"),
]

"""Ordering on a store's host."""

from django.urls import path

from . import return_views, views

app_name = "ordering"

urlpatterns = [
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/lines/<int:line_id>/", views.cart_line, name="cart_line"),
    path("cart/backorder/", views.cart_backorder, name="cart_backorder"),
    path("quick-order/", views.quick_order, name="quick_order"),
    path(
        "quick-order/suggestions/",
        views.quick_order_suggestions,
        name="quick_order_suggestions",
    ),
    path(
        "quick-order/template-<slug:variant>.csv",
        views.quick_order_template,
        name="quick_order_template",
    ),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/", views.order_list, name="orders"),
    path("orders/<str:number>/", views.order_detail, name="order"),
    path("orders/<str:number>/reorder/", views.reorder, name="reorder"),
    path("orders/<str:number>/confirmation.pdf", views.order_pdf, name="order_pdf"),
    path("orders/<str:number>/cancel/", return_views.order_cancel, name="cancel"),
    path("orders/<str:number>/return/", return_views.order_return, name="return_start"),
    path("returns/", return_views.return_list, name="returns"),
    path("returns/<str:number>/", return_views.return_detail, name="return"),
]

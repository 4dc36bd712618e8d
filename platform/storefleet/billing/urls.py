"""Billing on a store's host."""

from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("account/invoices/", views.invoice_list, name="invoices"),
    path("account/invoices/pay/", views.payment_create, name="pay"),
    path("account/invoices/statement.pdf", views.statement_document, name="statement"),
    path("account/invoices/<str:number>.pdf", views.invoice_document, name="invoice_document"),
    path("account/payments/<str:reference>/", views.payment_detail, name="payment"),
    path("account/payments/sandbox/<str:session_id>/", views.sandbox_page, name="sandbox_page"),
    path("billing/webhooks/<str:provider>/", views.webhook, name="webhook"),
]

"""Quotes on a store's host."""

from django.urls import path

from . import views

app_name = "quotes"

urlpatterns = [
    path("", views.quote_list, name="list"),
    path("new/", views.quote_new, name="new"),
    path("<int:quote_id>/", views.quote_detail, name="quote"),
    path("<int:quote_id>/attachment/", views.quote_attachment, name="attachment"),
    path("<int:quote_id>/accept/", views.quote_accept, name="accept"),
    path("<int:quote_id>/revise/", views.quote_revise, name="revise"),
    path("<int:quote_id>/decline/", views.quote_decline, name="decline"),
    path("erp/<str:number>/", views.erp_quote_detail, name="erp_quote"),
    path("erp/<str:number>/accept/", views.erp_quote_accept, name="erp_accept"),
    path("erp/<str:number>/revise/", views.erp_quote_revise, name="erp_revise"),
    path("erp/<str:number>/decline/", views.erp_quote_decline, name="erp_decline"),
]

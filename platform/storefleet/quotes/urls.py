"""Quotes on a store's host."""

from django.urls import path

from . import views

app_name = "quotes"

urlpatterns = [
    path("", views.quote_list, name="list"),
    path("new/", views.quote_new, name="new"),
    path("<int:quote_id>/", views.quote_detail, name="quote"),
    path("<int:quote_id>/accept/", views.quote_accept, name="accept"),
    path("erp/<str:number>/", views.erp_quote_detail, name="erp_quote"),
    path("erp/<str:number>/accept/", views.erp_quote_accept, name="erp_accept"),
]

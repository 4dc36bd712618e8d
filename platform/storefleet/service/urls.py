"""The storefront side of the service console, on a store's host."""

from django.urls import path

from . import acting

app_name = "service"

urlpatterns = [
    path("service/acting/stop/", acting.acting_stop_view, name="acting_stop"),
    path("service/acting/<str:token>/", acting.acting_handover, name="acting_handover"),
]

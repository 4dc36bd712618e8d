from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views
from .selectors import lead_stores


@hooks.register("register_admin_urls")
def register_lead_urls() -> list[URLPattern]:
    return [
        path("leads/", admin_views.lead_index, name="marketing_leads"),
        path("leads/<int:lead_id>/", admin_views.lead_detail, name="marketing_lead"),
    ]


class LeadsMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return lead_stores(user=request.user).exists()


@hooks.register("register_admin_menu_item")
def register_leads_menu_item() -> MenuItem:
    return LeadsMenuItem("Leads", reverse("marketing_leads"), icon_name="mail", order=260)

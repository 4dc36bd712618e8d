from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views


@hooks.register("register_admin_urls")
def register_erp_urls() -> list[URLPattern]:
    return [path("erp/", views.erp_status, name="erp_status")]


class ErpMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("erp.view_syncstate"))


@hooks.register("register_settings_menu_item")
def register_erp_menu_item() -> MenuItem:
    return ErpMenuItem("ERP connection", reverse("erp_status"), icon_name="cogs", order=900)

from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def register_sign_in_lockout_urls() -> list[URLPattern]:
    return [
        path("sign-in-lockouts/", admin_views.sign_in_lockouts, name="accounts_sign_in_lockouts"),
        path(
            "account-requests/", admin_views.agent_account_requests, name="accounts_agent_requests"
        ),
    ]


class LockoutsMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(admin_views.VIEW_PERMISSION))


@hooks.register("register_settings_menu_item")
def register_sign_in_lockouts_menu_item() -> MenuItem:
    return LockoutsMenuItem(
        "Sign-in lockouts", reverse("accounts_sign_in_lockouts"), icon_name="lock", order=910
    )


class AccountRequestsMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        from storefleet.service.selectors import is_agent

        return is_agent(request.user)


@hooks.register("register_admin_menu_item")
def register_account_requests_menu_item() -> MenuItem:
    return AccountRequestsMenuItem(
        "Account requests", reverse("accounts_agent_requests"), icon_name="user", order=251
    )

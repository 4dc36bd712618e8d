from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views, services


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


# A buyer's cached pages are kept for their session without looking the user up (see
# brand.buyer_cache): a user the admin deactivates, edits or deletes has them retired. Before a
# delete, while the user still has an id.
@hooks.register("after_edit_user")
@hooks.register("before_delete_user")
def retire_edited_users_pages(request: HttpRequest, user: Any) -> None:
    services.user_pages_retire(user_ids=[user.pk])


@hooks.register("before_bulk_action")
@hooks.register("after_bulk_action")
def retire_bulk_edited_users_pages(
    request: HttpRequest, action_type: str, objects: Any, action: Any
) -> None:
    if get_user_model() in getattr(action, "models", ()):
        services.user_pages_retire(user_ids=[user.pk for user in objects])

from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views


@hooks.register("register_admin_urls")
def register_launch_urls() -> list[URLPattern]:
    return [
        path("launch/", views.launch_index, name="provisioning_launch"),
        path("launch/contrast.json", views.contrast_json, name="provisioning_contrast"),
        path("stores/", views.store_index, name="provisioning_stores"),
        path("stores/<slug:slug>/", views.store_detail, name="provisioning_store"),
        path("launch/runs/<int:run_id>/", views.run_detail, name="provisioning_run"),
        path(
            "launch/runs/<int:run_id>/progress.json",
            views.run_progress_json,
            name="provisioning_run_progress",
        ),
        path("launch/runs/<int:run_id>/resume/", views.run_resume, name="provisioning_run_resume"),
        path("launch/<str:template>/", views.launch_form, name="provisioning_launch_form"),
    ]


class LaunchMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(views.LAUNCH_PERMISSION))


@hooks.register("register_admin_menu_item")
def register_launch_menu_item() -> MenuItem:
    return LaunchMenuItem(
        "Launch a store", reverse("provisioning_launch"), icon_name="site", order=250
    )


@hooks.register("register_admin_menu_item")
def register_stores_menu_item() -> MenuItem:
    # Shown to whoever may launch (regional managers, platform IT): the same wall as the pages.
    return LaunchMenuItem("Stores", reverse("provisioning_stores"), icon_name="list-ul", order=251)

from typing import Any

from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from storefleet.admin_home import WorkItem, WorkPanel

from . import views
from .models import RunStatus
from .selectors import store_rows


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


@hooks.register("construct_homepage_panels")
def add_stores_panel(request: HttpRequest, panels: list[Any]) -> None:
    """Whoever launches stores lands on them: each store's status and its last run, a failed
    or unfinished run first (it waits to be resumed)."""
    if not request.user.has_perm(views.LAUNCH_PERMISSION):
        return
    rows = store_rows()
    waiting = {RunStatus.FAILED, RunStatus.RUNNING, RunStatus.PENDING}
    rows.sort(key=lambda row: (not (row.last_run and row.last_run.status in waiting), row.name))
    items = []
    for row in rows:
        run = row.last_run
        note = f"{row.hostname} · {row.region} · {row.currency}" if row.registered else ""
        if run is not None:
            note = f"{note} · last run: {run.action} {run.status}".lstrip(" ·")
        url = (
            reverse("provisioning_run", args=[run.id])
            if run is not None and run.status in waiting
            else reverse("provisioning_store", args=[row.slug])
        )
        items.append(
            WorkItem(
                f"{row.name or row.slug} ({row.status})",
                url,
                note=note,
                urgent=run is not None and run.status == RunStatus.FAILED,
            )
        )
    panels.append(
        WorkPanel(
            name="stores",
            heading="Storefronts",
            order=60,
            items=items,
            empty="No store yet.",
            action=WorkItem("Launch a new store", reverse("provisioning_launch")),
        )
    )

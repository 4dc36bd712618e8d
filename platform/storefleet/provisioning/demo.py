"""The demo: every store declared in ``brands/`` launched through the pipeline, and one user
per role. Used by ``make demo`` (through the ``demo_stores`` command) and the browser tests."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from storefleet.errors import ApplicationError
from storefleet.service.services import service_agent_add
from storefleet.tenants.models import Store
from storefleet.tenants.services import store_editor_add

from .models import ProvisioningRun, RunStatus
from .services import store_launch
from .storefile import brands_dir

DEMO_PASSWORD = "storefleet-demo"  # noqa: S105 - documented demo credential, local only
DEMO_BRANDS = ("ferrum", "hydra")
REGIONAL_MANAGERS = "Regional managers"


@dataclass(frozen=True)
class DemoResult:
    runs: tuple[ProvisioningRun, ...]


def regional_managers_group() -> Group:
    """Who may launch stores: the admin, and the provisioning permission."""
    group, _ = Group.objects.get_or_create(name=REGIONAL_MANAGERS)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        Permission.objects.get(content_type__app_label="provisioning", codename="launch_store"),
    )
    return group


def _user(username: str, first: str, last: str, **extra):
    users = get_user_model()
    user = users.objects.filter(username=username).first()
    if user is None:
        user = users.objects.create_user(
            username,
            f"{username}@storefleet.example",
            DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            **extra,
        )
    return user


def demo_setup(*, check_erp: bool = False) -> DemoResult:
    """Launch the demo brands from ``brands/`` (skipping those already live) and create the demo
    users. ``check_erp`` is off by default: ``make demo`` runs this before the ERP starts."""
    runs = []
    for slug in DEMO_BRANDS:
        run = store_launch(path=brands_dir() / slug, check_erp=check_erp, inline=True)
        if run.status != RunStatus.SUCCEEDED:
            raise ApplicationError(f"Launching {slug} failed (run {run.pk}): {run.error}")
        runs.append(run)
    _user("platform", "Pat", "Platform-IT", is_staff=True, is_superuser=True)
    for slug in DEMO_BRANDS:
        store = Store.objects.get(slug=slug)
        editor = _user(f"{slug}.editor", store.name.split()[0], "Marketing")
        store_editor_add(store=store, user=editor)
    manager = _user("regional.manager", "Robin", "Regional")
    manager.groups.add(regional_managers_group())
    agent = _user("service.agent", "Sam", "Service")
    service_agent_add(store=Store.objects.get(slug="ferrum"), user=agent)
    return DemoResult(runs=tuple(runs))

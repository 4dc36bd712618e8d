"""Fixtures shared by the whole suite: stores built with the real services."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a
# thread with a running loop unless told this is a test that knows what it does.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.factories import BRANDS, BrandKeys, BrandWorld, build_brand, wagtail_roots_ensure
from tests.module_world import (
    ModuleTransaction,
    ModuleWorld,
    SettingsWhileBuilding,
    module_world_for,
    shared_or_built,
)


def _content_type_looked_up_each_time() -> None:
    """Wagtail's permission policies keep their model's content type for the life of the
    process. A transactional test's flush makes content types and permissions again under new
    ids, so a policy primed before it would deny every editor after it (the brand settings
    admin redirected to /admin/ on a pytest-xdist worker). In tests, look it up each time:
    Django's own content type cache is emptied by the flush."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.permission_policies.base import BaseDjangoAuthPermissionPolicy

    def content_type(policy: BaseDjangoAuthPermissionPolicy) -> ContentType:
        return ContentType.objects.get_for_model(policy.auth_model)

    BaseDjangoAuthPermissionPolicy._content_type = property(content_type)  # type: ignore[assignment]


_content_type_looked_up_each_time()

REPO = Path(__file__).parents[1]

pytest_plugins = ["tests.erp_support"]


# What each test module took in a CI run (seconds, set-up included), written by
# ``python -m tests.module_costs JUNIT_XML`` from a run's ``--junitxml``. On pytest-xdist workers
# the modules are sent costliest first (Makefile: ``--no-loadscope-reorder``), so that the last
# module a worker takes is a short one and both workers end together; a module not listed
# counts as its tests' number times DEFAULT_TEST_SECONDS.
MODULE_COSTS = Path(__file__).with_name("module_costs.json")
DEFAULT_TEST_SECONDS = 1.3  # the suite's mean per test


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On a pytest-xdist worker, put the costliest modules first, each module's tests in the
    order pytest-django gave them (a stable sort). In one process, leave pytest-django's order
    (transactional tests last) be."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    costs: dict[str, float] = json.loads(MODULE_COSTS.read_text()) if MODULE_COSTS.exists() else {}
    counts: dict[str, int] = {}
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        counts[module] = counts.get(module, 0) + 1

    def cost(item: pytest.Item) -> float:
        module = item.nodeid.split("::", 1)[0]
        return costs.get(module, counts[module] * DEFAULT_TEST_SECONDS)

    items.sort(key=lambda item: -cost(item))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A transactional test commits: a module's shared world (``tests.module_world``) is rolled
    back before it, never around it."""
    ModuleTransaction.close_before(item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    """In CI a skipped browser test is a failure: it would hide that nothing was checked."""
    report = yield
    if os.environ.get("CI") and report.skipped and item.get_closest_marker("browser"):
        report.outcome = "failed"
        report.longrepr = f"browser test skipped in CI: {report.longrepr}"
    return report


@pytest.fixture(scope="session")
def django_db_setup(  # type: ignore[no-untyped-def]
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's, with the test database copied from a migrated template
    (tests/db_template.py) unless the run reuses its database (``--reuse-db``), runs without
    migrations or turned the template off."""
    from django.test.utils import teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    from tests import db_template

    aliases, serialized = _get_databases_for_setup(request.session.items)
    if (
        (django_db_keepdb and not django_db_createdb)
        or not django_db_use_migrations
        or not db_template.enabled()
        or aliases - {"default"}
        or serialized
    ):
        from django.test.utils import setup_databases

        if not django_db_use_migrations:
            from pytest_django.fixtures import _disable_migrations

            _disable_migrations()
        with django_db_blocker.unblock():
            config = setup_databases(
                verbosity=request.config.option.verbose,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized,
                keepdb=bool(django_db_keepdb and not django_db_createdb),
            )
        yield
        if not django_db_keepdb:
            with django_db_blocker.unblock():
                teardown_databases(config, verbosity=request.config.option.verbose)
        return
    if not aliases:
        yield
        return
    with django_db_blocker.unblock():
        config = db_template.setup_test_database(request.config.option.verbose)
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=request.config.option.verbose)


@pytest.fixture(scope="session", autouse=True)
def _wagtail_roots_at_start(request, django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """A reused test database (--reuse-db) may have been left flushed by a transactional test
    of the previous run: put Wagtail's roots back once before any test. pytest-django only
    makes a test database when a selected test needs one; without it, leave the real one be."""
    db_fixtures = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}
    if not any(
        item.get_closest_marker("django_db") or db_fixtures & set(getattr(item, "fixturenames", ()))
        for item in request.session.items
    ):
        return
    with django_db_blocker.unblock():
        wagtail_roots_ensure()


@pytest.fixture(autouse=True)
def _wagtail_roots_for_transactional_tests(request):  # type: ignore[no-untyped-def]
    """A test may start on a database an earlier transactional test flushed, without the page
    tree root, root collection and locale that Wagtail's migrations made: put them back first
    (inside the test's transaction, for a test that has one), so the outcome of a test never
    depends on which tests ran before it. pytest-django runs the transactional tests last in
    one process; on a pytest-xdist worker a module's tests run where the module was sent, so a
    plain database test may well come after a flush there."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        wagtail_roots_ensure()
    elif marker or "db" in request.fixturenames:
        request.getfixturevalue("db")
        wagtail_roots_ensure()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache (host map, storefront pages) and no ERP call
    statistics this process holds for a rolled-back test's database."""
    from django.core.cache import cache

    from storefleet.erp.stats import stats_forget

    cache.clear()
    stats_forget()
    yield
    cache.clear()
    stats_forget()


def _brand_build(name: str) -> Callable[[SettingsWhileBuilding], BrandKeys]:
    return lambda _settings: BrandKeys.of(build_brand(*BRANDS[name]))


def _brand_of(world: ModuleWorld[BrandKeys] | None, name: str) -> BrandWorld:
    return shared_or_built(world, BrandKeys.read, lambda: build_brand(*BRANDS[name]))


@pytest.fixture(scope="module")
def module_ferrum(request, django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Ferrum built once for a module whose every database test takes it, in a transaction
    rolled back after the module (``tests.module_world.module_world_for``; else for each test,
    as in a module marked ``brands_per_test``, whose tests set what the build depends on, such
    as the media storage): its store, page tree, image, document and editor cost about half a
    second a test."""
    with module_world_for(request, django_db_blocker, "ferrum", _brand_build("ferrum")) as world:
        yield world


@pytest.fixture(scope="module")
def module_hydra(request, django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with module_world_for(request, django_db_blocker, "hydra", _brand_build("hydra")) as world:
        yield world


@pytest.fixture
def ferrum(module_ferrum, db) -> BrandWorld:
    return _brand_of(module_ferrum, "ferrum")


@pytest.fixture
def hydra(module_hydra, db) -> BrandWorld:
    return _brand_of(module_hydra, "hydra")


# Brand folders for the launch pipeline's tests (provisioning, hostile input), rendered from
# the real site templates into a brands directory of the test's own.
@pytest.fixture
def brands_dir(settings, tmp_path) -> Path:
    folder = tmp_path / "brands"
    folder.mkdir()
    settings.STOREFLEET_BRANDS_DIR = folder
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return folder


@pytest.fixture
def render_brand(brands_dir):
    def render(slug: str = "nordlicht", template: str = "b2b-store", **answers: str) -> Path:
        return Path(
            cookiecutter(
                str(REPO / "site_templates" / template),
                no_input=True,
                output_dir=str(brands_dir),
                extra_context={
                    "brand_name": f"{slug.title()} Antriebe",
                    "slug": slug,
                    "hostname": f"{slug}.localhost",
                    **answers,
                },
            )
        )

    return render

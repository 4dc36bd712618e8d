"""What a module's tests share, built once per module in a transaction rolled back after them.

A world of stores, brands, companies and the ERP's 234 products and 24 customers costs a second
or two of the database's and the ERP's time to build: built for every test, it was most of what
the costliest modules spent. ``module_transaction`` opens a transaction for the module's
plain database tests; each test runs in a savepoint inside it (pytest-django's ``db``), rolled
back after the test as before, and reads its own instances of what was built (by primary key).

A transactional test (``django_db(transaction=True)``, ``transactional_db``, ``live_server``)
commits, and a worker process or a live server must see its data: it can't run inside the
module's transaction. pytest-django runs those tests after the others, so the module's
transaction is rolled back before the first of them (``close_before``, from the root conftest's
``pytest_runtest_setup``), and they build their world for themselves as before."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pytest
from django.db import transaction
from django.test import override_settings

from tests.factories import wagtail_roots_ensure


def is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        names & {"transactional_db", "live_server"}
    )


def every_database_test_takes(request: pytest.FixtureRequest, name: str) -> bool:
    """Whether every plain database test of the requesting module takes the fixture ``name``:
    what it builds can then be built once for the module, with no test of the module building
    the same (a store of the same name, by hand or through another fixture) beside it.
    Transactional tests don't count: they build their own (``module_world_built``)."""
    for item in request.session.items:
        if item.module is not request.module or is_transactional(item):
            continue
        names = set(getattr(item, "fixturenames", ()))
        if (item.get_closest_marker("django_db") or "db" in names) and name not in names:
            return False
    return True


class SettingsWhileBuilding:
    """Settings changed while a module's world is built (what the ``settings`` fixture is for a
    test), put back by ``restore()``."""

    def __init__(self) -> None:
        object.__setattr__(self, "_overrides", [])

    def __setattr__(self, name: str, value: object) -> None:
        override = override_settings(**{name: value})
        override.enable()
        self._overrides.append(override)

    def __getattr__(self, name: str) -> object:
        from django.conf import settings

        return getattr(settings, name)

    def restore(self) -> None:
        for override in reversed(self._overrides):
            override.disable()
        self._overrides.clear()


class ModuleTransaction:
    """The module's outer transaction: ``open()`` before the first test's savepoint,
    ``close()`` (rolled back) before a transactional test or after the module."""

    _open: list[ModuleTransaction] = []

    def __init__(self, blocker: Any) -> None:
        self.blocker = blocker
        self.atomic: Any = None

    @property
    def is_open(self) -> bool:
        return self.atomic is not None

    def open(self) -> None:
        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
        ModuleTransaction._open.append(self)

    def close(self) -> None:
        if self.atomic is None:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = None
        ModuleTransaction._open.remove(self)

    @classmethod
    def close_before(cls, item: pytest.Item) -> None:
        """Roll back every module transaction still open before a transactional test."""
        if cls._open and is_transactional(item):
            for module_transaction in list(reversed(cls._open)):
                module_transaction.close()


def requesting_item(request: pytest.FixtureRequest) -> pytest.Item | None:
    """The test a module fixture is being set up for."""
    return getattr(request, "_pyfuncitem", None)


Keys = TypeVar("Keys")


@dataclass(frozen=True)
class ModuleWorld(Generic[Keys]):
    """What a module's world was built into (``keys``: primary keys, never instances), and the
    transaction it lives in."""

    keys: Keys
    module_transaction: ModuleTransaction

    @property
    def is_open(self) -> bool:
        """Whether a test may still use it (the module's transaction is rolled back before its
        first transactional test)."""
        return self.module_transaction.is_open


@contextmanager
def module_world_built(
    request: pytest.FixtureRequest,
    django_db_blocker: Any,
    build: Callable[[SettingsWhileBuilding], Keys],
) -> Iterator[ModuleWorld[Keys] | None]:
    """For a module fixture: ``build(settings)`` run once in the module's transaction, rolled
    back after the module; None where the module's first test is transactional (each of its
    tests builds its world for itself)."""
    item = requesting_item(request)
    if item is None or is_transactional(item):
        yield None
        return
    module_transaction = ModuleTransaction(django_db_blocker)
    module_transaction.open()
    settings = SettingsWhileBuilding()
    try:
        with django_db_blocker.unblock():
            wagtail_roots_ensure()
            keys = build(settings)
    except BaseException:
        module_transaction.close()
        raise
    finally:
        settings.restore()
    try:
        yield ModuleWorld(keys=keys, module_transaction=module_transaction)
    finally:
        module_transaction.close()


@contextmanager
def module_world_for(
    request: pytest.FixtureRequest,
    django_db_blocker: Any,
    name: str,
    build: Callable[[SettingsWhileBuilding], Keys],
) -> Iterator[ModuleWorld[Keys] | None]:
    """``module_world_built`` for the fixture ``name``, where every plain database test of the
    module takes it (``every_database_test_takes``) and the module is not marked
    ``brands_per_test``; else None (each test builds its own)."""
    if request.node.get_closest_marker("brands_per_test") or not every_database_test_takes(
        request, name
    ):
        yield None
        return
    with module_world_built(request, django_db_blocker, build) as world:
        yield world


Value = TypeVar("Value")


def shared_or_built(
    world: ModuleWorld[Keys] | None, read: Callable[[Keys], Value], build: Callable[[], Value]
) -> Value:
    """A test's own instances of the module's world (``read``), or its own world (``build``)
    where the module's is not shared or was rolled back before a transactional test."""
    if world is not None and world.is_open:
        return read(world.keys)
    return build()

"""The test database, copied from a migrated one kept by a hash of what migrating makes it of.

Migrating an empty database takes about 22 s here (Django rebuilds the project state for each
of some 250 migrations), and every test database pays it: each pytest-xdist worker's, in both
of CI's passes, and a developer's every targeted run. What migrating gives depends only on the
migrations (ours, in ``platform/storefleet/**/migrations``, and the installed packages', which
``uv.lock`` pins), the settings they read and the database engine; so the first run with a given
set of those migrates as before and keeps the result as a template, and every later one copies
it:

- PostgreSQL: a database ``<test name>_tpl_<hash>`` (the name without pytest-xdist's
  suffix: one for every worker), cloned with ``CREATE DATABASE … TEMPLATE`` (a file copy inside
  the server, about a second); older templates of the same test database are dropped when a
  new one is made.
- SQLite: a file under ``$XDG_CACHE_HOME/storefleet/test-db/`` (``~/.cache``), copied.

One process makes the template while the others wait for it (a PostgreSQL advisory lock, a
file lock), so two pytest-xdist workers starting together migrate once between them.

``--reuse-db`` keeps pytest-django's own behaviour (the database of the last run, migrated
forward); ``STOREFLEET_TEST_DB_TEMPLATE=0`` turns the template off (every run migrates)."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PLATFORM = REPO / "platform" / "storefleet"
TEMPLATE_INFIX = "_tpl_"


def enabled() -> bool:
    return os.environ.get("STOREFLEET_TEST_DB_TEMPLATE", "1") != "0"


def migrations_hash(vendor: str, repo: Path = REPO) -> str:
    """What migrating an empty database depends on: every file of our migrations packages, the
    lock file (the packages' migrations), the settings, the engine and Django's version."""
    import django

    digest = hashlib.blake2b(digest_size=8)
    package = repo / PLATFORM.relative_to(REPO)
    files = sorted(package.glob("*/migrations/**/*.py")) + sorted(
        (package / "settings").glob("*.py")
    )
    for path in [*files, repo / "uv.lock"]:
        digest.update(str(path.relative_to(repo)).encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    digest.update(f"{vendor} {django.get_version()}".encode())
    return digest.hexdigest()


def setup_test_database(verbosity: int) -> list[tuple[Any, str, bool]]:
    """Make the default alias's test database (from the template when there is one) and point
    the connection at it. Returns what ``django.test.utils.teardown_databases`` takes."""
    from django.db import connections

    connection = connections["default"]
    old_name = connection.settings_dict["NAME"]
    creation = connection.creation
    test_name = creation._get_test_db_name()
    key = migrations_hash(connection.vendor)
    if connection.vendor == "postgresql":
        _postgresql(connection, test_name, key, verbosity)
    elif connection.vendor == "sqlite" and not creation.is_in_memory_db(test_name):
        _sqlite(connection, Path(test_name), key, verbosity)
    else:
        creation.create_test_db(verbosity=verbosity, autoclobber=True, serialize=False)
    return [(creation, old_name, True)]


def _point_at(connection: Any, test_name: str) -> None:
    """What ``create_test_db`` does once the database is there, short of migrating it; and
    should the copy lack a migration (a change the hash did not see), it is migrated forward
    here rather than tested stale."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = test_name
    connection.settings_dict["NAME"] = test_name
    connection.ensure_connection()
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", verbosity=0, interactive=False, database=connection.alias)


def _postgresql(connection: Any, test_name: str, key: str, verbosity: int) -> None:
    creation = connection.creation
    quote = connection.ops.quote_name
    # One template for all pytest-xdist workers' databases (test_x_gw0, test_x_gw1, …).
    base = re.sub(r"_gw[0-9]+$", "", test_name)
    prefix = base[: 63 - len(TEMPLATE_INFIX) - len(key)] + TEMPLATE_INFIX
    template = prefix + key
    lock = int.from_bytes(hashlib.blake2b(prefix.encode(), digest_size=8).digest(), "big") >> 1
    # The lock's own connection (to the server's maintenance database) is held while this
    # process makes the template, so that a worker starting beside it waits and then clones.
    with creation._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [lock])
        try:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            if cursor.fetchone() is None:
                creation.create_test_db(verbosity=verbosity, autoclobber=True, serialize=False)
                connection.close()  # a template may have no one connected to it
                cursor.execute(f"CREATE DATABASE {quote(template)} TEMPLATE {quote(test_name)}")
                cursor.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
                    [prefix.replace("_", r"\_") + "%", template],
                )
                for (stale,) in cursor.fetchall():
                    cursor.execute(f"DROP DATABASE IF EXISTS {quote(stale)} WITH (FORCE)")
                _point_at(connection, test_name)
                return
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(test_name)} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(template)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock])
    _point_at(connection, test_name)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "storefleet" / "test-db"


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove(database: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def _sqlite(connection: Any, test_file: Path, key: str, verbosity: int) -> None:
    folder = _cache_dir()
    template = folder / f"{key}.sqlite3"
    with _file_lock(folder / f"{key}.lock"):
        if not template.exists():
            connection.creation.create_test_db(
                verbosity=verbosity, autoclobber=True, serialize=False
            )
            connection.close()  # everything in the one file, then copied whole
            partial = folder / f".{key}.{os.getpid()}.partial"
            shutil.copyfile(test_file, partial)
            partial.replace(template)
            for stale in folder.glob("*.sqlite3"):
                if stale != template:
                    stale.unlink(missing_ok=True)
                    (folder / f"{stale.stem}.lock").unlink(missing_ok=True)
            _point_at(connection, str(test_file))
            return
        _remove(test_file)
        test_file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, test_file)
    _point_at(connection, str(test_file))

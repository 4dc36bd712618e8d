"""The test database copied from a migrated template (tests/db_template.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.db_template import migrations_hash


def _tree(root: Path) -> None:
    for name, text in {
        "platform/storefleet/shop/migrations/0001_initial.py": "operations = []\n",
        "platform/storefleet/shop/models.py": "class Shop: ...\n",
        "platform/storefleet/settings/base.py": "LANGUAGE_CODE = 'en'\n",
        "uv.lock": "wagtail 8.0\n",
    }.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_key_moves_with_migrations_settings_lock_file_and_engine_only(tmp_path):
    _tree(tmp_path)
    key = migrations_hash("sqlite", tmp_path)
    assert migrations_hash("sqlite", tmp_path) == key
    assert migrations_hash("postgresql", tmp_path) != key

    (tmp_path / "platform/storefleet/shop/models.py").write_text("class Shop: name = 1\n")
    assert migrations_hash("sqlite", tmp_path) == key  # a model's code: not what migrating makes

    for changed, text in (
        ("platform/storefleet/shop/migrations/0001_initial.py", "operations = [1]\n"),
        ("platform/storefleet/shop/migrations/0002_more.py", "operations = []\n"),
        ("platform/storefleet/settings/base.py", "LANGUAGE_CODE = 'de'\n"),
        ("uv.lock", "wagtail 8.1\n"),
    ):
        (tmp_path / changed).write_text(text)
        assert migrations_hash("sqlite", tmp_path) != key, changed
        key = migrations_hash("sqlite", tmp_path)


@pytest.mark.django_db
def test_the_database_the_tests_run_on_has_every_migration_applied():
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    assert connection.settings_dict["NAME"] == connection.creation._get_test_db_name()  # type: ignore[attr-defined]

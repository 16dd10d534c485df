"""The rate-limit counts need the database cache table; `migrate` creates it."""

from __future__ import annotations

import importlib

import pytest
from django.core.cache import caches
from django.db import connection


@pytest.mark.django_db(transaction=True)
def test_the_migration_creates_the_cache_table_when_it_is_missing(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "upward_test_cache_from_migration",
        }
    }
    assert "upward_test_cache_from_migration" not in connection.introspection.table_names()
    migration = importlib.import_module("upward.core.migrations.0002_cache_table")
    with connection.schema_editor() as editor:
        migration.create_cache_table(None, editor)
    try:
        assert "upward_test_cache_from_migration" in connection.introspection.table_names()
        with connection.schema_editor() as editor:  # again: nothing to do, no error
            migration.create_cache_table(None, editor)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE upward_test_cache_from_migration")
        caches["default"].close()

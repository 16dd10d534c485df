"""SQLite restore writes through the backup API into the live file, while another connection
(another process of the running app) has it open, and leaves it in WAL mode.

Its own module: the file database is a connection alias of its own, outside the test database
that the django_db marker manages (as in test_sqlite_concurrency.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from upward.core import backup, restore_hooks


@pytest.fixture
def sqlite_file_alias(django_db_blocker: Any, tmp_path: Path) -> Iterator[str]:
    settings = connections.settings["default"]
    if settings["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only; this run uses another database.")
    alias = "backup_file"
    config = dict(settings, NAME=str(tmp_path / "live.sqlite3"), OPTIONS=dict(settings["OPTIONS"]))
    connections.settings[alias] = config
    with django_db_blocker.unblock():
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE kept (n INTEGER NOT NULL)")
            cursor.execute("INSERT INTO kept (n) VALUES (1), (2), (3)")
        yield alias
        connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


def test_sqlite_restore_writes_into_the_live_file(
    sqlite_file_alias: str, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.BACKUP_DIR = tmp_path / "backups"
    monkeypatch.setattr(restore_hooks, "_hooks", {})
    live = connections[sqlite_file_alias]
    path, meta = backup.create_backup(live, tmp_path / "file.tar")
    with live.cursor() as cursor:
        cursor.execute("DELETE FROM kept WHERE n > 1")
        cursor.execute("INSERT INTO kept (n) VALUES (99)")
    reader = sqlite3.connect(live.settings_dict["NAME"])  # another process's connection
    try:
        assert reader.execute("SELECT n FROM kept ORDER BY n").fetchall() == [(1,), (99,)]
        lines: list[str] = []
        result = backup.restore(live, path, for_real=True, say=lines.append)
        assert reader.execute("SELECT n FROM kept ORDER BY n").fetchall() == [(1,), (2,), (3,)]
        assert reader.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        reader.close()
    assert result.counts == {"kept": 3}
    assert result.meta.taken_at == meta.taken_at
    assert result.safety_copy is not None and result.safety_copy.parent == settings.BACKUP_DIR
    assert any(line.startswith("Replaced the live database") for line in lines)
    # The saved copy holds the database as it was just before the restore.
    with backup.opened_backup(result.safety_copy) as (_saved_meta, data):
        saved = sqlite3.connect(data)
        try:
            assert saved.execute("SELECT n FROM kept ORDER BY n").fetchall() == [(1,), (99,)]
        finally:
            saved.close()

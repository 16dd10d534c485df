"""Units of upward.core.backup that need no database (the rest: test_backup_restore.py)."""

from __future__ import annotations

import datetime as dt
import types
from typing import Any

import pytest

from upward.core import backup


def test_compare_schema() -> None:
    known = {("core", "0001_a"), ("core", "0002_b"), ("notes", "0001_a")}
    leaves = {"core": {"0002_b"}, "notes": {"0001_a"}}
    same = backup.compare_schema({"core": "0002_b", "notes": "0001_a"}, known, leaves)
    assert not same.refused and same.behind == []
    older = backup.compare_schema({"core": "0001_a"}, known, leaves)
    assert not older.refused and older.behind == ["core", "notes"]
    newer = backup.compare_schema({"core": "0003_c", "gone": "0001_x"}, known, leaves)
    assert newer.refused and newer.newer == ["core.0003_c", "gone.0001_x"]
    assert newer.behind == ["notes"]


def test_the_postgres_password_never_reaches_the_command_line() -> None:
    conn: Any = types.SimpleNamespace(
        settings_dict={
            "NAME": "upward",
            "HOST": "db.internal",
            "PORT": 5432,
            "USER": "upward",
            "PASSWORD": "s3cret-pw",
            "OPTIONS": {"sslmode": "require"},
        }
    )
    args, environment = backup._pg_connection(conn)
    assert not any("s3cret-pw" in arg for arg in args)
    assert args == [
        "--no-password",
        "--host=db.internal",
        "--port=5432",
        "--username=upward",
        "--dbname=upward",
    ]
    assert environment["PGPASSWORD"] == "s3cret-pw" and environment["PGSSLMODE"] == "require"


def test_missing_postgres_tools_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="pg_dump was not found on PATH"):
        backup._pg_tool("pg_dump")


def test_metadata_without_time_zone_is_refused() -> None:
    raw = backup.Metadata(
        taken_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        engine="sqlite",
        migrations={},
        upward_version="0.1.0",
        data_name="database.sqlite3",
        data_size=1,
        data_sha256="0" * 64,
    ).to_json()
    assert backup.Metadata.from_json(raw).taken_at.tzinfo is not None
    raw["taken_at"] = "2026-01-01T00:00:00"
    with pytest.raises(backup.BackupError, match="has no time zone"):
        backup.Metadata.from_json(raw)

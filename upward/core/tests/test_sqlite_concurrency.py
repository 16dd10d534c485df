"""The embedded SQLite database must survive concurrent writers (make run serves several users).

WAL mode plus IMMEDIATE transactions make each writer take the lock at BEGIN and wait for it;
Django's default DEFERRED transactions fail instead when a reader tries to become a writer.
"""

import sqlite3
import threading

import pytest
from django.db import connections, transaction


@pytest.fixture
def sqlite_alias(django_db_blocker, tmp_path):
    # A file database of our own with the project's settings (the test database is in memory).
    settings = connections.settings["default"]
    if settings["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite-only behaviour; this run uses another database.")
    alias = "concurrency"
    config = dict(settings)
    config["NAME"] = str(tmp_path / "concurrency.sqlite3")
    config["OPTIONS"] = dict(settings["OPTIONS"])
    connections.settings[alias] = config
    with django_db_blocker.unblock():
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE counter (n INTEGER NOT NULL UNIQUE)")
        yield alias
        connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


def test_settings_use_wal_and_immediate_transactions(sqlite_alias):
    assert connections.settings["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with connections[sqlite_alias].cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


def test_concurrent_read_then_write_transactions_all_succeed(sqlite_alias):
    errors: list[Exception] = []

    def writer() -> None:
        try:
            for _ in range(25):
                # Read, then write what was read: the pattern that breaks deferred transactions.
                with transaction.atomic(using=sqlite_alias):
                    with connections[sqlite_alias].cursor() as cursor:
                        cursor.execute("SELECT COALESCE(MAX(n), 0) FROM counter")
                        (n,) = cursor.fetchone()
                        cursor.execute("INSERT INTO counter (n) VALUES (%s)", [n + 1])
        except Exception as exc:
            errors.append(exc)
        finally:
            connections[sqlite_alias].close()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with connections[sqlite_alias].cursor() as cursor:
        cursor.execute("SELECT COUNT(*), MAX(n) FROM counter")
        assert cursor.fetchone() == (100, 100)


def test_deferred_transactions_would_fail_the_same_workload(tmp_path):
    # The control: what IMMEDIATE protects us from. A deferred reader that another writer
    # overtakes cannot upgrade to a writer, and SQLite answers "database is locked" at once.
    path = tmp_path / "deferred.sqlite3"
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE counter (n INTEGER)")
    setup.commit()
    a = sqlite3.connect(path, timeout=1, isolation_level=None)
    b = sqlite3.connect(path, timeout=1, isolation_level=None)
    a.execute("BEGIN DEFERRED")
    a.execute("SELECT COUNT(*) FROM counter").fetchone()
    b.execute("INSERT INTO counter VALUES (1)")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        a.execute("INSERT INTO counter VALUES (2)")

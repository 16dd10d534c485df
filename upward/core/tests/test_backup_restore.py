"""`manage.py backup` and `manage.py restore`, and the restore drill.

The drill: build data, back up, change the data (rows added, rows deleted, and an "erasure"
recorded the way the privacy app records one), restore with --for-real, and check that every
table holds exactly what it held at backup time, except that the erasure made after the
backup was applied again by its restore hook. It runs on SQLite always, and on PostgreSQL when
the test database is PostgreSQL (in a scratch database the test creates and drops).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from upward.accounts.models import User
from upward.core import backup, restore_hooks
from upward.core.models import AuditChain, AuditEvent
from upward.notes.models import Message
from upward.testing.factories import OrganisationFactory

SECRET_TEXT = "Only my mentee may read this: the restructure worries me"
ERASED = "test.erased"

pytestmark = pytest.mark.django_db(transaction=True)


# ---------------------------------------------------------------------------------------------
# Helpers


@pytest.fixture
def backup_dir(settings: Any, tmp_path: Path) -> Path:
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.BACKUP_DIR


@pytest.fixture
def no_hooks(monkeypatch: pytest.MonkeyPatch) -> dict[str, restore_hooks.RestoreHook]:
    """Only the hooks a test registers itself (apps may register real ones in ready())."""
    registry: dict[str, restore_hooks.RestoreHook] = {}
    monkeypatch.setattr(restore_hooks, "_hooks", registry)
    return registry


class ErasureHook:
    """Stands for the privacy app's hook: erasures are recorded as audit entries, which
    `before()` reads from the live database and `after()` applies again when they were made
    after the backup was taken."""

    def __init__(self) -> None:
        self.taken_at: list[dt.datetime] = []

    def before(self) -> list[dict[str, Any]]:
        rows = AuditEvent.objects.filter(verb=ERASED).values_list("object_id", "created_at")
        return [{"object_id": pk, "created_at": at} for pk, at in rows]

    def after(self, state: list[dict[str, Any]], taken_at: dt.datetime) -> list[str]:
        self.taken_at.append(taken_at)
        again = [row for row in state if row["created_at"] > taken_at]
        for row in again:
            User.objects.filter(pk=row["object_id"]).delete()
            # The audit log is append-only: the new entry keeps the time it is written.
            AuditEvent.objects.create(
                verb=ERASED, object_type="accounts.user", object_id=row["object_id"]
            )
        return [f"erased again: {len(again)}"]


def none_chain_exists() -> bool:
    return AuditChain.objects.filter(key="none").exists()


def with_restore_entry(expected: dict[str, int], *, none_chain: bool) -> dict[str, int]:
    """`restore` writes one entry of its own ("backup.restored") in the chain with no
    organisation, starting that chain if the restored database has none."""
    result = dict(expected)
    result[AuditEvent._meta.db_table] += 1
    if not none_chain:
        result[AuditChain._meta.db_table] += 1
    return result


def erase(user: User) -> None:
    User.objects.filter(pk=user.pk).delete()
    AuditEvent.objects.create(verb=ERASED, object_type="accounts.user", object_id=str(user.pk))


def run(*args: Any, **options: Any) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return backup.table_counts(connection)


def make_backup(path: Path) -> Path:
    run("backup", output=path)
    return path


def read_meta(path: Path) -> backup.Metadata:
    with tarfile.open(path) as tar:
        raw = json.loads(tar.extractfile(backup.METADATA_NAME).read())  # type: ignore[union-attr]
    return backup.Metadata.from_json(raw)


def rewrite(source: Path, target: Path, *, meta: Any = None, data: bytes | None = None) -> Path:
    """A copy of a backup with its metadata changed by `meta(dict)` and/or its data replaced."""
    with tarfile.open(source) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    raw = json.loads(members[backup.METADATA_NAME])
    if meta is not None:
        meta(raw)
    data_name = raw["data"]["name"]
    body = (
        data
        if data is not None
        else next(v for k, v in members.items() if k != backup.METADATA_NAME)
    )
    with tarfile.open(target, "w") as tar:
        for name, content in ((backup.METADATA_NAME, json.dumps(raw).encode()), (data_name, body)):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return target


# ---------------------------------------------------------------------------------------------
# The drill


def drill(pairs: Any, tmp_path: Path, registry: dict[str, restore_hooks.RestoreHook]) -> None:
    hook = ErasureHook()
    registry["test-erasure"] = restore_hooks.RestoreHook(
        name="test-erasure", before=hook.before, after=hook.after
    )
    kept = Message.objects.create(pairing=pairs.pairing, sender=pairs.mentor, body=SECRET_TEXT)
    Message.objects.create(pairing=pairs.pairing, sender=pairs.mentee, body="Thanks, talk Friday")
    victim = pairs.world.outsider_admin.user
    at_backup = counts()
    path = make_backup(tmp_path / "drill.tar")
    if connection.vendor == "sqlite":
        # Encrypted columns stay encrypted in the backup.
        assert SECRET_TEXT.encode() not in path.read_bytes()

    # After the backup: rows added, rows deleted, and an erasure.
    added = Message.objects.create(pairing=pairs.other, sender=pairs.other_mentor, body="New")
    OrganisationFactory(name="Added later", slug="added-later")
    Message.objects.filter(pk=kept.pk).delete()
    before_erasure = counts()
    erase(victim)
    erasure_delta = {
        t: n - before_erasure[t] for t, n in counts().items() if n != before_erasure[t]
    }
    assert erasure_delta, "the erasure changed no table"
    assert counts() != at_backup

    out = run("restore", str(path), for_real=True)

    expected = {table: n + erasure_delta.get(table, 0) for table, n in at_backup.items()}
    # The stand-in hook's own entry (no organisation) has started the chain with no organisation
    # before the restore writes its entry there.
    assert counts() == with_restore_entry(expected, none_chain=True)
    assert AuditEvent.objects.filter(verb="backup.restored").count() == 1
    assert Message.objects.get(pk=kept.pk).body == SECRET_TEXT  # back, and still decrypts
    assert not Message.objects.filter(pk=added.pk).exists()
    assert not OrganisationFactory._meta.model.objects.filter(slug="added-later").exists()
    assert not User.objects.filter(pk=victim.pk).exists()  # the erasure was applied again
    assert AuditEvent.objects.filter(verb=ERASED, object_id=str(victim.pk)).count() == 1
    assert hook.taken_at == [read_meta(path).taken_at]
    assert "test-erasure: erased again: 1" in out
    assert "Rows per table after the restore:" in out
    assert f"  {Message._meta.db_table}: {expected[Message._meta.db_table]}" in out


def test_restore_drill_sqlite(pairs, tmp_path, backup_dir, no_hooks):
    if connection.vendor != "sqlite":
        pytest.skip("The SQLite drill; this run uses another database.")
    drill(pairs, tmp_path, no_hooks)
    # The live database was saved before it was replaced.
    assert [p.name.startswith("upward-before-restore-") for p in backup_dir.iterdir()] == [True]


@pytest.fixture
def scratch_postgres(pairs: Any) -> Iterator[None]:
    """Point the default connection at a scratch copy of the test database, then drop it."""
    if connection.vendor != "postgresql":
        pytest.skip("The PostgreSQL drill; this run uses SQLite.")
    test_name = connection.settings_dict["NAME"]
    scratch = f"{test_name}_restore_drill"[:63]
    qn = connection.ops.quote_name
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {qn(scratch)}")
        cursor.execute(f"CREATE DATABASE {qn(scratch)} TEMPLATE {qn(test_name)}")
    connection.settings_dict["NAME"] = scratch
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = test_name
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {qn(scratch)}")


@pytest.mark.slow
def test_restore_drill_postgresql(pairs, scratch_postgres, tmp_path, backup_dir, no_hooks):
    drill(pairs, tmp_path, no_hooks)
    assert connection.settings_dict["NAME"].endswith("_restore_drill")


# ---------------------------------------------------------------------------------------------
# backup


def test_backup_is_private_complete_and_describes_itself(world, tmp_path, backup_dir):
    out = run("backup")
    (path,) = backup_dir.iterdir()
    assert path.name.startswith("upward-backup-") and path.suffix == ".tar"
    assert path.stat().st_mode & 0o777 == 0o600
    assert backup_dir.stat().st_mode & 0o777 == 0o700
    assert "as sensitive as the database" in out and "NOT in this file" in out
    with tarfile.open(path) as tar:
        assert sorted(tar.getnames()) == sorted(
            [backup.METADATA_NAME, backup.DATA_NAMES[connection.vendor]]
        )
    meta = read_meta(path)
    assert meta.engine == connection.vendor
    assert meta.upward_version == backup.upward_version() != "unknown"
    assert meta.migrations == backup.latest_migrations(connection)
    assert abs((meta.taken_at - dt.datetime.now(dt.UTC)).total_seconds()) < 120


def test_backup_never_overwrites_a_file(world, tmp_path, backup_dir):
    target = tmp_path / "taken.tar"
    target.write_bytes(b"something precious")
    with pytest.raises(CommandError, match="already exists; a backup never overwrites"):
        run("backup", output=target)
    assert target.read_bytes() == b"something precious"


def test_backup_into_a_missing_folder_is_refused(world, tmp_path, backup_dir):
    with pytest.raises(CommandError, match="does not exist"):
        run("backup", output=tmp_path / "nowhere" / "b.tar")


# ---------------------------------------------------------------------------------------------
# restore: the dry run and bad input


def test_dry_run_checks_and_changes_nothing(world, tmp_path, backup_dir, no_hooks):
    calls: list[str] = []

    def after(state: Any, taken_at: dt.datetime) -> list[str]:
        calls.append("after")
        return []

    no_hooks["test-erasure"] = restore_hooks.RestoreHook(
        name="test-erasure", before=lambda: calls.append("before"), after=after
    )
    path = make_backup(tmp_path / "b.tar")
    OrganisationFactory(name="Added later", slug="added-later")
    changed = counts()
    out = run("restore", str(path))
    assert "the file is complete and its checksum matches" in out
    assert "Dry run: nothing was changed" in out and "test-erasure" in out
    assert counts() == changed
    assert calls == []
    assert not backup_dir.exists() or list(backup_dir.iterdir()) == []


@pytest.fixture
def good_backup(world: Any, tmp_path: Path, backup_dir: Path) -> Path:
    return make_backup(tmp_path / "good.tar")


def refused(path: Path, match: str) -> None:
    """The restore is refused with `match`, and nothing was changed or saved."""
    OrganisationFactory(name="Added later", slug="added-later")
    before = counts()
    with pytest.raises(CommandError, match=match):
        run("restore", str(path), for_real=True)
    assert counts() == before


def test_missing_file(good_backup, tmp_path, backup_dir, no_hooks):
    refused(tmp_path / "no-such.tar", "There is no backup file at")


def test_a_file_that_is_not_a_backup(good_backup, tmp_path, backup_dir, no_hooks):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"\x00\x01 not a tar file at all" * 100)
    refused(junk, "is not an Upward backup, or it is damaged")


def test_a_tar_without_metadata(good_backup, tmp_path, backup_dir, no_hooks):
    other = tmp_path / "other.tar"
    with tarfile.open(other, "w") as tar:
        info = tarfile.TarInfo("notes.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    refused(other, "is not an Upward backup: it has no upward-backup.json")


def test_a_truncated_backup(good_backup, tmp_path, backup_dir, no_hooks):
    cut = tmp_path / "cut.tar"
    cut.write_bytes(good_backup.read_bytes()[: good_backup.stat().st_size // 2])
    refused(cut, "is damaged")


def test_a_corrupted_database_fails_the_checksum(good_backup, tmp_path, backup_dir, no_hooks):
    with tarfile.open(good_backup) as tar:
        name = backup.DATA_NAMES[connection.vendor]
        data = bytearray(tar.extractfile(name).read())  # type: ignore[union-attr]
    data[len(data) // 2] ^= 0xFF
    bad = rewrite(good_backup, tmp_path / "bad.tar", data=bytes(data))
    refused(bad, "does not match the checksum")


def test_a_damaged_database_with_a_matching_checksum(good_backup, tmp_path, backup_dir, no_hooks):
    """Damaged before it was packed: the checksum matches, the database check does not."""
    data = b"garbage, not a database" * 500

    def fix(raw: dict[str, Any]) -> None:
        raw["data"].update(size=len(data), sha256=hashlib.sha256(data).hexdigest())

    bad = rewrite(good_backup, tmp_path / "bad.tar", meta=fix, data=data)
    refused(bad, "is damaged")


def test_a_backup_of_the_other_engine(good_backup, tmp_path, backup_dir, no_hooks):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"

    def swap(raw: dict[str, Any]) -> None:
        raw["engine"] = other
        raw["data"]["name"] = backup.DATA_NAMES[other]

    wrong = rewrite(good_backup, tmp_path / "wrong.tar", meta=swap)
    with tarfile.open(good_backup) as tar:
        assert backup.DATA_NAMES[connection.vendor] in tar.getnames()
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    refused(
        wrong,
        f"is of a {label[other]} database, and this deployment uses {label[connection.vendor]}",
    )


def test_a_backup_from_a_newer_schema(good_backup, tmp_path, backup_dir, no_hooks):
    def future(raw: dict[str, Any]) -> None:
        raw["migrations"]["core"] = "9999_from_the_future"
        raw["upward_version"] = "9.0.0"

    newer = rewrite(good_backup, tmp_path / "newer.tar", meta=future)
    refused(newer, r"made by a newer version of Upward.*core\.9999_from_the_future.*9\.0\.0")
    with pytest.raises(CommandError, match="newer version of Upward"):
        run("restore", str(newer))  # the dry run says so too


def test_an_unknown_format_version(good_backup, tmp_path, backup_dir, no_hooks):
    def bump(raw: dict[str, Any]) -> None:
        raw["format_version"] = 2

    refused(rewrite(good_backup, tmp_path / "v2.tar", meta=bump), "format version 2")


# ---------------------------------------------------------------------------------------------
# restore: failures say what state the database is in


def test_a_failing_first_step_changes_nothing(good_backup, backup_dir, no_hooks):
    def broken() -> None:
        raise RuntimeError("Jess Junior's secret")

    no_hooks["broken"] = restore_hooks.RestoreHook(
        name="broken", before=broken, after=lambda state, taken_at: []
    )
    OrganisationFactory(name="Added later", slug="added-later")
    before = counts()
    with pytest.raises(CommandError, match="'broken' failed in its first step") as caught:
        run("restore", str(good_backup), for_real=True)
    assert "Nothing was changed" in str(caught.value)
    assert "Jess" not in str(caught.value)  # the hook's message could hold personal data
    assert counts() == before


def test_a_failing_second_step_is_reported_and_the_saved_copy_puts_it_back(
    good_backup, backup_dir, no_hooks
):
    def broken(state: Any, taken_at: dt.datetime) -> list[str]:
        OrganisationFactory(name="Half done", slug="half-done")  # rolled back with the hook
        raise RuntimeError("boom")

    no_hooks["broken"] = restore_hooks.RestoreHook(name="broken", before=lambda: None, after=broken)
    OrganisationFactory(name="Added later", slug="added-later")
    live = counts()
    none_chain_live = none_chain_exists()
    with pytest.raises(
        CommandError, match=r"now holds the backup taken at .* failed: broken"
    ) as caught:
        run("restore", str(good_backup), for_real=True)
    message = str(caught.value)
    assert "is NOT in place" in message and "Keep Upward closed" in message
    organisations = OrganisationFactory._meta.model.objects
    assert not organisations.filter(slug__in=["added-later", "half-done"]).exists()
    (saved,) = backup_dir.iterdir()
    assert str(saved) in message

    del no_hooks["broken"]
    run("restore", str(saved), for_real=True)
    assert organisations.filter(slug="added-later").exists()
    assert counts() == with_restore_entry(live, none_chain=none_chain_live)

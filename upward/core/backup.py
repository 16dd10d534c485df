"""Backups of Upward's database and putting one back (`manage.py backup`, `manage.py restore`).

A backup is one tar file (uncompressed, mode 0600) with two members:

- `upward-backup.json`: what `restore` checks first: the format, when the copy was taken, the
  database engine, the latest migration per app, the Upward version, and the name, size and
  SHA-256 of the database member (so a damaged file is refused before anything is touched);
- the database itself: `database.sqlite3`, an online copy through SQLite's backup API (one
  consistent snapshot while the app keeps running), or `database.pgdump`, `pg_dump
  --format=custom`.

A backup is as sensitive as the database: it holds everyone's data. Encrypted columns stay
encrypted in it, and the keys that decrypt them are settings, not data: they are never in a
backup. Keep them apart (docs/deployment.md, "Backups and restore").

Putting a backup back replaces the whole database, then runs the restore hooks
(`upward.core.restore_hooks`) so that what must survive a restore (erasures made since the
backup was taken, above all) is applied again. `restore()` below runs those steps in order and
says, if a step fails, exactly what state the database is in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from upward.core import restore_hooks

FORMAT = "upward-backup"
FORMAT_VERSION = 1
METADATA_NAME = "upward-backup.json"
DATA_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CHUNK = 1024 * 1024

# Connection settings (DATABASES[...]["OPTIONS"]) that the PostgreSQL tools read from libpq's
# environment variables. The password goes the same way (PGPASSWORD): never on a command line,
# where other users of the machine could read it in the process list.
_PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}

SENSITIVE_NOTICE = (
    "This file is as sensitive as the database: it holds every person's data. Encrypted "
    "columns stay encrypted in it, but whoever also holds the keys can read them. The keys "
    "(ENCRYPTION_KEYS and the other secret settings) are NOT in this file: keep them in your "
    "secret store, never in the same place as the backups. Keep the file where only the "
    "people who run Upward can read it, and delete it when your retention period ends."
)


class BackupError(Exception):
    """A problem the operator must act on. The message says what happened and what to do."""


@dataclass(frozen=True)
class Metadata:
    taken_at: dt.datetime
    engine: str
    migrations: dict[str, str]
    upward_version: str
    data_name: str
    data_size: int
    data_sha256: str

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "taken_at": self.taken_at.isoformat(),
            "engine": self.engine,
            "migrations": dict(sorted(self.migrations.items())),
            "upward_version": self.upward_version,
            "data": {"name": self.data_name, "size": self.data_size, "sha256": self.data_sha256},
        }

    @classmethod
    def from_json(cls, raw: Any) -> Metadata:
        """Read metadata written by `to_json`; anything else is refused as not a backup."""
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise BackupError("This is not an Upward backup: its metadata is missing or foreign.")
        if raw.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"This backup uses format version {raw.get('format_version')!r}; this version "
                f"of Upward reads version {FORMAT_VERSION} only. Restore it with the Upward "
                "version that made it."
            )
        try:
            taken_at = dt.datetime.fromisoformat(raw["taken_at"])
            engine = raw["engine"]
            migrations = raw["migrations"]
            data = raw["data"]
            result = cls(
                taken_at=taken_at,
                engine=str(engine),
                migrations={str(k): str(v) for k, v in migrations.items()},
                upward_version=str(raw.get("upward_version", "unknown")),
                data_name=str(data["name"]),
                data_size=int(data["size"]),
                data_sha256=str(data["sha256"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BackupError("This backup's metadata is incomplete or damaged.") from exc
        if timezone.is_naive(result.taken_at):
            raise BackupError("This backup's metadata is damaged: its time has no time zone.")
        if result.engine not in DATA_NAMES or result.data_name != DATA_NAMES[result.engine]:
            raise BackupError(f"This backup's database engine ({result.engine!r}) is unknown.")
        return result


# ---------------------------------------------------------------------------------------------
# Facts about this deployment


def engine_of(conn: BaseDatabaseWrapper) -> str:
    if conn.vendor not in DATA_NAMES:
        raise BackupError(
            f"Backups support SQLite and PostgreSQL; this database is {conn.vendor}. Use the "
            "database's own backup tools."
        )
    return conn.vendor


def upward_version() -> str:
    try:
        return importlib_metadata.version("upward")
    except importlib_metadata.PackageNotFoundError:
        pass
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def latest_migrations(conn: BaseDatabaseWrapper) -> dict[str, str]:
    """The migration applied last, per app, as the database records it."""
    recorder = MigrationRecorder(conn)
    if not recorder.has_table():
        return {}
    latest: dict[str, str] = {}
    for app, name in recorder.migration_qs.order_by("id").values_list("app", "name"):
        latest[app] = name
    return latest


def _sqlite_latest_migrations(path: Path) -> dict[str, str]:
    """The same, read from a SQLite file (the copy itself, so it matches the data exactly)."""
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        found = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
        ).fetchone()
        if not found:
            return {}
        latest: dict[str, str] = {}
        for app, name in db.execute("SELECT app, name FROM django_migrations ORDER BY id"):
            latest[str(app)] = str(name)
        return latest
    finally:
        db.close()


@dataclass(frozen=True)
class SchemaCheck:
    """How a backup's schema compares with the code's migrations."""

    newer: list[str] = field(default_factory=list)  # "app.migration" the code does not know
    behind: list[str] = field(default_factory=list)  # apps the code has later migrations for

    @property
    def refused(self) -> bool:
        return bool(self.newer)


def code_migrations() -> tuple[set[tuple[str, str]], dict[str, set[str]]]:
    """Every migration the code has, and the latest ones (the graph's leaves) per app."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    leaves: dict[str, set[str]] = {}
    for app, name in loader.graph.leaf_nodes():
        leaves.setdefault(app, set()).add(name)
    return known, leaves


def compare_schema(
    backup: dict[str, str], known: set[tuple[str, str]], leaves: dict[str, set[str]]
) -> SchemaCheck:
    newer = sorted(f"{app}.{name}" for app, name in backup.items() if (app, name) not in known)
    behind = sorted(
        app
        for app, names in leaves.items()
        if backup.get(app) not in names and f"{app}.{backup.get(app)}" not in newer
    )
    return SchemaCheck(newer=newer, behind=behind)


def schema_check(meta: Metadata) -> SchemaCheck:
    known, leaves = code_migrations()
    return compare_schema(meta.migrations, known, leaves)


def table_counts(conn: BaseDatabaseWrapper) -> dict[str, int]:
    """Rows per table (tables only, sorted by name)."""
    qn = conn.ops.quote_name
    counts: dict[str, int] = {}
    with conn.cursor() as cursor:
        names = conn.introspection.table_names(cursor, include_views=False)
        for name in sorted(names):
            cursor.execute(f"SELECT COUNT(*) FROM {qn(name)}")  # noqa: S608 (a quoted table name)
            counts[name] = int(cursor.fetchone()[0])
    return counts


def default_path(now: dt.datetime, prefix: str = "upward-backup") -> Path:
    """BACKUP_DIR/<prefix>-<UTC time>.tar, names sorting by time (-2, -3 … within a second)."""
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(settings.BACKUP_DIR)
    path = folder / f"{prefix}-{stamp}.tar"
    number = 1
    while path.exists():
        number += 1
        path = folder / f"{prefix}-{stamp}-{number}.tar"
    return path


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# PostgreSQL client tools


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools (the same major "
            "version as the server, or newer) and try again."
        )
    return found


def _pg_connection(conn: BaseDatabaseWrapper) -> tuple[list[str], dict[str, str]]:
    """Command-line arguments and environment for pg_dump/pg_restore from DATABASES."""
    params = conn.settings_dict
    args = ["--no-password"]
    if params.get("HOST"):
        args.append(f"--host={params['HOST']}")
    if params.get("PORT"):
        args.append(f"--port={params['PORT']}")
    if params.get("USER"):
        args.append(f"--username={params['USER']}")
    args.append(f"--dbname={params['NAME']}")
    environment = dict(os.environ)
    if params.get("PASSWORD"):
        environment["PGPASSWORD"] = str(params["PASSWORD"])
    for option, variable in _PG_OPTION_ENV.items():
        value = (params.get("OPTIONS") or {}).get(option)
        if value:
            environment[variable] = str(value)
    return args, environment


def _run_pg(command: list[str], environment: dict[str, str], what: str) -> None:
    result = subprocess.run(  # noqa: S603 (a fixed tool and our own arguments; no shell)
        command, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        # Error details from the server may quote row values ("DETAIL: Key (email)=..."):
        # those lines are left out.
        lines = [
            line
            for line in result.stderr.strip().splitlines()
            if "DETAIL" not in line and "Key (" not in line
        ]
        said = "\n".join(lines[-8:]) or "(no message)"
        raise BackupError(f"{what} failed (exit code {result.returncode}):\n{said}")


# ---------------------------------------------------------------------------------------------
# Taking a backup


def _dump(conn: BaseDatabaseWrapper, engine: str, dest: Path) -> dict[str, str]:
    """Copy the database to `dest`; return its latest migrations per app."""
    if engine == "sqlite":
        conn.ensure_connection()
        live = conn.connection
        target = sqlite3.connect(dest)
        try:
            # One step (pages=-1): a single consistent snapshot, while other connections keep
            # reading and, in WAL mode, writing.
            live.backup(target)
            # A self-contained file: no -wal beside it.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
        return _sqlite_latest_migrations(dest)
    migrations = latest_migrations(conn)
    args, environment = _pg_connection(conn)
    _run_pg(
        [_pg_tool("pg_dump"), "--format=custom", f"--file={dest}", *args], environment, "pg_dump"
    )
    return migrations


def create_backup(
    conn: BaseDatabaseWrapper, output: Path | None = None, *, prefix: str = "upward-backup"
) -> tuple[Path, Metadata]:
    """Write a backup of `conn`'s database to `output` (default: a new file in BACKUP_DIR)."""
    engine = engine_of(conn)
    taken_at = timezone.now()
    path = Path(output) if output else default_path(taken_at, prefix)
    if path.exists():
        raise BackupError(f"{path} already exists; a backup never overwrites a file.")
    if output is None:
        _private_dir(path.parent)
    elif not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".upward-backup-") as work:
        data = Path(work) / DATA_NAMES[engine]
        migrations = _dump(conn, engine, data)
        meta = Metadata(
            taken_at=taken_at,
            engine=engine,
            migrations=migrations,
            upward_version=upward_version(),
            data_name=data.name,
            data_size=data.stat().st_size,
            data_sha256=_sha256(data),
        )
        meta_file = Path(work) / METADATA_NAME
        meta_file.write_text(json.dumps(meta.to_json(), indent=2) + "\n", encoding="utf-8")
        # Created here with owner-only permissions, never overwriting, then filled.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w") as tar:
                tar.add(meta_file, arcname=METADATA_NAME)
                tar.add(data, arcname=data.name)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    return path, meta


# ---------------------------------------------------------------------------------------------
# Reading a backup


@contextmanager
def opened_backup(
    path: Path, check: Callable[[Metadata], Any] | None = None
) -> Iterator[tuple[Metadata, Path]]:
    """Check a backup file and extract its database to a private temporary folder.

    Yields the metadata and the extracted database; raises BackupError for a missing, damaged
    or foreign file. `check` sees the metadata before the database is extracted, to refuse a
    backup early. The extracted copy, in BACKUP_DIR, is deleted on leaving."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    try:
        tar = tarfile.open(path, mode="r:")  # noqa: SIM115 (closed by the `with` below)
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{path} is not an Upward backup, or it is damaged.") from exc
    # Extracted into BACKUP_DIR (owner-only, and sized for backups), never a shared /tmp.
    scratch = _private_dir(Path(settings.BACKUP_DIR))
    with tar, tempfile.TemporaryDirectory(dir=scratch, prefix=".upward-restore-") as work:
        try:
            members = {member.name: member for member in tar.getmembers()}
            meta_member = members.get(METADATA_NAME)
            if meta_member is None or not meta_member.isfile():
                raise BackupError(f"{path} is not an Upward backup: it has no {METADATA_NAME}.")
            meta_handle = tar.extractfile(meta_member)
            if meta_handle is None:
                raise BackupError(f"{path} is damaged: its metadata cannot be read.")
            try:
                raw = json.loads(meta_handle.read(1024 * 1024).decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise BackupError(f"{path} is damaged: its metadata is not readable.") from exc
            meta = Metadata.from_json(raw)
            if check is not None:
                check(meta)
            data_member = members.get(meta.data_name)
            data_handle = tar.extractfile(data_member) if data_member is not None else None
            if data_member is None or not data_member.isfile() or data_handle is None:
                raise BackupError(f"{path} is damaged: the database is missing from it.")
            # Copied by hand, never tar.extract(): a member's name cannot choose where it goes.
            data = Path(work) / DATA_NAMES[meta.engine]
            digest = hashlib.sha256()
            with open(data, "wb") as out:
                while chunk := data_handle.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"{path} is damaged: it cannot be read to the end.") from exc
        if data.stat().st_size != meta.data_size or digest.hexdigest() != meta.data_sha256:
            raise BackupError(
                f"{path} is damaged: its database does not match the checksum taken when it "
                "was made. Use another backup."
            )
        _check_database_file(meta.engine, data, path)
        yield meta, data


def _check_database_file(engine: str, data: Path, path: Path) -> None:
    if engine == "sqlite":
        try:
            db = sqlite3.connect(f"{data.resolve().as_uri()}?mode=ro", uri=True)
            try:
                (result,) = db.execute("PRAGMA quick_check").fetchone()
            finally:
                db.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path} is damaged: its database cannot be opened.") from exc
        if result != "ok":
            raise BackupError(f"{path} is damaged: SQLite's check of its database failed.")
    else:
        try:
            _run_pg([_pg_tool("pg_restore"), "--list", str(data)], dict(os.environ), "It")
        except BackupError as exc:
            raise BackupError(
                f"{path} is damaged: pg_restore cannot read its database. {exc}"
            ) from exc


def check_restorable(conn: BaseDatabaseWrapper, meta: Metadata) -> SchemaCheck:
    """Refuse a backup from another engine or from a newer schema than the code."""
    engine = engine_of(conn)
    if meta.engine != engine:
        raise BackupError(
            f"This backup is of a {ENGINE_LABELS[meta.engine]} database, and this deployment "
            f"uses {ENGINE_LABELS[engine]}. Restore it into a {ENGINE_LABELS[meta.engine]} "
            "deployment (moving between engines is not a restore)."
        )
    check = schema_check(meta)
    if check.refused:
        raise BackupError(
            "This backup was made by a newer version of Upward than this one: its schema has "
            f"migrations this code does not know ({', '.join(check.newer[:5])}"
            f"{', …' if len(check.newer) > 5 else ''}). Upgrade Upward to version "
            f"{meta.upward_version} or later, then restore."
        )
    return check


# ---------------------------------------------------------------------------------------------
# Putting a backup back


def _replace(conn: BaseDatabaseWrapper, meta: Metadata, data: Path) -> None:
    """Replace the whole live database with `data`, in one transaction: all or nothing."""
    if meta.engine == "sqlite":
        conn.ensure_connection()
        live = conn.connection
        if live.in_transaction:
            raise BackupError("The connection to the live database is inside a transaction.")
        source = sqlite3.connect(f"{data.resolve().as_uri()}?mode=ro", uri=True)
        try:
            # Through the live connection, into the live file: other connections see the
            # restored data at once, and a failure leaves the live file as it was.
            source.backup(live)
        finally:
            source.close()
        return
    # Our own connection must hold no locks while pg_restore drops the tables.
    conn.close()
    args, environment = _pg_connection(conn)
    _run_pg(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            # All or nothing: on any error the transaction is rolled back.
            "--single-transaction",
            "--exit-on-error",
            *args,
            str(data),
        ],
        environment,
        "pg_restore",
    )


@dataclass
class RestoreResult:
    meta: Metadata
    schema: SchemaCheck
    safety_copy: Path | None = None
    hook_lines: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _failure_name(exc: BaseException) -> str:
    # The type only: a message could quote personal data. --traceback shows the rest.
    return type(exc).__name__


def restore(
    conn: BaseDatabaseWrapper,
    path: Path,
    *,
    for_real: bool,
    say: Callable[[str], None],
) -> RestoreResult:
    """Check `path`, and with `for_real` put it back in place of the live database.

    The steps, in order: check the file; take a safety copy of the live database (into
    BACKUP_DIR); every hook's `before()` on the live database; replace the database; every
    hook's `after(state, taken_at)`; count the rows. Each failure raises BackupError naming
    the state the database is in."""
    with opened_backup(path, check=lambda meta: check_restorable(conn, meta)) as (meta, data):
        schema = check_restorable(conn, meta)
        result = RestoreResult(meta=meta, schema=schema)
        hooks = restore_hooks.hooks()
        say(
            f"Backup taken at {meta.taken_at.isoformat(timespec='seconds')} of a "
            f"{ENGINE_LABELS[meta.engine]} database by Upward {meta.upward_version}; the "
            "file is complete and its checksum matches."
        )
        if schema.behind:
            say(
                "Its schema is older than this code for: "
                f"{', '.join(schema.behind)}. Run `manage.py migrate` after restoring."
            )
        else:
            say("Its schema matches this code.")
        hook_names = ", ".join(hook.name for hook in hooks) or "none registered"
        if not for_real:
            say("Dry run: nothing was changed. With --for-real, restore would:")
            say(f"  1. save a copy of the live database in {settings.BACKUP_DIR};")
            say(f"  2. run each restore hook's first step on the live database ({hook_names});")
            say(f"  3. replace the whole live database ({_describe(conn)}) with the backup;")
            say("  4. run each hook's second step (re-applying, say, erasures made since);")
            say("  5. report the rows per table.")
            return result

        try:
            safety, _meta = create_backup(conn, prefix="upward-before-restore")
        except BackupError as exc:
            raise BackupError(
                f"Could not save a copy of the live database first, so nothing was changed: {exc}"
            ) from exc
        result.safety_copy = safety
        say(f"Saved the live database as it was in {safety}.")

        states: list[tuple[restore_hooks.RestoreHook, Any]] = []
        for hook in hooks:
            try:
                states.append((hook, hook.before()))
            except Exception as exc:
                raise BackupError(
                    f"Restore hook {hook.name!r} failed in its first step "
                    f"({_failure_name(exc)}). Nothing was changed: the live database is as it "
                    "was."
                ) from exc

        try:
            _replace(conn, meta, data)
        except Exception as exc:
            detail = str(exc) if isinstance(exc, BackupError) else _failure_name(exc)
            raise BackupError(
                f"Replacing the database failed: {detail}\nThe replacement runs as one "
                "transaction, so the live database should be as it was; if in doubt, put back "
                f"the copy saved before this restore: manage.py restore {safety} --for-real"
            ) from exc
        _forget_cached_rows()
        say(
            "Replaced the live database with the backup taken at "
            f"{meta.taken_at.isoformat(timespec='seconds')}."
        )

        failed: list[str] = []
        for hook, state in states:
            try:
                with transaction.atomic(using=conn.alias):
                    lines = hook.after(state, meta.taken_at)
            except Exception as exc:
                failed.append(f"{hook.name} ({_failure_name(exc)})")
                continue
            result.hook_lines.extend(f"{hook.name}: {line}" for line in lines)
        for line in result.hook_lines:
            say(line)
        # The restored log ends where the backup was taken: say in it that a restore happened
        # (entries written after the backup are gone with the rest of that data).
        from upward.core import audit

        with transaction.atomic(using=conn.alias):
            audit.record_ref(
                "backup.restored",
                "core.backup",
                "",
                organisation=None,
                data={
                    "taken_at": meta.taken_at.isoformat(timespec="seconds"),
                    "hooks_failed": len(failed),
                },
            )
        if failed:
            raise BackupError(
                "The database now holds the backup taken at "
                f"{meta.taken_at.isoformat(timespec='seconds')}, but these restore hooks "
                f"failed: {', '.join(failed)}. What they re-apply after a restore (erasures "
                "made since the backup, for example) is NOT in place, and each failed hook "
                "changed nothing. Keep Upward closed to its users. Fix the cause and put back "
                f"the copy saved before this restore (manage.py restore {safety} --for-real), "
                "then restore this backup again."
            )
        result.counts = table_counts(conn)
        return result


def _describe(conn: BaseDatabaseWrapper) -> str:
    name = str(conn.settings_dict.get("NAME") or "")
    if conn.vendor == "postgresql":
        host = conn.settings_dict.get("HOST") or "local socket"
        return f"PostgreSQL database {name} on {host}"
    return f"SQLite file {name}"


def _forget_cached_rows() -> None:
    """Drop what this process cached from the old database (content types)."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()

"""Back up the database to one file (docs/deployment.md, "Backups and restore").

    manage.py backup                      a new file in BACKUP_DIR, named by the time (UTC)
    manage.py backup --output PATH        that file instead (never overwritten)

SQLite: an online copy through SQLite's backup API, consistent while Upward keeps running.
PostgreSQL: pg_dump --format=custom, with the connection from DATABASES (the password reaches
pg_dump through its environment, never its command line). Check a file with
`manage.py restore PATH` (a dry run).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from upward.core import backup


class Command(BaseCommand):
    help = "Back up the database to one file (as sensitive as the database itself)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="Where to write the backup (default: a new file in BACKUP_DIR).",
        )

    def handle(self, *args: Any, output: Path | None = None, **options: Any) -> None:
        try:
            path, meta = backup.create_backup(connection, output)
        except backup.BackupError as exc:
            raise CommandError(f"No backup was made. {exc}") from exc
        size_mb = path.stat().st_size / (1024 * 1024)
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the {backup.ENGINE_LABELS[meta.engine]} database to {path} "
                f"({size_mb:.1f} MB, taken at {meta.taken_at.isoformat(timespec='seconds')})."
            )
        )
        self.stdout.write(backup.SENSITIVE_NOTICE)

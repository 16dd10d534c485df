"""Put a backup made by `manage.py backup` back in place of the database.

    manage.py restore PATH                a dry run: checks the file and says what would happen
    manage.py restore PATH --for-real     replaces the whole database with the backup

Stop the web and worker processes first, and start them again afterwards. With --for-real it
saves a copy of the live database in BACKUP_DIR, runs each restore hook's first step on the
live database, replaces the database (SQLite: through the backup API into the live file;
PostgreSQL: pg_restore --clean --if-exists --no-owner in one transaction), runs each hook's
second step (which re-applies, for example, erasures made after the backup was taken), then
prints the hooks' report and the rows per table. If a step fails it says what state the
database is in. See docs/deployment.md, "Backups and restore".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from upward.core import backup


class Command(BaseCommand):
    help = "Check a backup (dry run) or, with --for-real, restore it in place of the database."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path, help="A file made by `manage.py backup`.")
        parser.add_argument(
            "--for-real",
            action="store_true",
            help="Replace the database. Without it, only check the file and say what would happen.",
        )

    def handle(self, *args: Any, path: Path, for_real: bool = False, **options: Any) -> None:
        try:
            result = backup.restore(connection, path, for_real=for_real, say=self.stdout.write)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not for_real:
            return
        self.stdout.write("Rows per table after the restore:")
        for table, count in result.counts.items():
            self.stdout.write(f"  {table}: {count}")
        self.stdout.write(
            self.style.SUCCESS(
                "Restored the backup taken at "
                f"{result.meta.taken_at.isoformat(timespec='seconds')}. Start Upward again."
            )
        )
        if result.schema.behind:
            self.stdout.write(
                self.style.WARNING("Run `manage.py migrate` before starting Upward again.")
            )

"""Remove what has outlived each organisation's retention rules (docs/privacy.md).

`run_scheduled` runs this too; on its own: `python manage.py apply_retention [--dry-run]`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from upward.privacy.retention import BY_KEY, apply_retention


class Command(BaseCommand):
    help = "Remove data older than each organisation's retention rules; report counts only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be removed, change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        counts = apply_retention(dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        for key, count in counts.items():
            self.stdout.write(f"{key} ({BY_KEY[key].label}): {verb} {count}")

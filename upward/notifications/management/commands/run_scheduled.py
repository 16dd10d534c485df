"""Run every app's due work once: reminders, then the weekly summary emails.

Put one line in cron, e.g. hourly: `python manage.py run_scheduled`. Safe to repeat: each job
records what it sent and never sends it twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from upward.notifications.scheduled import run_scheduled


class Command(BaseCommand):
    help = (
        "Send due reminders (pairing proposals, meetings, booking nudges, and surveys, safety "
        "check-ins and commitments where those apps provide them), then the weekly summary "
        "emails. Idempotent: run it from cron as often as you like."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be sent, change nothing; jobs that cannot preview are skipped.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        results = run_scheduled(dry_run=options["dry_run"])
        for result in results:
            counts = ", ".join(f"{key} {value}" for key, value in result.counts.items())
            line = f"{result.name}: {result.status}"
            if counts:
                line += f" ({counts})"
            if result.detail:
                line += f" - {result.detail}"
            self.stdout.write(self.style.ERROR(line) if result.status == "failed" else line)
        failed = [r.name for r in results if r.status == "failed"]
        if failed:
            raise CommandError(f"{len(failed)} job(s) failed: {', '.join(failed)}")

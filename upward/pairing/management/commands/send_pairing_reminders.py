"""Remind people once about unanswered pairing proposals, and let overdue ones expire.

Run it from cron, e.g. every hour: `python manage.py send_pairing_reminders`. Safe to run as
often as you like: each reminder is recorded on the pairing and never sent twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from upward.pairing.services import send_pairing_reminders


class Command(BaseCommand):
    help = (
        "Send one reminder per unanswered pairing proposal two days before its deadline, and "
        "mark mentor proposals past their deadline as expired (their mentee is matched again). "
        "Also reminds choosers who have not ranked yet and closes choice rounds past their "
        "deadline (their choices become a proposal to review). "
        "Idempotent: run it from cron as often as you like."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count what would be sent and expired; change nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        report = send_pairing_reminders(dry_run=dry_run)
        prefix = "Would have: " if dry_run else ""
        self.stdout.write(
            f"{prefix}reminded {report.reminded_mentors} mentor(s) and "
            f"{report.reminded_mentees} mentee(s); expired {report.expired} proposal(s); "
            f"reminded {report.reminded_choosers} chooser(s); closed {report.rounds_closed} "
            "choice round(s)."
        )
        if report.overdue_mentees:
            self.stdout.write(
                self.style.WARNING(
                    f"{report.overdue_mentees} mentee confirmation(s) are past their deadline; "
                    "the programme teams see them on their pairings page."
                )
            )

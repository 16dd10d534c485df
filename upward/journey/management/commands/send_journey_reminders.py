"""Meeting reminders the day before, and "time to book" nudges to the organiser.

Run it from cron every hour: `python manage.py send_journey_reminders`. Safe to repeat: each
reminder is recorded on its meeting, and nudges go at most once a fortnight per pair.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from upward.journey.services import send_journey_reminders


class Command(BaseCommand):
    help = (
        "Email both people the day before a meeting, and nudge the organiser of a pair that is "
        "due to meet but has nothing booked. Idempotent: run it from cron every hour."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_journey_reminders()
        self.stdout.write(
            f"Sent {sent['meeting']} meeting reminder(s) and {sent['booking']} booking nudge(s)."
        )

"""Reminders pause for someone who marked themselves away (organisations' unavailability)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from upward.journey import services
from upward.journey.tests.conftest import NOW
from upward.journey.tests.helpers import book
from upward.organisations import services as directory

pytestmark = pytest.mark.django_db


def _away(person, days: int = 5) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    directory.set_unavailability(
        person, by=None, starts_on=today, ends_on=today + dt.timedelta(days=days)
    )


def test_the_day_before_reminder_skips_whoever_is_away(
    pairs, clock, django_capture_on_commit_callbacks
):
    meeting = book(pairs, days=2)
    mail.outbox.clear()
    clock.move_to(meeting.starts_at - dt.timedelta(hours=20))
    _away(pairs.mentor)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_journey_reminders()["meeting"] == 1
    reminders = [m for m in mail.outbox if "Tomorrow" in m.subject]
    assert [m.to[0] for m in reminders] == [pairs.mentee.email]


def test_the_booking_nudge_waits_while_either_is_away(
    pairs, clock, django_capture_on_commit_callbacks
):
    clock.move_to(NOW + dt.timedelta(days=30))
    _away(pairs.mentor)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_journey_reminders()["booking"] == 1  # the other pair only
    assert [m.to[0] for m in mail.outbox] == [pairs.other_mentee.email]
    # Back again (the period is over): the nudge goes.
    clock.move_to(NOW + dt.timedelta(days=37))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_journey_reminders()["booking"] == 1
    assert [m.to[0] for m in mail.outbox] == [pairs.mentee.email]

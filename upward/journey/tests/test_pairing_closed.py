"""A pairing that is over takes its future meetings with it (pairing_closed → journey)."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes

import pytest
from django.core import mail

from upward.core.errors import Conflict
from upward.core.models import AuditEvent
from upward.journey.models import Meeting, MeetingStatus
from upward.journey.tests.conftest import NOW
from upward.journey.tests.factories import active_pairing
from upward.journey.tests.helpers import book
from upward.pairing import services as pairing_services
from upward.safety import services as safety_services
from upward.testing.factories import level, person_with_account

pytestmark = pytest.mark.django_db


def _calendar_methods(messages) -> list[str]:  # type: ignore[no-untyped-def]
    methods = []
    for message in messages:
        parsed = message_from_bytes(message.message().as_bytes())
        for part in parsed.walk():
            if part.get_content_type() == "text/calendar":
                assert b"METHOD:CANCEL" in part.get_payload(decode=True)
                methods.append(str(part.get_param("method")))
    return methods


def test_ending_a_pairing_cancels_its_future_meetings_and_keeps_past_ones(
    pairs, world, clock, django_capture_on_commit_callbacks
):
    past = book(pairs, days=2)
    future = book(pairs, days=12)
    clock.move_to(NOW + dt.timedelta(days=5))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        pairing_services.end_pairing(pairs.pairing, by=world.manager.user, reason="Moved team.")
    past.refresh_from_db()
    future.refresh_from_db()
    assert past.status == MeetingStatus.SCHEDULED  # Still there to be recorded.
    assert future.status == MeetingStatus.CANCELLED and future.sequence == 1
    assert future.cancelled_at is not None
    cancellations = [m for m in mail.outbox if m.subject.startswith("[Upward] Cancelled")]
    assert sorted(m.to[0] for m in cancellations) == sorted(
        [pairs.mentor.email, pairs.mentee.email]
    )
    assert _calendar_methods(cancellations) == ["CANCEL", "CANCEL"]
    assert "has ended, so this meeting" in cancellations[0].body
    entry = AuditEvent.objects.get(verb="journey.meeting_cancelled", object_id=str(future.pk))
    assert entry.actor == world.manager.user
    assert entry.data["because"] == "pairing_ended"
    assert not AuditEvent.objects.filter(
        verb="journey.meeting_cancelled", object_id=str(past.pk)
    ).exists()


def test_leaving_through_the_safety_app_cancels_future_meetings(pairs, world):
    meeting = book(pairs, days=4)
    other = book(pairs, pairing=pairs.other, person=pairs.other_mentee, days=4)
    safety_services.leave_pairing(
        pairs.pairing, person=pairs.mentor, by=pairs.mentor.user, reason="Too busy"
    )
    meeting.refresh_from_db()
    other.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert other.status == MeetingStatus.SCHEDULED  # Another pair's meeting is untouched.


def test_completing_a_pairing_early_cancels_what_is_still_booked(pairs, world):
    meeting = book(pairs, days=4)
    pairing_services.complete_pairing(pairs.pairing, by=world.manager.user)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED


def test_a_cancelled_meeting_no_longer_blocks_the_slot_for_the_next_pairing(pairs, world):
    book(pairs, days=4, hour=10)
    pairing_services.end_pairing(pairs.pairing, by=world.manager.user, reason="Moved team.")
    new_mentor = person_with_account(
        organisation=world.org, full_name="Nia New", level=level(world.org, 2)
    )
    again = active_pairing(world.programme, mentor=new_mentor, mentee=pairs.mentee)
    meeting = book(pairs, pairing=again, days=4, hour=10)
    assert meeting.status == MeetingStatus.SCHEDULED
    assert Meeting.objects.filter(status=MeetingStatus.SCHEDULED).count() == 1


def test_a_live_pairings_meeting_still_blocks_the_slot(pairs, world):
    # The other side of the rule above: only a closed pairing's meetings free the slot. (A
    # live pairing of the same senior can only be in another programme.)
    book(pairs, days=4, hour=10)
    new_mentor = person_with_account(
        organisation=world.org, full_name="Nia New", level=level(world.org, 2)
    )
    again = active_pairing(world.other_programme, mentor=new_mentor, mentee=pairs.mentee)
    with pytest.raises(Conflict, match="already has another mentoring meeting"):
        book(pairs, pairing=again, days=4, hour=10)

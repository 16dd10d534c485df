"""Booking rules: who organises, no double-booking, valid times, agenda carry-over, records."""

from __future__ import annotations

import datetime as dt

import pytest

from upward.core.errors import Conflict, DomainError, InvalidTransition
from upward.core.models import AuditEvent
from upward.journey import selectors, services
from upward.journey.models import Meeting, MeetingStatus
from upward.journey.tests.conftest import NOW
from upward.journey.tests.factories import active_pairing
from upward.journey.tests.helpers import book, sessions

pytestmark = pytest.mark.django_db


def test_the_senior_mentee_organises_by_default(pairs):
    assert pairs.pairing.programme.scheduling_policy == "mentee"
    assert selectors.organisers(pairs.pairing) == [pairs.mentee]
    meeting = book(pairs)
    assert meeting.organiser == pairs.mentee
    assert AuditEvent.objects.filter(verb="journey.meeting_booked", object_id=str(meeting.pk))


def test_junior_cannot_book_when_policy_is_mentee(pairs):
    with pytest.raises(DomainError, match="Sam Senior books"):
        book(pairs, person=pairs.mentor)
    assert not Meeting.objects.exists()


def test_either_policy_lets_both_book_and_change(pairs):
    programme = pairs.pairing.programme
    programme.scheduling_policy = "either"
    programme.save(update_fields=["scheduling_policy"])
    first = book(pairs, person=pairs.mentor)
    second = book(pairs, person=pairs.mentee, days=10)
    assert first.organiser == pairs.mentor and second.organiser == pairs.mentee
    services.cancel_meeting(first, person=pairs.mentee, by=None)


def test_mentor_policy_stops_the_mentee(pairs):
    programme = pairs.pairing.programme
    programme.scheduling_policy = "mentor"
    programme.save(update_fields=["scheduling_policy"])
    with pytest.raises(DomainError, match="In this programme Jess Junior books and changes"):
        book(pairs, person=pairs.mentee)
    assert book(pairs, person=pairs.mentor).organiser == pairs.mentor


def test_only_organiser_reschedules_or_cancels(pairs):
    meeting = book(pairs)
    with pytest.raises(DomainError, match="In this programme Sam Senior books and changes"):
        services.cancel_meeting(meeting, person=pairs.mentor, by=None)
    with pytest.raises(DomainError, match="In this programme Sam Senior books and changes"):
        services.reschedule_meeting(
            meeting,
            person=pairs.mentor,
            starts_at=meeting.starts_at + dt.timedelta(hours=2),
            duration_minutes=60,
            by=None,
        )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.sequence == 0


def test_outsider_to_the_pair_cannot_book(pairs):
    with pytest.raises(DomainError, match="Only the two people in this pairing can do that"):
        book(pairs, person=pairs.other.mentee)


def test_pair_cannot_double_book_themselves(pairs):
    book(pairs, hour=10)
    with pytest.raises(Conflict, match="already have a meeting"):
        book(pairs, hour=10, step=None, duration_minutes=30)
    # Touching the end is fine: 11:00 starts as the first meeting ends.
    book(pairs, hour=11, step=None)
    assert Meeting.objects.count() == 2


def test_double_booking_checked_across_pairings(pairs, world):
    # The mentor also mentors someone in another programme.
    third = active_pairing(world.other_programme, mentor=pairs.mentor, mentee=pairs.other_mentee)
    book(pairs, hour=14)
    with pytest.raises(Conflict, match="another mentoring meeting"):
        services.book_meeting(
            third,
            person=pairs.other_mentee,
            starts_at=NOW.replace(hour=14, minute=30) + dt.timedelta(days=3),
            duration_minutes=60,
            by=None,
        )


def test_cancelled_meeting_frees_the_slot(pairs):
    meeting = book(pairs, hour=10)
    services.cancel_meeting(meeting, person=pairs.mentee, by=None)
    book(pairs, hour=10, step=None)


def test_reschedule_onto_itself_is_not_a_clash(pairs):
    meeting = book(pairs, hour=10)
    services.reschedule_meeting(
        meeting,
        person=pairs.mentee,
        starts_at=meeting.starts_at + dt.timedelta(minutes=30),
        duration_minutes=60,
        step=meeting.step,
        by=None,
    )
    meeting.refresh_from_db()
    assert meeting.sequence == 1


@pytest.mark.parametrize(
    ("starts", "minutes", "field"),
    [
        (NOW - dt.timedelta(hours=1), 60, "date"),
        (NOW + dt.timedelta(days=1), 10, "duration_minutes"),
        (NOW + dt.timedelta(days=1), 241, "duration_minutes"),
    ],
)
def test_bad_times_are_refused_with_a_field(pairs, starts, minutes, field):
    with pytest.raises(DomainError) as info:
        services.book_meeting(
            pairs.pairing, person=pairs.mentee, starts_at=starts, duration_minutes=minutes, by=None
        )
    assert info.value.field == field


def test_unknown_time_zone_is_refused(pairs):
    with pytest.raises(DomainError, match="is not a known time zone") as info:
        book(pairs, time_zone="Mars/Olympus")
    assert info.value.field == "time_zone"


def test_time_that_does_not_exist_is_refused():
    # 01:30 on 28 March 2027 never happens in London: the clocks go forward at 01:00.
    with pytest.raises(DomainError, match="clocks change"):
        services.local_datetime(dt.date(2027, 3, 28), dt.time(1, 30), "Europe/London")
    aware = services.local_datetime(dt.date(2027, 3, 28), dt.time(9, 0), "Europe/London")
    assert aware.utcoffset() == dt.timedelta(hours=1)


def test_kickoff_steps_are_not_pair_meetings(pairs):
    kickoff = pairs.version.steps.get(kind="mentor_kickoff")
    with pytest.raises(DomainError, match="programme events"):
        book(pairs, step=kickoff)


def test_agenda_comes_from_the_step(pairs):
    meeting = book(pairs)
    assert meeting.step is not None
    expected = list(meeting.step.agenda_items.values_list("text", flat=True))
    assert list(meeting.agenda.values_list("text", flat=True)) == expected
    assert len(expected) >= 5


def test_unfinished_items_carry_over_to_the_next_meeting(pairs, clock):
    first_step, second_step = sessions(pairs.version)[:2]
    first = book(pairs, days=1, step=first_step)
    items = list(first.agenda.order_by("position"))
    for item in items[:2]:
        services.toggle_agenda_item(item, person=pairs.mentor, by=None)
    second = book(pairs, days=14, step=second_step)
    assert not second.agenda.filter(carried_from__isnull=False).exists()  # not over yet

    clock.move_to(first.ends_at + dt.timedelta(minutes=5))
    services.mark_meeting(first, person=pairs.mentor, held=True, actual_minutes=55, by=None)
    carried = list(second.agenda.filter(carried_from__isnull=False).order_by("position"))
    assert [c.text for c in carried] == [i.text for i in items[2:]]
    assert all(c.done_at is None for c in carried)
    # Step items come first, carried ones after.
    assert second.agenda.order_by("position")[0].carried_from is None

    # Marking again does not copy twice.
    services.mark_meeting(first, person=pairs.mentee, held=True, actual_minutes=60, by=None)
    assert second.agenda.filter(carried_from__isnull=False).count() == len(carried)


def test_cancelled_meeting_items_carry_to_the_next_booking(pairs):
    first = book(pairs, days=1)
    services.cancel_meeting(first, person=pairs.mentee, by=None)
    second = book(pairs, days=5, step=None)
    texts = set(second.agenda.values_list("text", flat=True))
    assert texts == set(first.agenda.values_list("text", flat=True))


def test_mark_held_or_missed_only_after_start(pairs, clock):
    # Changed with issue 13: each person records their own account, and the record counts
    # the lower figure until both agree (see test_meeting_records.py).
    meeting = book(pairs, days=1)
    with pytest.raises(DomainError, match="once its start time"):
        services.mark_meeting(meeting, person=pairs.mentee, held=True, actual_minutes=60, by=None)
    clock.move_to(meeting.starts_at + dt.timedelta(minutes=1))
    with pytest.raises(DomainError, match="Say how many minutes you met, between 1 and 180"):
        services.mark_meeting(meeting, person=pairs.mentee, held=True, actual_minutes=None, by=None)
    services.mark_meeting(meeting, person=pairs.mentee, held=False, actual_minutes=None, by=None)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MISSED and meeting.actual_minutes is None
    services.mark_meeting(meeting, person=pairs.mentor, held=True, actual_minutes=50, by=None)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MISSED and meeting.is_disputed
    services.mark_meeting(meeting, person=pairs.mentee, held=True, actual_minutes=50, by=None)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.actual_minutes == 50
    assert meeting.is_settled
    with pytest.raises(InvalidTransition, match="Only a booked meeting can be cancelled"):
        services.cancel_meeting(meeting, person=pairs.mentee, by=None)


def test_finished_pairing_cannot_book(pairs):
    pairs.pairing.state = "completed"
    pairs.pairing.save(update_fields=["state"])
    with pytest.raises(InvalidTransition, match="This pairing has finished, so nothing more can"):
        book(pairs)


def test_first_booking_pins_the_programme_journey(pairs):
    from upward.journey.models import ProgrammeJourney

    assert not ProgrammeJourney.objects.exists()
    book(pairs)
    pj = ProgrammeJourney.objects.get(programme=pairs.pairing.programme)
    assert pj.version == pairs.version
    assert pj.meetings_per_month == 1 and pj.minutes_per_meeting == 60


def test_booking_reminders_go_to_the_organiser_only(
    pairs, clock, django_capture_on_commit_callbacks
):
    from django.core import mail

    clock.move_to(NOW + dt.timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_journey_reminders()
    assert sent["booking"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [pairs.mentee.email, pairs.other_mentee.email]
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_journey_reminders()["booking"] == 0  # not again within a fortnight


def test_day_before_reminder_to_both(pairs, clock, django_capture_on_commit_callbacks):
    from django.core import mail

    meeting = book(pairs, days=2)
    mail.outbox.clear()
    clock.move_to(meeting.starts_at - dt.timedelta(hours=20))
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_journey_reminders()
    assert sent["meeting"] == 1
    reminders = [m for m in mail.outbox if "Tomorrow" in m.subject]
    assert sorted(m.to[0] for m in reminders) == sorted([pairs.mentee.email, pairs.mentor.email])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_journey_reminders()["meeting"] == 0

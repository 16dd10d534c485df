"""Issue 13, meetings: logging a past meeting, each person's own account, settling, changes that
need both, the lock when a pairing ends, and the mentor's check-in never blocked by a mark."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from upward.core.errors import Conflict, DomainError, InvalidTransition
from upward.core.models import AuditEvent
from upward.impact.selectors import mentor_time
from upward.journey import services
from upward.journey.models import Meeting, MeetingStatus
from upward.journey.tests.conftest import NOW
from upward.journey.tests.helpers import book
from upward.safety import selectors as safety_selectors
from upward.safety import services as safety_services

pytestmark = pytest.mark.django_db

# NOW is Mon 1 Feb 2027 09:00 UTC; the pairs became active ten days earlier (22 Jan).
YESTERDAY_10 = dt.datetime(2027, 1, 31, 10, 0, tzinfo=dt.UTC)


def log(pairs, *, person=None, starts_at=YESTERDAY_10, minutes=45, pairing=None):
    return services.log_past_meeting(
        pairing or pairs.pairing,
        person=person or pairs.mentor,
        starts_at=starts_at,
        duration_minutes=minutes,
        time_zone="Europe/London",
        by=None,
    )


def held_meeting(pairs, clock, *, minutes=60):
    """A booked meeting whose start has passed."""
    meeting = book(pairs, days=1, duration_minutes=minutes)
    clock.move_to(meeting.ends_at + dt.timedelta(minutes=5))
    return meeting


def mark(meeting, person, held=True, minutes=60):
    services.mark_meeting(meeting, person=person, held=held, actual_minutes=minutes, by=None)
    meeting.refresh_from_db()
    return meeting


# ---------------------------------------------------------------------------------------------
# Logging a past meeting


def test_either_person_logs_a_past_meeting_as_held_without_an_invitation(
    pairs, django_capture_on_commit_callbacks
):
    # The programme lets only the senior book, but either person may log what happened.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        meeting = log(pairs, person=pairs.mentor, minutes=45)
    assert meeting.status == MeetingStatus.HELD and meeting.actual_minutes == 45
    assert meeting.is_logged and meeting.duration_minutes == 45
    assert (meeting.mentor_outcome, meeting.mentor_minutes) == ("held", 45)
    assert meeting.mentee_outcome == "" and not meeting.is_settled
    assert callbacks == [] and mail.outbox == []
    assert AuditEvent.objects.filter(verb="journey.meeting_logged", object_id=str(meeting.pk))
    # The partner agrees: settled.
    mark(meeting, pairs.mentee, minutes=45)
    assert meeting.is_settled


def test_a_logged_meeting_counts_for_rhythm_and_time_given(pairs):
    programme = pairs.pairing.programme
    before = {f.pairing_id: f for f in safety_selectors.programme_facts(programme)}
    assert before[pairs.pairing.pk].last_held_on is None
    assert mentor_time(programme, pairs.mentor).sessions_held == 0
    log(pairs, minutes=50)
    facts = {f.pairing_id: f for f in safety_selectors.programme_facts(programme)}
    assert facts[pairs.pairing.pk].last_held_on == dt.date(2027, 1, 31)
    assert facts[pairs.pairing.pk].held == 1
    given = mentor_time(programme, pairs.mentor)
    assert given.sessions_held == 1 and given.meeting_minutes == 50


@pytest.mark.parametrize(
    ("starts_at", "minutes", "field", "message"),
    [
        (NOW + dt.timedelta(hours=2), 45, "date", "That is in the future"),
        (dt.datetime(2027, 1, 15, 10, 0, tzinfo=dt.UTC), 45, "date", "Your pairing started on"),
        (YESTERDAY_10, 0, "duration_minutes", "between 5 and 600 minutes"),
        (YESTERDAY_10, 4, "duration_minutes", "between 5 and 600 minutes"),
        (YESTERDAY_10, 601, "duration_minutes", "between 5 and 600 minutes"),
        (YESTERDAY_10, "lots", "duration_minutes", "between 5 and 600 minutes"),
    ],
)
def test_logging_bad_input_is_refused(pairs, starts_at, minutes, field, message):
    with pytest.raises(DomainError, match=message) as info:
        log(pairs, starts_at=starts_at, minutes=minutes)
    assert info.value.field == field
    assert not Meeting.objects.exists()


def test_logging_refuses_an_overlap_with_either_persons_meetings(pairs):
    log(pairs, minutes=60)
    with pytest.raises(Conflict, match="already have a meeting at that time"):
        log(pairs, person=pairs.mentee, starts_at=YESTERDAY_10 + dt.timedelta(minutes=30))
    assert Meeting.objects.count() == 1


def test_only_the_pair_logs_and_not_once_the_pairing_has_finished(pairs):
    with pytest.raises(DomainError, match="Only the two people in this pairing"):
        log(pairs, person=pairs.other.mentor)
    pairs.pairing.state = "completed"
    pairs.pairing.save(update_fields=["state"])
    with pytest.raises(InvalidTransition, match="This pairing has finished"):
        log(pairs)
    assert not Meeting.objects.exists()


def test_log_page(pairs, world):
    url = reverse("journey:log", args=[pairs.pairing.pk])
    data = {
        "date": "2027-01-31",
        "start_time": "10:00",
        "duration_minutes": "45",
        "time_zone": "Europe/London",
    }
    # The programme team and the other pair cannot open it.
    assert world.client_for(world.manager).get(url).status_code == 404
    assert world.client_for(pairs.other.mentor).post(url, data).status_code == 404
    client = world.client_for(pairs.mentor)
    assertContains(client.get(url), "Log a past meeting", status_code=200)
    response = client.post(url, {**data, "date": "2027-02-02"})
    assert response.status_code == 200
    assert "That is in the future" in str(response.context["form"].errors["date"])
    for minutes in ("0", "601", "many"):
        response = client.post(url, {**data, "duration_minutes": minutes})
        assert response.status_code == 200
        assert "duration_minutes" in response.context["form"].errors
    assert not Meeting.objects.exists()
    response = client.post(url, data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "journey:meeting", args=[meeting.pk]
    )
    page = world.client_for(pairs.mentee).get(response["Location"])
    assertContains(page, "Logged after it happened", status_code=200)
    assertNotContains(page, "Download invite", status_code=200)


# ---------------------------------------------------------------------------------------------
# Each person's account, settling, changes that need both


def test_minutes_must_be_within_three_times_the_booking(pairs, clock):
    meeting = held_meeting(pairs, clock, minutes=60)
    for bad in (0, 181, 601, "ten", None):
        with pytest.raises(DomainError, match="between 1 and 180"):
            mark(meeting, pairs.mentee, minutes=bad)
    assert mark(meeting, pairs.mentee, minutes=180).actual_minutes == 180


def test_the_senior_cannot_inflate_or_erase_the_mentors_record(pairs, clock):
    meeting = held_meeting(pairs, clock)
    mark(meeting, pairs.mentor, minutes=60)
    # The senior says 180 minutes: the lower figure counts and both accounts show.
    mark(meeting, pairs.mentee, minutes=180)
    assert meeting.is_disputed and not meeting.is_settled
    assert meeting.actual_minutes == 60
    # The senior says it did not happen: counted as missed until they agree...
    mark(meeting, pairs.mentee, held=False, minutes=None)
    assert meeting.status == MeetingStatus.MISSED and meeting.is_disputed
    # ...but the mentor's own check-in still stands (her account says held).
    assert safety_selectors.pulse_due(pairs.mentor) == [meeting]
    pulse = safety_services.submit_pulse(
        meeting,
        person=pairs.mentor,
        spoke_openly=4,
        felt_listened_to=4,
        worth_my_time=5,
        by=None,
    )
    assert pulse.meeting == meeting
    # They agree: settled, and marking again is refused.
    mark(meeting, pairs.mentee, minutes=60)
    assert meeting.is_settled and meeting.actual_minutes == 60
    with pytest.raises(InvalidTransition, match="so it is settled"):
        mark(meeting, pairs.mentee, minutes=120)
    meeting.refresh_from_db()
    assert meeting.actual_minutes == 60


def test_the_mentors_own_missed_means_no_check_in(pairs, clock):
    meeting = held_meeting(pairs, clock)
    mark(meeting, pairs.mentee, minutes=60)
    assert safety_selectors.pulse_due(pairs.mentor) == [meeting]  # her say is not in yet
    mark(meeting, pairs.mentor, held=False, minutes=None)
    assert safety_selectors.pulse_due(pairs.mentor) == []
    with pytest.raises(InvalidTransition, match="recorded as held"):
        safety_services.submit_pulse(
            meeting,
            person=pairs.mentor,
            spoke_openly=3,
            felt_listened_to=3,
            worth_my_time=3,
            by=None,
        )


def test_a_settled_record_changes_only_when_both_agree(pairs, clock):
    meeting = held_meeting(pairs, clock)
    mark(meeting, pairs.mentor, minutes=60)
    mark(meeting, pairs.mentee, minutes=60)
    with pytest.raises(DomainError, match="That is what the record already says"):
        services.propose_record_change(
            meeting, person=pairs.mentee, held=True, actual_minutes=60, by=None
        )
    services.propose_record_change(
        meeting, person=pairs.mentee, held=True, actual_minutes=90, by=None
    )
    meeting.refresh_from_db()
    assert meeting.actual_minutes == 60  # nothing changes yet
    with pytest.raises(DomainError, match="Your partner accepts a change you proposed"):
        services.answer_record_change(meeting, person=pairs.mentee, accept=True, by=None)
    with pytest.raises(DomainError, match="Only the two people in this pairing"):
        services.answer_record_change(meeting, person=pairs.other.mentor, accept=True, by=None)
    services.answer_record_change(meeting, person=pairs.mentor, accept=True, by=None)
    meeting.refresh_from_db()
    assert meeting.actual_minutes == 90 and meeting.is_settled
    assert (meeting.mentor_minutes, meeting.mentee_minutes) == (90, 90)
    assert meeting.proposed_outcome == ""
    changed = AuditEvent.objects.get(verb="journey.meeting_record_changed")
    assert changed.data["from"] == {"status": "held", "minutes": 60}
    assert changed.data["to"] == {"status": "held", "minutes": 90}
    # A declined proposal leaves the record as it was.
    services.propose_record_change(
        meeting, person=pairs.mentee, held=False, actual_minutes=None, by=None
    )
    services.answer_record_change(meeting, person=pairs.mentor, accept=False, by=None)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.actual_minutes == 90
    with pytest.raises(InvalidTransition, match="no change waiting"):
        services.answer_record_change(meeting, person=pairs.mentor, accept=True, by=None)


def test_proposing_before_settled_is_refused(pairs, clock):
    meeting = held_meeting(pairs, clock)
    mark(meeting, pairs.mentor, minutes=60)
    with pytest.raises(InvalidTransition, match="not settled yet"):
        services.propose_record_change(
            meeting, person=pairs.mentee, held=True, actual_minutes=90, by=None
        )


def test_outsiders_cannot_mark(pairs, clock):
    meeting = held_meeting(pairs, clock)
    with pytest.raises(DomainError, match="Only the two people in this pairing"):
        mark(meeting, pairs.other.mentee)
    with pytest.raises(DomainError, match="Only the two people in this pairing"):
        mark(meeting, pairs.world.manager)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_records_are_locked_once_the_pairing_completes(pairs, clock, world):
    meeting = held_meeting(pairs, clock)
    mark(meeting, pairs.mentor, minutes=60)
    mark(meeting, pairs.mentee, minutes=60)
    services.propose_record_change(
        meeting, person=pairs.mentee, held=True, actual_minutes=120, by=None
    )
    pairs.pairing.state = "completed"
    pairs.pairing.save(update_fields=["state"])
    meeting.pairing.refresh_from_db()
    with pytest.raises(InvalidTransition, match="This pairing has finished"):
        services.answer_record_change(meeting, person=pairs.mentor, accept=True, by=None)
    with pytest.raises(InvalidTransition, match="This pairing has finished"):
        mark(meeting, pairs.mentor, minutes=30)
    meeting.refresh_from_db()
    assert meeting.actual_minutes == 60
    url = reverse("journey:record", args=[meeting.pk])
    client = world.client_for(pairs.mentee)
    page = client.get(url)
    assertContains(page, "This pairing has finished, so its meeting records", status_code=200)
    assertNotContains(page, "Propose this change", status_code=200)
    response = client.post(url, {"action": "accept"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.actual_minutes == 60


def test_record_page_shows_both_accounts_and_the_history(pairs, world, clock):
    meeting = held_meeting(pairs, clock)
    url = reverse("journey:record", args=[meeting.pk])
    assert world.client_for(world.manager).get(url).status_code == 404
    assert world.client_for(pairs.other.mentor).post(url, {"outcome": "missed"}).status_code == 404
    mentor, mentee = world.client_for(pairs.mentor), world.client_for(pairs.mentee)
    response = mentee.post(url, {"action": "record", "outcome": "held", "actual_minutes": "600"})
    assert response.status_code == 200
    assert "actual_minutes" in response.context["form"].errors
    assert mentee.post(url, {"outcome": "held", "actual_minutes": "90"}).status_code == 302
    assert mentor.post(url, {"outcome": "held", "actual_minutes": "60"}).status_code == 302
    page = mentor.get(reverse("journey:meeting", args=[meeting.pk]))
    assertContains(page, "Your accounts differ", status_code=200)
    assertContains(page, "held, 60 minutes", status_code=200)
    assert mentee.post(url, {"outcome": "held", "actual_minutes": "60"}).status_code == 302
    # Settled: the form now proposes, and the partner answers.
    assertContains(mentee.get(url), "Propose this change", status_code=200)
    response = mentee.post(url, {"action": "propose", "outcome": "held", "actual_minutes": "75"})
    assert response.status_code == 302
    assertContains(mentor.get(url), "Accept the change", status_code=200)
    meeting.refresh_from_db()
    answer = {"action": "accept", "proposal": meeting.proposal_key}
    assert mentor.post(url, answer).status_code == 302
    meeting.refresh_from_db()
    assert meeting.actual_minutes == 75
    page = mentee.get(url)
    assertContains(page, "accepted a change to a meeting", status_code=200)
    assertContains(page, "from “met for 60 minutes” to “met for 75 minutes”", status_code=200)


def test_the_mentors_time_counts_only_by_her_own_account(pairs):
    """The senior logging 600 minutes alone adds nothing to the mentor's record; once she gives
    her own account, her minutes count (and the lower figure stays the pair's record)."""
    programme = pairs.pairing.programme
    meeting = log(pairs, person=pairs.mentee, minutes=600)
    given = mentor_time(programme, pairs.mentor)
    assert given.sessions_held == 0 and given.meeting_minutes == 0
    mark(meeting, pairs.mentor, minutes=60)
    given = mentor_time(programme, pairs.mentor)
    assert given.sessions_held == 1 and given.meeting_minutes == 60


def test_records_from_before_own_accounts_still_count(pairs):
    meeting = log(pairs, minutes=50)
    Meeting.objects.filter(pk=meeting.pk).update(mentor_outcome="", mentor_minutes=None)
    given = mentor_time(pairs.pairing.programme, pairs.mentor)
    assert given.sessions_held == 1 and given.meeting_minutes == 50


def test_an_answer_from_a_stale_page_is_refused(pairs, clock):
    """The mentor's page shows proposal A; the senior withdraws it and proposes B; her "Accept"
    from the old page must not accept B."""
    meeting = held_meeting(pairs, clock)
    mark(meeting, pairs.mentor, minutes=60)
    mark(meeting, pairs.mentee, minutes=60)
    services.propose_record_change(
        meeting, person=pairs.mentee, held=True, actual_minutes=90, by=None
    )
    meeting.refresh_from_db()
    seen = meeting.proposal_key
    page = pairs.world.client_for(pairs.mentor).get(f"/meetings/{meeting.pk}/record/")
    assertContains(page, f'value="{seen}"')
    services.answer_record_change(meeting, person=pairs.mentee, accept=False, by=None)
    clock.shift(dt.timedelta(minutes=1))
    services.propose_record_change(
        meeting, person=pairs.mentee, held=False, actual_minutes=None, by=None
    )
    response = pairs.world.client_for(pairs.mentor).post(
        f"/meetings/{meeting.pk}/record/", {"action": "accept", "proposal": seen}, follow=True
    )
    assertContains(response, "not the one you saw")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.actual_minutes == 60
    assert meeting.proposed_outcome == "missed"  # still waiting for her answer

"""Mentor burden: time given from held meetings and attended events, the monthly cap, and the
count of how often people are asked to mentor."""

from __future__ import annotations

import datetime as dt

import pytest

from upward.core.errors import DomainError
from upward.impact import selectors, services
from upward.impact.models import ImpactSettings
from upward.impact.tests.helpers import at, event, meeting
from upward.programmes.models import Programme
from upward.recruitment.models import Invitation
from upward.testing.factories import ProgrammeFactory, person_with_account
from upward.testing.workspace import accept, make_pairing


@pytest.fixture
def given(pairs, world):  # type: ignore[no-untyped-def]
    """The mentor's record, worked by hand:
    - 10 Feb held, 75 minutes recorded (booked for 60): counts 75 in February
    - 2 Mar held, 50 minutes: counts 50 in March
    - 8 Mar missed, 12 Mar cancelled, 20 Mar booked: none count
    - 5 Mar kick-off attended, 90 minutes: counts 90 in March
    - 20 Feb event, the mentor did not attend; 6 Mar event cancelled; an event of another
      programme attended: none count
    - the other pair's held meeting counts for their mentor, not ours
    February 75, March 140; 2 sessions (125 min), 1 event (90 min), 215 minutes in all.
    """
    meeting(pairs.pairing, at("2027-02-10"), minutes=75)
    meeting(pairs.pairing, at("2027-03-02"), minutes=50)
    meeting(pairs.pairing, at("2027-03-08"), status="missed")
    meeting(pairs.pairing, at("2027-03-12"), status="cancelled")
    meeting(pairs.pairing, at("2027-03-20"), status="scheduled")
    meeting(pairs.other, at("2027-03-03"), minutes=240)
    event(world.programme, at("2027-03-05"), minutes=90, attended=[pairs.mentor])
    event(world.programme, at("2027-02-20"), minutes=120, attended=[pairs.other.mentor])
    event(world.programme, at("2027-03-06"), minutes=60, attended=[pairs.mentor], cancelled=True)
    event(world.other_programme, at("2027-03-07"), minutes=60, attended=[pairs.mentor])
    return pairs


def test_time_given_is_held_meetings_plus_attended_events(given, world):
    row = selectors.mentor_time(world.programme, given.mentor)
    assert row.sessions_held == 2
    assert row.meeting_minutes == 125
    assert row.events_attended == 1
    assert row.event_minutes == 90
    assert row.total_minutes == 215
    assert row.by_month == {dt.date(2027, 2, 1): 75, dt.date(2027, 3, 1): 140}
    assert row.this_month == 140
    assert row.cap == 240 and row.state == "ok" and row.percent_of_cap == 58


def test_the_other_mentor_only_gets_their_own_time(given, world):
    rows = {r.mentor_id: r for r in selectors.programme_mentor_time(world.programme)}
    other = rows[given.other.mentor.pk]
    assert other.sessions_held == 1 and other.meeting_minutes == 240
    assert other.events_attended == 1 and other.event_minutes == 120
    assert other.by_month == {dt.date(2027, 3, 1): 240, dt.date(2027, 2, 1): 120}
    # Busiest this month first.
    assert next(r.mentor for r in selectors.programme_mentor_time(world.programme)) == other.mentor


@pytest.mark.parametrize(
    ("cap", "state"), [(240, "ok"), (175, "close"), (140, "close"), (139, "over"), (60, "over")]
)
def test_cap_states(given, world, cap, state):
    services.update_impact_settings(world.programme, monthly_cap_minutes=cap, by=None)
    assert selectors.mentor_time(world.programme, given.mentor).state == state


def test_cap_warnings_count_over_and_close(given, world):
    services.update_impact_settings(world.programme, monthly_cap_minutes=150, by=None)
    warnings = selectors.cap_warnings(selectors.programme_mentor_time(world.programme))
    # Ours is at 140 of 150 (close); the other mentor at 240 (over).
    assert (warnings.over, warnings.close) == (1, 1)


def test_months_over_the_cap(given, world):
    services.update_impact_settings(world.programme, monthly_cap_minutes=60, by=None)
    row = selectors.mentor_time(world.programme, given.mentor)
    assert row.months_over == 2
    assert row.busiest_month == (dt.date(2027, 3, 1), 140)


@pytest.mark.parametrize("minutes", [0, 29, 2401])
def test_cap_out_of_range_is_refused(world, minutes):
    with pytest.raises(DomainError, match="between half an hour and 40 hours"):
        services.update_impact_settings(world.programme, monthly_cap_minutes=minutes, by=None)
    assert not ImpactSettings.objects.exists()


def test_cap_default_is_four_hours(world):
    assert selectors.cap_minutes(world.programme) == 240


# ---------------------------------------------------------------------------------------------
# Tokenism guard


def _everything(world):  # type: ignore[no-untyped-def]
    return Programme.objects.filter(organisation=world.org).values_list("pk", flat=True)


def test_asks_count_distinct_programmes_over_24_months(pairs, world, clock):
    third = ProgrammeFactory(organisation=world.org, name="Board cohort")
    fourth = ProgrammeFactory(organisation=world.org, name="Data cohort")
    old = ProgrammeFactory(organisation=world.org, name="Old cohort")
    jess = pairs.mentor
    # world.programme: accepted (build_pairs) + paired + invited: one ask, three counts.
    Invitation.objects.create(programme=world.programme, person=jess, role="mentor")
    # fourth programme: accepted as a mentor.
    accept(fourth, jess, "mentor")
    # third programme: proposed as a mentor.
    make_pairing(third, mentor=jess, mentee=world.senior, state="proposed")
    # An invitation from 30 months ago does not count.
    invite = Invitation.objects.create(programme=old, person=jess, role="mentor")
    Invitation.objects.filter(pk=invite.pk).update(
        created_at=dt.datetime(2024, 9, 1, tzinfo=dt.UTC)
    )
    # Invitations to be a mentee are not asks to mentor.
    Invitation.objects.create(programme=third, person=world.senior, role="mentee")

    load = selectors.mentor_asks(world.org, programme_ids=_everything(world))
    rows = {r.person.pk: r for r in load.rows}
    jess_row = rows[jess.pk]
    assert (jess_row.invitations, jess_row.accepted, jess_row.pairings) == (1, 2, 2)
    assert jess_row.programmes == 3 and jess_row.asked_often
    kai = rows[pairs.other.mentor.pk]
    assert kai.programmes == 1 and not kai.asked_often
    assert world.senior.pk not in rows
    assert next(iter(rows)) == jess.pk
    # Only the programmes asked for are counted.
    mine = selectors.mentor_asks(world.org, programme_ids=[third.pk])
    assert [(r.person.pk, r.programmes, r.pairings) for r in mine.rows] == [(jess.pk, 1, 1)]
    assert selectors.mentor_asks(world.org, programme_ids=[]).rows == []


def test_asks_stay_in_the_organisation(pairs, world):
    elsewhere = person_with_account(organisation=world.outsider_admin.organisation)
    outsider_org = world.outsider_admin.organisation
    # Even when handed another organisation's programme ids.
    assert selectors.mentor_asks(outsider_org, programme_ids=_everything(world)).rows == []
    rows = selectors.mentor_asks(world.org, programme_ids=_everything(world)).rows
    assert elsewhere.pk not in {r.person.pk for r in rows}


def test_small_inclusion_programmes_add_nothing_to_anyone_s_row(pairs, world, settings):
    """Being asked in an inclusion programme says who belongs to its group: below the group
    threshold, its asks are not attributed to people at all."""
    settings.UPWARD_MIN_GROUP_SIZE = 3
    inclusion = world.other_programme  # objective "inclusion", focus "race"
    jess, kai = pairs.mentor, pairs.other.mentor
    accept(inclusion, jess, "mentor")
    Invitation.objects.create(programme=inclusion, person=kai, role="mentor")
    load = selectors.mentor_asks(world.org, programme_ids=_everything(world))
    rows = {r.person.pk: r for r in load.rows}
    assert (rows[jess.pk].programmes, rows[jess.pk].accepted) == (1, 1)  # world.programme only
    assert (rows[kai.pk].programmes, rows[kai.pk].invitations) == (1, 0)
    assert [h.name for h in load.hidden] == ["Inclusion pilot"]
    # A third person asked reaches the threshold: the programme counts per person again.
    third = person_with_account(organisation=world.org, full_name="Tia Third")
    Invitation.objects.create(programme=inclusion, person=third, role="mentor")
    load = selectors.mentor_asks(world.org, programme_ids=_everything(world))
    rows = {r.person.pk: r for r in load.rows}
    assert (rows[jess.pk].programmes, rows[jess.pk].accepted) == (2, 2)
    assert rows[third.pk].invitations == 1
    assert load.hidden == []
    # A non-inclusion programme is never held back, however few were asked.
    settings.UPWARD_MIN_GROUP_SIZE = 50
    load = selectors.mentor_asks(world.org, programme_ids=[world.programme.pk])
    assert {r.person.pk for r in load.rows} == {jess.pk, kai.pk}
    assert load.hidden == []

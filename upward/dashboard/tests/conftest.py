from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from upward.journey.models import Meeting, MeetingStatus
from upward.organisations.models import Person
from upward.pairing.models import MatchRun, Pairing
from upward.programmes.models import Programme
from upward.testing.factories import level, person_with_account
from upward.testing.pairs import Pairs, accepted, build_pairs

# Inside the programme's dates (11 Jan – 9 Jul 2027), a Monday.
NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pairs(world, clock) -> Pairs:  # type: ignore[no-untyped-def]
    Programme.objects.filter(pk=world.programme.pk).update(state="active")
    world.programme.refresh_from_db()
    # Twenty days in and both pairs met last week: nothing to flag yet.
    made = build_pairs(world, since=timezone.now() - dt.timedelta(days=20))
    for pairing in (made.pairing, made.other):
        meeting(pairing, days_ago=5)
    MatchRun.objects.create(
        programme=world.programme, status="ready", published_at=timezone.now() - dt.timedelta(20)
    )
    return made


def meeting(pairing: Pairing, *, days_ago: float, status: str = MeetingStatus.HELD) -> Meeting:
    starts = timezone.now() - dt.timedelta(days=days_ago)
    return Meeting.objects.create(
        pairing=pairing,
        starts_at=starts,
        duration_minutes=60,
        ends_at=starts + dt.timedelta(minutes=60),
        organiser=pairing.mentee,
        status=status,
        actual_minutes=60 if status == MeetingStatus.HELD else None,
        marked_at=timezone.now() if status != MeetingStatus.SCHEDULED else None,
    )


def waiting_mentor(programme: Programme, name: str = "Wren Waiting") -> Person:
    """An accepted mentor with no partner, after the programme's first published run."""
    org = programme.organisation
    person = person_with_account(
        organisation=org,
        full_name=name,
        level=level(org, 2),
        email=f"{name.split()[0].lower()}@northwind.test",
    )
    accepted(programme, person, "mentor")
    return person

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from upward.journey.models import Meeting, MeetingStatus
from upward.journey.tests.factories import active_pairing
from upward.organisations.models import Person
from upward.pairing.models import Pairing
from upward.testing.factories import level, person_with_account

# Inside the programme's dates (11 Jan – 9 Jul 2027).
NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


@dataclass
class Pairs:
    world: Any
    pairing: Pairing  # world.applicant mentors world.senior
    other: Pairing  # world.other_applicant mentors other_senior, same programme
    other_senior: Person

    @property
    def mentor(self) -> Person:
        return self.pairing.mentor

    @property
    def mentee(self) -> Person:
        return self.pairing.mentee


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pairs(world, clock) -> Pairs:  # type: ignore[no-untyped-def]
    other_senior = person_with_account(
        organisation=world.org,
        full_name="Vic Veteran",
        level=level(world.org, 8),
        email="vic@northwind.test",
    )
    since = timezone.now() - dt.timedelta(days=20)
    pairing = active_pairing(
        world.programme, mentor=world.applicant, mentee=world.senior, since=since
    )
    other = active_pairing(
        world.programme, mentor=world.other_applicant, mentee=other_senior, since=since
    )
    return Pairs(world=world, pairing=pairing, other=other, other_senior=other_senior)


def meeting(pairing: Pairing, *, days_ago: float, status: str = MeetingStatus.HELD) -> Meeting:
    """A meeting `days_ago` days before now (negative: in the future), stored directly."""
    starts = timezone.now() - dt.timedelta(days=days_ago)
    return Meeting.objects.create(
        pairing=pairing,
        starts_at=starts,
        duration_minutes=60,
        ends_at=starts + dt.timedelta(minutes=60),
        organiser=pairing.mentee,
        status=status,
        actual_minutes=60 if status == MeetingStatus.HELD else None,
        marked_at=timezone.now() if status in (MeetingStatus.HELD, MeetingStatus.MISSED) else None,
    )

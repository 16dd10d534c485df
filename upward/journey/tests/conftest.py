from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine

from upward.journey.models import JourneyVersion
from upward.journey.tests.factories import active_pairing, builtin_version
from upward.organisations.models import Person
from upward.pairing.models import Pairing
from upward.testing.factories import level, person_with_account

# Tests run at a fixed moment inside the programme's dates (11 Jan – 9 Jul 2027).
NOW = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)


@dataclass
class Pairs:
    version: JourneyVersion
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
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pairs(world, clock) -> Pairs:  # type: ignore[no-untyped-def]
    version = builtin_version()
    other_senior = person_with_account(
        organisation=world.org,
        full_name="Vic Veteran",
        level=level(world.org, 8),
        email="vic@northwind.test",
        time_zone="America/New_York",
    )
    pairing = active_pairing(world.programme, mentor=world.applicant, mentee=world.senior)
    other = active_pairing(world.programme, mentor=world.other_applicant, mentee=other_senior)
    return Pairs(version=version, pairing=pairing, other=other, other_senior=other_senior)

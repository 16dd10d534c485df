"""The shared `Pairs` test data: two active pairs in `world.programme`.

Jess Junior (world.applicant) mentors Sam Senior (world.senior); Kai Keen
(world.other_applicant) mentors Sofia Strand, a second senior made here. Pairings are created
directly in the active state: the pairing app's services own the real workflow (tested in
upward/pairing); the apps above it only need a pair that has reached them.

Every app's tests use this one builder (the `pairs` fixture in the root conftest.py); an app's
conftest overrides the fixture only to add what it needs (a fixed clock, an older pairing,
the built-in journey).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from upward.organisations.models import Person
from upward.pairing.models import Pairing
from upward.programmes.models import Programme
from upward.recruitment.models import Application
from upward.testing.factories import level, person_with_account


def accepted(programme: Programme, person: Person, role: str) -> Application:
    application, _created = Application.objects.get_or_create(
        programme=programme,
        person=person,
        defaults={
            "role": role,
            "status": Application.Status.ACCEPTED,
            "motivation": "I want to take part.",
            "consent_terms": True,
        },
    )
    return application


def active_pairing(
    programme: Programme, *, mentor: Person, mentee: Person, since: Any = None
) -> Pairing:
    """An active pairing whose both sides answered at `since` (default: ten days ago)."""
    since = since or timezone.now() - dt.timedelta(days=10)
    accepted(programme, mentor, "mentor")
    accepted(programme, mentee, "mentee")
    return Pairing.objects.create(
        programme=programme,
        mentor=mentor,
        mentee=mentee,
        state="active",
        respond_by=since + dt.timedelta(days=7),
        mentor_responded_at=since,
        mentee_told_at=since,
        mentee_responded_at=since,
    )


@dataclass
class Pairs:
    world: Any
    pairing: Pairing  # Jess Junior (mentor) and Sam Senior (mentee) in world.programme
    other: Pairing  # Kai Keen (mentor) and Sofia Strand (mentee), same programme

    @property
    def mentor(self) -> Person:
        return self.pairing.mentor

    @property
    def mentee(self) -> Person:
        return self.pairing.mentee

    @property
    def other_mentor(self) -> Person:
        return self.other.mentor

    @property
    def other_mentee(self) -> Person:
        return self.other.mentee


def build_pairs(world: Any, *, since: Any = None) -> Pairs:
    """Two active pairs in world.programme; `since` is when both began (default ten days ago)."""
    sofia = person_with_account(
        organisation=world.org,
        full_name="Sofia Strand",
        level=level(world.org, 9),
        email="sofia@northwind.test",
    )
    pairing = active_pairing(
        world.programme, mentor=world.applicant, mentee=world.senior, since=since
    )
    other = active_pairing(world.programme, mentor=world.other_applicant, mentee=sofia, since=since)
    return Pairs(world=world, pairing=pairing, other=other)

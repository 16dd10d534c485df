"""Test data for the pair workspace: active pairings created directly (the matching workflow
that normally creates them is tested in upward/pairing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from upward.organisations.models import Person
from upward.pairing.models import Pairing, PairingState
from upward.programmes.models import Programme
from upward.recruitment.models import Application
from upward.testing.factories import level, person_with_account


def make_pairing(
    programme: Programme, *, mentor: Person, mentee: Person, state: str = PairingState.ACTIVE
) -> Pairing:
    now = timezone.now()
    answered = state in (PairingState.ACTIVE, PairingState.COMPLETED)
    return Pairing.objects.create(
        programme=programme,
        mentor=mentor,
        mentee=mentee,
        state=state,
        respond_by=now + dt.timedelta(days=7),
        mentor_responded_at=now if answered else None,
        mentee_told_at=now if answered else None,
        mentee_responded_at=now if answered else None,
    )


def accept(programme: Programme, person: Person, role: str) -> Application:
    return Application.objects.create(
        programme=programme,
        person=person,
        role=role,
        status=Application.Status.ACCEPTED,
        motivation="I would like to take part.",
        consent_terms=True,
    )


@dataclass
class Pairs:
    world: Any
    pairing: Pairing  # Jess (mentor) and Sam (mentee) in world.programme
    other: Pairing  # Kai (mentor) and Sofia (mentee) in world.programme
    sofia: Person

    @property
    def mentor(self) -> Person:
        return self.pairing.mentor

    @property
    def mentee(self) -> Person:
        return self.pairing.mentee


def build_pairs(world: Any) -> Pairs:
    sofia = person_with_account(
        organisation=world.org,
        full_name="Sofia Strand",
        level=level(world.org, 9),
        email="sofia@northwind.test",
    )
    for person, role in (
        (world.applicant, "mentor"),
        (world.other_applicant, "mentor"),
        (world.senior, "mentee"),
        (sofia, "mentee"),
    ):
        accept(world.programme, person, role)
    pairing = make_pairing(world.programme, mentor=world.applicant, mentee=world.senior)
    other = make_pairing(world.programme, mentor=world.other_applicant, mentee=sofia)
    return Pairs(world=world, pairing=pairing, other=other, sofia=sofia)


def make_meeting(pairing: Pairing, *, days: int = 3) -> Any:
    from upward.journey.models import Meeting

    starts = timezone.now() + dt.timedelta(days=days)
    return Meeting.objects.create(
        pairing=pairing,
        starts_at=starts,
        duration_minutes=60,
        ends_at=starts + dt.timedelta(minutes=60),
        organiser=pairing.mentee,
    )

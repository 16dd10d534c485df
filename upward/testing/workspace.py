"""Test data for the pair workspace: pairings in any state and meetings, created directly (the
matching workflow that normally creates them is tested in upward/pairing). The shared two
pairs are in upward/testing/pairs.py."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from upward.journey.models import Meeting
from upward.organisations.models import Person
from upward.pairing.models import Pairing, PairingState
from upward.programmes.models import Programme
from upward.recruitment.models import Application


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


def make_meeting(pairing: Pairing, *, days: int = 3) -> Meeting:
    starts = timezone.now() + dt.timedelta(days=days)
    return Meeting.objects.create(
        pairing=pairing,
        starts_at=starts,
        duration_minutes=60,
        ends_at=starts + dt.timedelta(minutes=60),
        organiser=pairing.mentee,
    )

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from upward.pairing.models import LIVE_STATES, Pairing, PairingState
from upward.pairing.selectors import pairings_for_person, waiting_for
from upward.programmes.access import managed_programmes
from upward.programmes.models import Programme, State
from upward.recruitment.models import Application


@dataclass(frozen=True)
class ManagedProgrammeRow:
    programme: Programme
    applications: int
    mentors: int
    mentees: int
    accepted_mentors: int
    accepted_mentees: int
    to_review: int


def managed_programme_rows(user: Any) -> list[ManagedProgrammeRow]:
    """Programmes with their recruitment counts, in one query."""
    live = ~Q(applications__status=Application.Status.WITHDRAWN)
    accepted = Q(applications__status=Application.Status.ACCEPTED)
    qs = (
        Programme.objects.filter(pk__in=managed_programmes(user).values("pk"))
        .exclude(state="archived")
        .annotate(
            n_applications=Count("applications", filter=live),
            n_mentors=Count("applications", filter=live & Q(applications__role="mentor")),
            n_mentees=Count("applications", filter=live & Q(applications__role="mentee")),
            n_acc_mentors=Count("applications", filter=accepted & Q(applications__role="mentor")),
            n_acc_mentees=Count("applications", filter=accepted & Q(applications__role="mentee")),
            n_review=Count("applications", filter=Q(applications__status="submitted")),
        )
        .order_by("state", "-starts_on")
    )
    return [
        ManagedProgrammeRow(
            programme=p,
            applications=p.n_applications,
            mentors=p.n_mentors,
            mentees=p.n_mentees,
            accepted_mentors=p.n_acc_mentors,
            accepted_mentees=p.n_acc_mentees,
            to_review=p.n_review,
        )
        for p in qs
    ]


def my_applications(person: Any) -> list[Application]:
    """The person's applications. An accepted one in a programme that is pairing people, with
    no partner the person knows of, carries `looking_for_partner`: the dashboard says the team
    is looking, not just "Accepted". Two queries."""
    if person is None:
        return []
    applications = list(
        Application.objects.filter(person=person)
        .select_related("programme")
        .order_by("-submitted_at")
    )
    # A proposal the mentee has not been told of yet stays unseen: they are "looking" too.
    partnered = set(
        Pairing.objects.filter(
            Q(mentor=person) | Q(mentee=person, mentee_told_at__isnull=False),
            state__in=[*LIVE_STATES, PairingState.COMPLETED],
        ).values_list("programme_id", flat=True)
    )
    for a in applications:
        a.looking_for_partner = (  # type: ignore[attr-defined]
            a.status == Application.Status.ACCEPTED
            and a.programme.state in (State.MATCHING, State.ACTIVE)
            and a.programme_id not in partnered
        )
    return applications


def open_programmes_for(person: Any) -> list[Programme]:
    """Programmes in the person's organisation recruiting with open sign-up they have not applied to."""
    if person is None:
        return []
    return list(
        Programme.objects.filter(
            organisation_id=person.organisation_id, state="recruiting", signup_open=True
        )
        .exclude(selection_mode="invitation")
        .exclude(
            # Withdrawn applicants may apply again, so the programme stays on offer to them.
            pk__in=Application.objects.filter(person=person)
            .exclude(status=Application.Status.WITHDRAWN)
            .values("programme_id")
        )
        .order_by("starts_on")
    )


@dataclass(frozen=True)
class DashboardPairing:
    pairing: Any
    partner: Any  # the other person
    as_mentor: bool
    waiting: bool  # the pairing waits for this person's answer


@dataclass(frozen=True)
class MyPairings:
    waiting: list[DashboardPairing]  # proposals that wait for this person's answer
    others: list[DashboardPairing]

    def __bool__(self) -> bool:
        return bool(self.waiting or self.others)


def my_pairings(person: Any) -> MyPairings:
    """The participant's pairings for the dashboard, in one query.

    A mentee only ever sees pairings their mentor has accepted (the selector enforces it), and
    proposals that did not go ahead are left off: the pairing page still explains them.
    """
    if person is None:
        return MyPairings([], [])
    shown = {
        PairingState.PROPOSED,
        PairingState.MENTOR_ACCEPTED,
        PairingState.ACTIVE,
        PairingState.COMPLETED,
    }
    rows = []
    for pairing in pairings_for_person(person):
        if pairing.state not in shown:
            continue
        as_mentor = pairing.mentor_id == person.pk
        rows.append(
            DashboardPairing(
                pairing=pairing,
                partner=pairing.mentee if as_mentor else pairing.mentor,
                as_mentor=as_mentor,
                waiting=waiting_for(person, pairing),
            )
        )
    return MyPairings([r for r in rows if r.waiting], [r for r in rows if not r.waiting])

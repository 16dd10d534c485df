"""Who may see what in impact. Every lookup answers 404 for "missing" and "not yours".

A person's commitments are theirs alone (their partner gets 404 too); the contribution record
and certificate belong to the mentor; the thank-you form to the mentee. Programme managers get
counts through the programme pages, never anybody's text.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from upward.impact.models import Commitment
from upward.impact.selectors import GIVING_STATES
from upward.organisations.access import person_for
from upward.organisations.models import Person
from upward.pairing.models import Pairing
from upward.pairing.workspace import Seat, access_pair_workspace
from upward.programmes.access import can_manage_programmes


def access_contribution(user: Any, pairing_id: int) -> Seat:
    """The mentor's own pairing; an ended pairing still counts, the time was given."""
    person = person_for(user)
    if person is None:
        raise Http404("No such record.")
    try:
        pairing = Pairing.objects.select_related(
            "programme__organisation", "mentor__manager", "mentee"
        ).get(pk=pairing_id, mentor=person, state__in=GIVING_STATES)
    except Pairing.DoesNotExist as exc:
        raise Http404("No such record.") from exc
    return Seat(pairing, person, pairing.mentee)


def access_commitments(user: Any, pairing_id: int) -> Seat:
    return access_pair_workspace(user, pairing_id)


def access_commitment(user: Any, pairing_id: int, commitment_id: int) -> tuple[Seat, Commitment]:
    seat = access_pair_workspace(user, pairing_id)
    try:
        commitment = Commitment.objects.get(
            pk=commitment_id, pairing=seat.pairing, owner=seat.person
        )
    except Commitment.DoesNotExist as exc:
        raise Http404("No such commitment.") from exc
    commitment.pairing = seat.pairing
    commitment.programme = seat.pairing.programme
    return seat, commitment


def access_thank_you(user: Any, pairing_id: int) -> Seat:
    """The thank-you form is the mentee's; the mentor reads the note on their record."""
    seat = access_pair_workspace(user, pairing_id)
    if seat.is_mentor:
        raise Http404("No such page.")
    return seat


def require_load_viewer(user: Any) -> Person:
    """The "who is asked to mentor" page: admins and programme managers. Each sees counts from
    the programmes they run only (`views.mentor_load`)."""
    person = person_for(user)
    if person is None or not can_manage_programmes(user):
        raise Http404("Not allowed.")
    return person

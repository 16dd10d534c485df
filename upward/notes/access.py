"""Who may read what pairs write. Every lookup answers 404 for "missing" and "not yours".

The rule is narrow on purpose: a pair's workspace belongs to the two people in it. Programme
managers and organisation admins get 404 here like anybody else; the only content they can read
is cohort posts, which were written for a whole cohort and are moderated by the programme team.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import Http404

from upward.notes.models import Cohort, CohortPost, MeetingNote, SharedNote
from upward.organisations.access import person_for
from upward.organisations.models import Person
from upward.pairing.models import Pairing, PairingState
from upward.programmes.access import managed_programmes
from upward.programmes.models import Programme
from upward.recruitment.models import Application

# A finished pairing stays readable by its two people; services refuse writes unless active.
WORKSPACE_STATES = (PairingState.ACTIVE, PairingState.COMPLETED)


@dataclass(frozen=True)
class Seat:
    """The signed-in person's place in a pair."""

    pairing: Pairing
    person: Person
    partner: Person

    @property
    def is_mentor(self) -> bool:
        return self.pairing.mentor_id == self.person.pk

    @property
    def is_active(self) -> bool:
        return self.pairing.state == PairingState.ACTIVE


def seat_for(pairing: Pairing, person: Person | None) -> Seat | None:
    """The person's seat in a pairing already loaded, or None if they are not in it."""
    if person is None or pairing.state not in WORKSPACE_STATES:
        return None
    if pairing.mentor_id == person.pk:
        return Seat(pairing, person, pairing.mentee)
    if pairing.mentee_id == person.pk:
        return Seat(pairing, person, pairing.mentor)
    return None


def access_pair_workspace(user: Any, pairing_id: int) -> Seat:
    person = person_for(user)
    if person is None:
        raise Http404("No such pairing.")
    try:
        pairing = Pairing.objects.select_related(
            "programme__organisation", "mentor__user", "mentee__user"
        ).get(Q(mentor=person) | Q(mentee=person), pk=pairing_id, state__in=WORKSPACE_STATES)
    except Pairing.DoesNotExist as exc:
        raise Http404("No such pairing.") from exc
    seat = seat_for(pairing, person)
    assert seat is not None  # the query above only finds the person's own pairings
    return seat


def access_shared_note(user: Any, pairing_id: int, note_id: int) -> tuple[Seat, SharedNote]:
    seat = access_pair_workspace(user, pairing_id)
    try:
        note = SharedNote.objects.select_related("updated_by", "created_by").get(
            pk=note_id, pairing=seat.pairing
        )
    except SharedNote.DoesNotExist as exc:
        raise Http404("No such note.") from exc
    note.pairing = seat.pairing
    return seat, note


def access_meeting_for_notes(user: Any, meeting_id: int) -> tuple[Seat, Any, MeetingNote | None]:
    """A meeting of the user's own pair, with the user's own private note about it (if any).

    The partner's note about the same meeting is never loaded: the query filters on author.
    """
    from upward.journey.models import Meeting

    person = person_for(user)
    if person is None:
        raise Http404("No such meeting.")
    try:
        meeting = Meeting.objects.select_related(
            "pairing__programme__organisation", "pairing__mentor", "pairing__mentee", "step"
        ).get(
            Q(pairing__mentor=person) | Q(pairing__mentee=person),
            pk=meeting_id,
            pairing__state__in=WORKSPACE_STATES,
        )
    except Meeting.DoesNotExist as exc:
        raise Http404("No such meeting.") from exc
    seat = seat_for(meeting.pairing, person)
    assert seat is not None
    note = MeetingNote.objects.filter(meeting=meeting, author=person).first()
    return seat, meeting, note


# ---------------------------------------------------------------------------------------------
# Cohort spaces


@dataclass(frozen=True)
class CohortSeat:
    programme: Programme
    cohort: str
    person: Person
    is_member: bool
    can_moderate: bool


def is_cohort_member(person: Person, programme: Programme, cohort: str) -> bool:
    """Accepted into the programme in that role, or in an active pairing in that role."""
    if Application.objects.filter(
        programme=programme, person=person, role=cohort, status=Application.Status.ACCEPTED
    ).exists():
        return True
    role_filter = {"mentor": person} if cohort == Cohort.MENTOR else {"mentee": person}
    return Pairing.objects.filter(
        programme=programme, state=PairingState.ACTIVE, **role_filter
    ).exists()


def access_cohort_space(user: Any, programme_id: int, cohort: str) -> CohortSeat:
    person = person_for(user)
    if person is None or cohort not in Cohort.values:
        raise Http404("No such space.")
    try:
        programme = Programme.objects.select_related("organisation").get(
            pk=programme_id, organisation_id=person.organisation_id
        )
    except Programme.DoesNotExist as exc:
        raise Http404("No such space.") from exc
    member = is_cohort_member(person, programme, cohort)
    moderator = managed_programmes(user).filter(pk=programme.pk).exists()
    if not (member or moderator):
        raise Http404("No such space.")
    return CohortSeat(programme, cohort, person, member, moderator)


def access_cohort_post_for_moderator(
    user: Any, programme_id: int, cohort: str, post_id: int
) -> tuple[CohortSeat, CohortPost]:
    seat = access_cohort_space(user, programme_id, cohort)
    if not seat.can_moderate:
        raise Http404("No such post.")
    try:
        post = CohortPost.objects.select_related("author").get(
            pk=post_id, programme=seat.programme, cohort=cohort
        )
    except CohortPost.DoesNotExist as exc:
        raise Http404("No such post.") from exc
    post.programme = seat.programme
    return seat, post

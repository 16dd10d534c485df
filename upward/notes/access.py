"""Who may read what pairs write. Every lookup answers 404 for "missing" and "not yours".

The pair workspace itself (`Seat`, `access_pair_workspace`) lives in `upward.pairing.workspace`;
here are the notes on top of it. Programme managers and organisation admins get 404 here like
anybody else; the only content they can read is cohort posts, which were written for a whole
cohort and are moderated by the programme team.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import Http404

from upward.journey.models import Meeting
from upward.notes.models import Cohort, CohortPost, MeetingNote, SharedNote
from upward.organisations.access import person_for
from upward.organisations.models import Person
from upward.pairing.models import Pairing, PairingState
from upward.pairing.workspace import WORKSPACE_STATES, Seat, access_pair_workspace, seat_for
from upward.programmes.access import managed_programmes
from upward.programmes.models import Programme
from upward.recruitment.models import Application


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


def access_meeting_for_notes(
    user: Any, meeting_id: int
) -> tuple[Seat, Meeting, MeetingNote | None]:
    """A meeting of the user's own pair, with the user's own private note about it (if any).

    The partner's note about the same meeting is never loaded: the query filters on author.
    """
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

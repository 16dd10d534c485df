"""Who may see what in the safety app. Every lookup answers 404 for "missing" and "not yours".

Safety data is a concern (text, notes, history), an exit (who ended, category, reason), a pulse
(answers, comment and the flags derived from them), a check-in (plan, notes) and a request for
a new partner. The rule, in one place (`docs/safety.md`):

- a programme's safety data is seen by its managers (the leads) and by the people its
  organisation names as safeguarding contacts; being an org admin alone grants nothing;
- nobody ever sees safety data about a pairing they belong to, as mentor or mentee, whatever
  other role they hold: those items are left out of their lists and counts, their URLs answer
  404, and they are never notified of them.

The pair's side: each person reaches only their own pulse, exit, rematch and concerns; the
partner has no door to any of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, Q, QuerySet
from django.http import Http404

from upward.journey.models import Meeting
from upward.organisations.access import person_for, require_org_admin
from upward.organisations.models import Person
from upward.pairing.models import Pairing
from upward.programmes.access import participants_among, programmes_taken_part_in, takes_part_in
from upward.programmes.models import Programme
from upward.safety.models import CheckIn, Concern, RematchRequest, SafeguardingContact

LEAD = "lead"
SAFEGUARDING = "safeguarding"


def access_own_pairing(user: Any, pairing_id: int) -> tuple[Pairing, Person]:
    """The mentor always; the mentee once they have been told of the pairing."""
    person = person_for(user)
    if person is None:
        raise Http404("No such pairing.")
    try:
        pairing = Pairing.objects.select_related("programme__organisation", "mentor", "mentee").get(
            Q(mentor=person) | Q(mentee=person, mentee_told_at__isnull=False), pk=pairing_id
        )
    except Pairing.DoesNotExist as exc:
        raise Http404("No such pairing.") from exc
    return pairing, person


def access_pulse_meeting(user: Any, pairing_id: int, meeting_id: int) -> tuple[Meeting, Person]:
    """The pulse belongs to the pairing's mentor alone: the mentee gets 404, as for anything
    that does not exist."""
    person = person_for(user)
    if person is None:
        raise Http404("No such meeting.")
    try:
        meeting = Meeting.objects.select_related(
            "pairing__programme__organisation", "pairing__mentor", "pairing__mentee", "step"
        ).get(pk=meeting_id, pairing_id=pairing_id, pairing__mentor=person)
    except Meeting.DoesNotExist as exc:
        raise Http404("No such meeting.") from exc
    return meeting, person


# ---------------------------------------------------------------------------------------------
# The people who may see safety data


def is_safeguarding_contact(person: Person | None) -> bool:
    if person is None or not person.is_active:
        return False
    return SafeguardingContact.objects.filter(
        organisation_id=person.organisation_id, person=person
    ).exists()


def safety_programmes(user: Any) -> QuerySet[Programme]:
    """Programmes whose safety data the user may see: those they lead, and every programme of
    their organisation when they are one of its safeguarding contacts.

    A manager who takes part in a programme does not lead it (programmes.access): its safety
    pages are closed to them like its other manager pages. A safeguarding contact who takes
    part keeps the role, and `not_about` leaves their own pairing out."""
    person = person_for(user)
    if person is None:
        return Programme.objects.none()
    # One query, however it is used: pages ask this on every programme tab.
    contact = SafeguardingContact.objects.filter(
        organisation_id=person.organisation_id, person=person
    )
    led = (
        Programme.objects.filter(managers=person)
        .exclude(pk__in=programmes_taken_part_in(person).values("pk"))
        .values("pk")
    )
    return Programme.objects.filter(organisation_id=person.organisation_id).filter(
        Q(Exists(contact)) | Q(pk__in=led)
    )


def not_about(viewer: Person, prefix: str = "pairing__") -> Q:
    """Rows about a pairing the viewer is not part of. `prefix` leads to the pairing."""
    return ~Q(**{f"{prefix}mentor": viewer}) & ~Q(**{f"{prefix}mentee": viewer})


def access_programme_for_safety(user: Any, programme_id: int) -> tuple[Programme, Person]:
    """The one door to a programme's safety pages: its leads and the organisation's
    safeguarding contacts. Everyone else, org admins included, gets 404."""
    person = person_for(user)
    if person is None:
        raise Http404("No such programme.")
    try:
        programme = safety_programmes(user).select_related("organisation").get(pk=programme_id)
    except Programme.DoesNotExist as exc:
        raise Http404("No such programme.") from exc
    return programme, person


def may_change_flag_limits(viewer: Person, programme: Programme) -> bool:
    """The flag limits shape what every reader sees about every pair: a reader who takes part
    (a safeguarding contact in a pairing of the programme) could hide flags about their own
    pairing by loosening them, so only readers outside the programme change them."""
    return not takes_part_in(viewer, programme)


def access_programme_for_flag_limits(user: Any, programme_id: int) -> tuple[Programme, Person]:
    programme, viewer = access_programme_for_safety(user, programme_id)
    if not may_change_flag_limits(viewer, programme):
        raise Http404("No such programme.")
    return programme, viewer


def access_pairing_for_safety(
    user: Any, programme_id: int, pairing_id: int
) -> tuple[Pairing, Person]:
    programme, viewer = access_programme_for_safety(user, programme_id)
    try:
        pairing = (
            Pairing.objects.select_related("mentor", "mentee")
            .filter(not_about(viewer, prefix=""))
            .get(pk=pairing_id, programme=programme)
        )
    except Pairing.DoesNotExist as exc:
        raise Http404("No such pairing.") from exc
    pairing.programme = programme
    return pairing, viewer


def access_concern_for_safety(
    user: Any, programme_id: int, concern_id: int
) -> tuple[Concern, Person]:
    programme, viewer = access_programme_for_safety(user, programme_id)
    try:
        concern = (
            Concern.objects.select_related("raised_by", "pairing__mentor", "pairing__mentee")
            .filter(not_about(viewer))
            .get(pk=concern_id, programme=programme)
        )
    except Concern.DoesNotExist as exc:
        raise Http404("No such concern.") from exc
    concern.programme = programme
    return concern, viewer


def access_check_in_for_safety(
    user: Any, programme_id: int, check_in_id: int
) -> tuple[CheckIn, Person]:
    programme, viewer = access_programme_for_safety(user, programme_id)
    try:
        check_in = (
            CheckIn.objects.select_related("pairing__mentor", "pairing__mentee", "person", "lead")
            .filter(not_about(viewer))
            .exclude(person=viewer)
            .get(pk=check_in_id, programme=programme)
        )
    except CheckIn.DoesNotExist as exc:
        raise Http404("No such check-in.") from exc
    check_in.programme = programme
    return check_in, viewer


def access_rematch_request_for_safety(
    user: Any, programme_id: int, request_id: int
) -> tuple[RematchRequest, Person]:
    programme, viewer = access_programme_for_safety(user, programme_id)
    try:
        request = (
            RematchRequest.objects.select_related("person", "pairing")
            .filter(not_about(viewer))
            .get(pk=request_id, programme=programme)
        )
    except RematchRequest.DoesNotExist as exc:
        raise Http404("No such request.") from exc
    request.programme = programme
    return request, viewer


@dataclass(frozen=True)
class Reader:
    """Someone who may read a pairing's safety data, and why."""

    person: Person
    roles: tuple[str, ...]  # LEAD and/or SAFEGUARDING

    @property
    def is_lead(self) -> bool:
        return LEAD in self.roles

    @property
    def is_safeguarding_contact(self) -> bool:
        return SAFEGUARDING in self.roles


def safety_viewers(programme: Programme, *, pairing: Pairing | None = None) -> list[Reader]:
    """Everyone who may see the programme's safety data (about `pairing`, when given): its
    active managers and the organisation's active safeguarding contacts, minus the two people
    in the pairing. Used for notifications and to tell the pair exactly who reads what they
    write, so both always agree with the access helpers above."""
    roles: dict[int, list[str]] = {}
    people: dict[int, Person] = {}
    managers = list(programme.managers.filter(is_active=True).order_by("full_name", "pk"))
    taking_part = participants_among(programme, [m.pk for m in managers])
    for person in managers:
        if person.pk in taking_part:
            continue  # a manager who takes part does not lead it (see safety_programmes)
        people[person.pk] = person
        roles.setdefault(person.pk, []).append(LEAD)
    for contact in (
        SafeguardingContact.objects.filter(
            organisation_id=programme.organisation_id,
            person__organisation_id=programme.organisation_id,
            person__is_active=True,
        )
        .select_related("person")
        .order_by("person__full_name", "person_id")
    ):
        people.setdefault(contact.person_id, contact.person)
        roles.setdefault(contact.person_id, []).append(SAFEGUARDING)
    left_out = {pairing.mentor_id, pairing.mentee_id} if pairing is not None else set()
    return [
        Reader(person=people[pk], roles=tuple(roles[pk])) for pk in people if pk not in left_out
    ]


# ---------------------------------------------------------------------------------------------
# Safeguarding contacts (org admins name them)


def access_safeguarding_contact(user: Any, contact_id: int) -> SafeguardingContact:
    admin = require_org_admin(user)
    try:
        return SafeguardingContact.objects.select_related("person", "organisation").get(
            pk=contact_id, organisation_id=admin.organisation_id
        )
    except SafeguardingContact.DoesNotExist as exc:
        raise Http404("No such safeguarding contact.") from exc

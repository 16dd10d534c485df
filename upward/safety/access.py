"""Who may see what in the safety app. Every lookup answers 404 for "missing" and "not yours".

The pair's side: each person reaches only their own pulse, exit, rematch and concerns; the
partner has no door to any of them. The programme team (the programme's managers and the
organisation's admins) reach flags, concerns, exits, rematch requests and check-ins."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404

from upward.journey.models import Meeting
from upward.organisations.access import person_for
from upward.organisations.models import Person
from upward.pairing.models import Pairing
from upward.programmes.access import access_programme_for_manager
from upward.safety.models import CheckIn, Concern, RematchRequest


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


def access_pairing_for_lead(user: Any, programme_id: int, pairing_id: int) -> Pairing:
    programme = access_programme_for_manager(user, programme_id)
    try:
        pairing = Pairing.objects.select_related("mentor", "mentee").get(
            pk=pairing_id, programme=programme
        )
    except Pairing.DoesNotExist as exc:
        raise Http404("No such pairing.") from exc
    pairing.programme = programme
    return pairing


def access_concern_for_lead(user: Any, programme_id: int, concern_id: int) -> Concern:
    programme = access_programme_for_manager(user, programme_id)
    try:
        concern = Concern.objects.select_related(
            "raised_by", "pairing__mentor", "pairing__mentee"
        ).get(pk=concern_id, programme=programme)
    except Concern.DoesNotExist as exc:
        raise Http404("No such concern.") from exc
    concern.programme = programme
    return concern


def access_check_in_for_lead(user: Any, programme_id: int, check_in_id: int) -> CheckIn:
    programme = access_programme_for_manager(user, programme_id)
    try:
        check_in = CheckIn.objects.select_related(
            "pairing__mentor", "pairing__mentee", "person", "lead"
        ).get(pk=check_in_id, programme=programme)
    except CheckIn.DoesNotExist as exc:
        raise Http404("No such check-in.") from exc
    check_in.programme = programme
    return check_in


def access_rematch_request_for_lead(
    user: Any, programme_id: int, request_id: int
) -> RematchRequest:
    programme = access_programme_for_manager(user, programme_id)
    try:
        request = RematchRequest.objects.select_related("person", "pairing").get(
            pk=request_id, programme=programme
        )
    except RematchRequest.DoesNotExist as exc:
        raise Http404("No such request.") from exc
    request.programme = programme
    return request

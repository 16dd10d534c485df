"""Who may see the journey. Every lookup answers 404 for "missing" and "not yours".

The content of a pairing (agenda, agreement, meeting details) belongs to the two people in it.
Programme managers and admins get counts through `access_pairing_for_manager`, never content.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404

from upward.journey.models import (
    CalendarFeed,
    Event,
    JourneyTemplate,
    Meeting,
    MeetingAgendaItem,
)
from upward.organisations.access import person_for, require_person
from upward.organisations.models import Person
from upward.pairing.models import Pairing, PairingState
from upward.pairing.workspace import WORKSPACE_STATES, Seat, seat_for
from upward.programmes.access import access_programme_for_manager, can_manage_programmes
from upward.programmes.models import Programme
from upward.recruitment.models import Application

# The journey exists once both people have said yes; a finished pairing keeps its history.
# It is the pair workspace's page, so it opens in the same states.
JOURNEY_STATES = WORKSPACE_STATES


def _pair_filter(person: Person, prefix: str = "") -> Q:
    return Q(**{f"{prefix}mentor": person}) | Q(**{f"{prefix}mentee": person})


def _seat(pairing: Pairing, person: Person) -> Seat:
    seat = seat_for(pairing, person)
    assert seat is not None  # every query here only finds the person's own pairings
    return seat


def access_pair_journey(user: Any, pairing_id: int) -> Seat:
    person = person_for(user)
    if person is None:
        raise Http404("No such pairing.")
    try:
        pairing = Pairing.objects.select_related(
            "programme__organisation",
            "programme__journey__version__template",
            "mentor__department",
            "mentee__department",
        ).get(_pair_filter(person), pk=pairing_id, state__in=JOURNEY_STATES)
    except Pairing.DoesNotExist as exc:
        raise Http404("No such pairing.") from exc
    return _seat(pairing, person)


def access_pairing_for_manager(user: Any, programme_id: int, pairing_id: int) -> Pairing:
    programme = access_programme_for_manager(user, programme_id)
    try:
        pairing = Pairing.objects.select_related("mentor", "mentee").get(
            pk=pairing_id, programme=programme, state__in=JOURNEY_STATES
        )
    except Pairing.DoesNotExist as exc:
        raise Http404("No such pairing.") from exc
    pairing.programme = programme
    return pairing


def access_meeting(user: Any, meeting_id: int) -> tuple[Seat, Meeting]:
    person = person_for(user)
    if person is None:
        raise Http404("No such meeting.")
    try:
        meeting = Meeting.objects.select_related(
            "pairing__programme__organisation",
            "pairing__programme__journey",
            "pairing__mentor",
            "pairing__mentee",
            "step",
            "organiser",
        ).get(
            _pair_filter(person, "pairing__"),
            pk=meeting_id,
            pairing__state__in=JOURNEY_STATES,
        )
    except Meeting.DoesNotExist as exc:
        raise Http404("No such meeting.") from exc
    return _seat(meeting.pairing, person), meeting


def access_agenda_item(user: Any, item_id: int) -> tuple[Seat, MeetingAgendaItem]:
    person = person_for(user)
    if person is None:
        raise Http404("No such item.")
    try:
        item = MeetingAgendaItem.objects.select_related(
            "meeting__pairing__mentor", "meeting__pairing__mentee", "meeting__pairing__programme"
        ).get(
            _pair_filter(person, "meeting__pairing__"),
            pk=item_id,
            meeting__pairing__state__in=JOURNEY_STATES,
        )
    except MeetingAgendaItem.DoesNotExist as exc:
        raise Http404("No such item.") from exc
    return _seat(item.meeting.pairing, person), item


def programme_role(person: Person, programme: Programme) -> str | None:
    """'mentor', 'mentee' or None: from the accepted application, or a pairing in the journey."""
    application = (
        Application.objects.filter(
            programme=programme, person=person, status=Application.Status.ACCEPTED
        )
        .values_list("role", flat=True)
        .first()
    )
    if application:
        return application
    pairing = (
        Pairing.objects.filter(_pair_filter(person), programme=programme)
        .exclude(state__in=[PairingState.DECLINED])
        .values_list("mentor_id", flat=True)
        .first()
    )
    if pairing is None:
        return None
    return "mentor" if pairing == person.pk else "mentee"


def audience_allows(event: Event, role: str | None) -> bool:
    if role is None:
        return False
    return event.audience == Event.Audience.ALL or event.audience == f"{role}s"


def access_event_for_participant(user: Any, event_id: int) -> Event:
    """An event of a programme the person takes part in, for their role."""
    person = person_for(user)
    if person is None:
        raise Http404("No such event.")
    try:
        event = Event.objects.select_related("programme__organisation", "organiser").get(
            pk=event_id, programme__organisation_id=person.organisation_id
        )
    except Event.DoesNotExist as exc:
        raise Http404("No such event.") from exc
    role = programme_role(person, event.programme)
    if not audience_allows(event, role):
        raise Http404("No such event.")
    event.viewer = person  # type: ignore[attr-defined]
    event.viewer_role = role  # type: ignore[attr-defined]
    return event


def access_event_for_manager(user: Any, programme_id: int, event_id: int) -> Event:
    programme = access_programme_for_manager(user, programme_id)
    try:
        event = Event.objects.select_related("organiser").get(pk=event_id, programme=programme)
    except Event.DoesNotExist as exc:
        raise Http404("No such event.") from exc
    event.programme = programme
    return event


def require_template_manager(user: Any) -> Person:
    """Journey templates are for people who run programmes (and organisation admins)."""
    person = require_person(user)
    if not can_manage_programmes(user):
        raise Http404("Not allowed.")
    return person


def visible_templates(person: Person) -> Any:
    return JourneyTemplate.objects.filter(
        Q(organisation__isnull=True) | Q(organisation_id=person.organisation_id)
    )


def access_template(user: Any, template_id: int) -> JourneyTemplate:
    """Built-in templates (read-only) and the organisation's own."""
    person = require_template_manager(user)
    try:
        template = visible_templates(person).select_related("organisation").get(pk=template_id)
    except JourneyTemplate.DoesNotExist as exc:
        raise Http404("No such journey.") from exc
    template.viewer = person  # type: ignore[attr-defined]
    return template


def access_template_for_edit(user: Any, template_id: int) -> JourneyTemplate:
    """Only the organisation's own templates can be edited; built-ins are cloned instead."""
    template = access_template(user, template_id)
    if template.organisation_id is None:
        raise Http404("Built-in journeys cannot be edited.")
    return template


def access_feed(token: str) -> CalendarFeed:
    """The secret feed URL: no login, so the token is the only key."""
    try:
        return CalendarFeed.objects.select_related("person").get(
            token=token, person__is_active=True
        )
    except CalendarFeed.DoesNotExist as exc:
        raise Http404("No such calendar.") from exc

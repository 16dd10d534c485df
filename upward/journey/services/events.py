"""Programme events: create, change, cancel, RSVPs, attendance and their invitations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from upward.core.audit import record
from upward.core.errors import DomainError, InvalidTransition
from upward.core.types import Actor
from upward.journey import ics
from upward.journey.models import (
    MIN_MINUTES,
    Event,
    EventResponse,
)
from upward.journey.selectors import event_audience, event_audience_queryset, event_item
from upward.journey.services._shared import _zone, in_zone
from upward.journey.services.invites import calendar_email
from upward.notifications.outbox import queue_emails
from upward.notifications.rendering import Action
from upward.organisations.models import Person
from upward.programmes.models import Programme

EVENT_FIELDS = ("kind", "audience", "title", "description", "place", "video_url")


def _check_event_times(starts_at: dt.datetime, ends_at: dt.datetime) -> int:
    if ends_at <= starts_at:
        raise DomainError(_("The end must be after the start."), field="end_time")
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    if not MIN_MINUTES <= minutes <= 480:
        raise DomainError(_("An event lasts between 15 minutes and 8 hours."), field="end_time")
    if starts_at <= timezone.now():
        raise DomainError(_("Choose a time in the future."), field="date")
    return minutes


def save_event(
    programme: Programme,
    event: Event | None,
    *,
    data: Mapping[str, Any],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    time_zone: str,
    organiser: Person,
    by: Actor,
) -> Event:
    _zone(time_zone)
    minutes = _check_event_times(starts_at, ends_at)
    if not (data.get("title") or "").strip():
        raise DomainError(_("Give the event a title."), field="title")
    if event is not None and event.cancelled_at is not None:
        raise InvalidTransition(_("This event was cancelled and cannot change."))
    with transaction.atomic():
        creating = event is None
        if event is None:
            event = Event(programme=programme)
        before = _as_invited(event)
        for field in EVENT_FIELDS:
            if field in data:
                setattr(event, field, data[field])
        event.starts_at = starts_at
        event.ends_at = ends_at
        event.duration_minutes = minutes
        event.time_zone = time_zone
        event.organiser = organiser
        # Invitations go out again only when what they said changed: an edit to the kind alone
        # must not send a thousand emails, and SEQUENCE rises only when calendars must update.
        reinvite = not creating and _as_invited(event) != before
        if reinvite:
            event.sequence += 1
        event.save()
        record(
            "journey.event_created" if creating else "journey.event_updated",
            event,
            by=by,
            organisation=programme.organisation,
        )
        if creating or reinvite:
            _send_event_invites(event)
    return event


def _as_invited(event: Event) -> tuple[Any, ...]:
    """What an invitation shows and whom it reaches: a change to any of these re-sends it."""
    return (
        event.title,
        event.description,
        event.starts_at,
        event.ends_at,
        event.time_zone,
        event.place,
        event.video_url,
        event.organiser_id,
        event.audience,
    )


def cancel_event(event: Event, *, by: Actor) -> Event:
    if event.cancelled_at is not None:
        raise InvalidTransition(_("This event is already cancelled."))
    with transaction.atomic():
        event.cancelled_at = timezone.now()
        event.sequence += 1
        event.save(update_fields=["cancelled_at", "sequence", "updated_at"])
        record("journey.event_cancelled", event, by=by, organisation=event.programme.organisation)
        _send_event_invites(event)
    return event


def _send_event_invites(event: Event) -> None:
    declined = set(
        EventResponse.objects.filter(event=event, answer=EventResponse.Answer.NO).values_list(
            "person_id", flat=True
        )
    )
    emails = []
    link = ics.site_url(reverse("journey:event", args=[event.pk]))
    organisation = event.programme.organisation.name
    reason = _(
        "You are getting this email because you take part in %(programme)s, and its events "
        "are for you."
    ) % {"programme": event.programme.name}
    for person in event_audience(event):
        if person.pk in declined or not person.email:
            continue
        item = event_item(event, person)
        content = ics.invite(item)
        method = ics.method_of(item)
        body = render_to_string(
            "journey/email/event_invite.txt",
            {
                "event": event,
                "person": person,
                "when": in_zone(event.starts_at, person.time_zone),
                "zone": person.time_zone,
                "link": link,
                "cancelled": item.cancelled,
            },
        )
        prefix = _("Cancelled") if item.cancelled else (_("Updated") if event.sequence else "")
        subject = f"{prefix}: {event.title}" if prefix else event.title
        emails.append(
            calendar_email(
                subject=subject,
                body=body,
                to=person,
                content=content,
                method=method,
                action=None if item.cancelled else Action(_("Tell us if you can come"), link),
                organisation=organisation,
                reason=reason,
            )
        )
    # One batch: a thousand invitations leave over one connection, after the commit.
    queue_emails(emails)


def respond_to_event(event: Event, *, person: Person, answer: str, by: Actor) -> EventResponse:
    if answer not in EventResponse.Answer.values:
        raise DomainError(_("Choose yes, maybe or no."), field="answer")
    if event.cancelled_at is not None:
        raise InvalidTransition(_("This event was cancelled."))
    if event.ends_at <= timezone.now():
        raise InvalidTransition(_("This event has already taken place."))
    with transaction.atomic():
        response, _created = EventResponse.objects.get_or_create(event=event, person=person)
        response.answer = answer
        response.answered_at = timezone.now()
        response.save(update_fields=["answer", "answered_at"])
        record(
            "journey.event_answered",
            event,
            by=by,
            organisation=event.programme.organisation,
            data={"answer": answer},
        )
    return response


def mark_attendance(event: Event, *, attended: Mapping[int, bool], by: Actor) -> int:
    """Managers record who came, once the event has started. Returns the number of rows.

    Only the people in `attended` change (one page of the list at a time), in a fixed number
    of queries however many there are."""
    if event.starts_at > timezone.now():
        raise DomainError(_("Attendance can be recorded once the event has started."))
    ids = set(attended)
    in_audience = set(
        event_audience_queryset(event).filter(pk__in=ids).values_list("pk", flat=True)
    )
    if ids - in_audience:
        raise DomainError(_("Someone in the list is not in this event's audience."))
    now = timezone.now()
    with transaction.atomic():
        existing = set(
            EventResponse.objects.filter(event=event, person_id__in=ids).values_list(
                "person_id", flat=True
            )
        )
        EventResponse.objects.bulk_create(
            EventResponse(
                event=event, person_id=pk, attended=attended[pk], attendance_marked_at=now
            )
            for pk in ids - existing
        )
        for came in (True, False):
            chosen = [pk for pk in existing if bool(attended[pk]) is came]
            if chosen:
                EventResponse.objects.filter(event=event, person_id__in=chosen).update(
                    attended=came, attendance_marked_at=now
                )
        record(
            "journey.attendance_marked",
            event,
            by=by,
            organisation=event.programme.organisation,
            data={"count": len(attended)},
        )
    return len(attended)

"""Pair meetings: who organises, booking, moving, cancelling, marking, and their agendas.

Audit entries never hold agenda text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from upward.core.audit import record
from upward.core.errors import Conflict, DomainError, InvalidTransition
from upward.core.types import Actor
from upward.journey.models import (
    MAX_MINUTES,
    MIN_MINUTES,
    JourneyStep,
    Meeting,
    MeetingAgendaItem,
    MeetingStatus,
    StepKind,
)
from upward.journey.selectors import may_organise, organisers, programme_journey
from upward.journey.services._shared import _live, _role, _user, _zone
from upward.journey.services.invites import _send_invites
from upward.journey.services.programme_journey import _pinned_journey
from upward.organisations.models import Person
from upward.pairing.models import Pairing


def _check_organiser(pairing: Pairing, person: Person) -> None:
    _role(pairing, person)
    if not may_organise(pairing, person):
        names = " / ".join(p.full_name for p in organisers(pairing))
        raise DomainError(
            _("In this programme %(name)s books and changes meetings.") % {"name": names}
        )


def local_datetime(date: dt.date, time: dt.time, zone_name: str) -> dt.datetime:
    """A wall-clock time in a zone, refusing times that do not exist (clocks going forward)."""
    zone = _zone(zone_name)
    naive = dt.datetime.combine(date, time)
    aware = naive.replace(tzinfo=zone)
    round_trip = aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        raise DomainError(
            _("That time does not exist in %(tz)s because the clocks change. Pick another.")
            % {"tz": zone_name},
            field="start_time",
        )
    return aware


def _check_times(starts_at: dt.datetime, duration: int) -> dt.datetime:
    if timezone.is_naive(starts_at):
        raise DomainError(_("Give the time with its time zone."), field="start_time")
    if not MIN_MINUTES <= int(duration) <= MAX_MINUTES:
        raise DomainError(
            _("A meeting lasts between %(min)s and %(max)s minutes.")
            % {"min": MIN_MINUTES, "max": MAX_MINUTES},
            field="duration_minutes",
        )
    if starts_at <= timezone.now():
        raise DomainError(_("Choose a time in the future."), field="date")
    ends_at = starts_at + dt.timedelta(minutes=int(duration))
    return ends_at


def _check_step(pairing: Pairing, step: JourneyStep | None) -> None:
    if step is None:
        return
    pj = programme_journey(pairing.programme)
    if pj.version_id is None or step.version_id != pj.version_id:
        raise DomainError(_("Choose one of this programme's sessions."), field="step")
    if step.kind != StepKind.SESSION:
        raise DomainError(
            _("Kick-offs and knowledge sessions are programme events, not pair meetings."),
            field="step",
        )


def _lock_people(people: Iterable[Person]) -> None:
    # Person rows are the lock for anyone's diary, taken in id order so two bookings touching
    # the same people cannot deadlock. (SQLite takes its write lock at BEGIN IMMEDIATE anyway.)
    ids = sorted({p.pk for p in people})
    list(Person.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))


def _check_overlap(
    pairing: Pairing,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    zone_name: str,
    exclude: int | None = None,
) -> None:
    people = [pairing.mentor_id, pairing.mentee_id]
    clash = (
        Meeting.objects.filter(
            Q(pairing__mentor_id__in=people) | Q(pairing__mentee_id__in=people),
            status=MeetingStatus.SCHEDULED,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        .exclude(pk=exclude or 0)
        .select_related("pairing")
        .order_by("starts_at")
        .first()
    )
    if clash is None:
        return
    when = timezone.localtime(clash.starts_at, _zone(zone_name)).strftime("%d %b %Y %H:%M")
    if clash.pairing_id == pairing.pk:
        message = _("You already have a meeting at that time (%(when)s). Pick another time.")
    else:
        message = _(
            "One of you already has another mentoring meeting at that time (%(when)s). "
            "Pick another time."
        )
    raise Conflict(message % {"when": when}, field="start_time")


def _check_slot(
    pairing: Pairing,
    step: JourneyStep | None,
    starts_at: dt.datetime,
    duration_minutes: int,
    zone_name: str,
) -> dt.datetime:
    """What a booking and a move both check about the slot itself: the step, the times and
    the time zone. Returns when the meeting ends."""
    _check_step(pairing, step)
    ends_at = _check_times(starts_at, duration_minutes)
    _zone(zone_name)
    return ends_at


def book_meeting(
    pairing: Pairing,
    *,
    person: Person,
    starts_at: dt.datetime,
    duration_minutes: int,
    step: JourneyStep | None = None,
    place: str = "",
    video_url: str = "",
    time_zone: str | None = None,
    by: Actor,
) -> Meeting:
    _check_organiser(pairing, person)
    _live(pairing)
    zone_name = time_zone or person.time_zone
    ends_at = _check_slot(pairing, step, starts_at, duration_minutes, zone_name)
    with transaction.atomic():
        _lock_people([pairing.mentor, pairing.mentee])
        _check_overlap(pairing, starts_at, ends_at, zone_name=zone_name)
        _pinned_journey(pairing.programme)
        meeting = Meeting.objects.create(
            pairing=pairing,
            step=step,
            starts_at=starts_at,
            duration_minutes=int(duration_minutes),
            ends_at=ends_at,
            time_zone=zone_name,
            place=(place or "").strip()[:200],
            video_url=(video_url or "").strip(),
            organiser=person,
            created_by=_user(by),
        )
        _fill_agenda(meeting)
        _carry_over(pairing)
        record(
            "journey.meeting_booked",
            meeting,
            by=by,
            organisation=pairing.programme.organisation,
        )
        _send_invites(meeting)
    return meeting


def reschedule_meeting(
    meeting: Meeting,
    *,
    person: Person,
    starts_at: dt.datetime,
    duration_minutes: int,
    step: JourneyStep | None = None,
    place: str = "",
    video_url: str = "",
    time_zone: str | None = None,
    by: Actor,
) -> Meeting:
    pairing = meeting.pairing
    _check_organiser(pairing, person)
    _live(pairing)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise InvalidTransition(_("Only a booked meeting can be moved."))
    zone_name = time_zone or meeting.time_zone
    ends_at = _check_slot(pairing, step, starts_at, duration_minutes, zone_name)
    with transaction.atomic():
        _lock_people([pairing.mentor, pairing.mentee])
        _check_overlap(pairing, starts_at, ends_at, zone_name=zone_name, exclude=meeting.pk)
        step_changed = (step.pk if step else None) != meeting.step_id
        meeting.starts_at = starts_at
        meeting.ends_at = ends_at
        meeting.duration_minutes = int(duration_minutes)
        meeting.step = step
        meeting.place = (place or "").strip()[:200]
        meeting.video_url = (video_url or "").strip()
        meeting.time_zone = zone_name
        meeting.organiser = person
        # Every change raises SEQUENCE so calendars replace the entry they hold.
        meeting.sequence += 1
        meeting.reminder_sent_at = None
        meeting.save()
        if step_changed:
            meeting.agenda.filter(carried_from__isnull=True, done_at__isnull=True).delete()
            _fill_agenda(meeting)
        record(
            "journey.meeting_rescheduled",
            meeting,
            by=by,
            organisation=pairing.programme.organisation,
            data={"sequence": meeting.sequence},
        )
        _send_invites(meeting)
    return meeting


def cancel_meeting(meeting: Meeting, *, person: Person, by: Actor) -> Meeting:
    pairing = meeting.pairing
    _check_organiser(pairing, person)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise InvalidTransition(_("Only a booked meeting can be cancelled."))
    with transaction.atomic():
        updated = Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.SCHEDULED).update(
            status=MeetingStatus.CANCELLED,
            cancelled_at=timezone.now(),
            sequence=meeting.sequence + 1,
            updated_at=timezone.now(),
        )
        if not updated:
            raise InvalidTransition(_("This meeting has already changed. Reload the page."))
        meeting.refresh_from_db()
        _carry_over(pairing)
        record(
            "journey.meeting_cancelled",
            meeting,
            by=by,
            organisation=pairing.programme.organisation,
            data={"sequence": meeting.sequence},
        )
        _send_invites(meeting)
    return meeting


def mark_meeting(
    meeting: Meeting, *, person: Person, held: bool, actual_minutes: int | None, by: Actor
) -> Meeting:
    """After the start time, either person records whether it happened and for how long."""
    pairing = meeting.pairing
    _role(pairing, person)
    if meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.HELD, MeetingStatus.MISSED):
        raise InvalidTransition(_("A cancelled meeting cannot be marked."))
    if meeting.starts_at > timezone.now():
        raise DomainError(_("You can record a meeting once its start time has passed."))
    if held and (actual_minutes is None or not 1 <= int(actual_minutes) <= 600):
        raise DomainError(
            _("Say how many minutes you met, between 1 and 600."), field="actual_minutes"
        )
    with transaction.atomic():
        meeting.status = MeetingStatus.HELD if held else MeetingStatus.MISSED
        meeting.actual_minutes = int(actual_minutes) if held and actual_minutes else None
        meeting.marked_at = timezone.now()
        meeting.save(update_fields=["status", "actual_minutes", "marked_at", "updated_at"])
        _carry_over(pairing)
        record(
            "journey.meeting_marked",
            meeting,
            by=by,
            organisation=pairing.programme.organisation,
            data={"status": meeting.status, "minutes": meeting.actual_minutes},
        )
    return meeting


def _fill_agenda(meeting: Meeting) -> None:
    if meeting.step is None:
        return
    start = (meeting.agenda.aggregate(m=Max("position"))["m"] or 0) + 1
    MeetingAgendaItem.objects.bulk_create(
        MeetingAgendaItem(meeting=meeting, position=start + i, text=item.text, source_item=item)
        for i, item in enumerate(meeting.step.agenda_items.all())
    )


def _carry_over(pairing: Pairing) -> None:
    """Move unticked items of the pair's finished or cancelled meetings to their next booked
    meeting, once each, skipping lines the next meeting already has."""
    target = (
        Meeting.objects.filter(
            pairing=pairing, status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now()
        )
        .order_by("starts_at")
        .first()
    )
    if target is None:
        return
    leftovers = list(
        MeetingAgendaItem.objects.filter(
            meeting__pairing=pairing,
            meeting__status__in=[
                MeetingStatus.HELD,
                MeetingStatus.MISSED,
                MeetingStatus.CANCELLED,
            ],
            done_at__isnull=True,
            carried_to__isnull=True,
        )
        .exclude(meeting=target)
        .order_by("meeting__starts_at", "position", "id")
    )
    if not leftovers:
        return
    existing = {text.casefold() for text in target.agenda.values_list("text", flat=True)}
    position = target.agenda.aggregate(m=Max("position"))["m"] or 0
    for item in leftovers:
        if item.text.casefold() in existing:
            continue
        existing.add(item.text.casefold())
        position += 1
        MeetingAgendaItem.objects.create(
            meeting=target,
            position=position,
            text=item.text,
            source_item=item.source_item,
            carried_from=item,
        )


def toggle_agenda_item(item: MeetingAgendaItem, *, person: Person, by: Actor) -> MeetingAgendaItem:
    pairing = item.meeting.pairing
    _role(pairing, person)
    _live(pairing)
    if item.meeting.status == MeetingStatus.CANCELLED:
        raise InvalidTransition(_("This meeting was cancelled; tick the item on the next one."))
    with transaction.atomic():
        if item.done_at is None:
            item.done_at = timezone.now()
            item.done_by = person
        else:
            item.done_at = None
            item.done_by = None
        item.save(update_fields=["done_at", "done_by"])
        record(
            "journey.agenda_item_toggled",
            item.meeting,
            by=by,
            organisation=pairing.programme.organisation,
            data={"item": item.pk, "done": item.done_at is not None},
        )
    return item


def add_agenda_item(meeting: Meeting, *, person: Person, text: str, by: Actor) -> MeetingAgendaItem:
    pairing = meeting.pairing
    _role(pairing, person)
    _live(pairing)
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the item first."), field="text")
    if len(text) > 300:
        raise DomainError(_("Keep it under 300 characters."), field="text")
    if meeting.status == MeetingStatus.CANCELLED:
        raise InvalidTransition(_("This meeting was cancelled."))
    with transaction.atomic():
        position = (meeting.agenda.aggregate(m=Max("position"))["m"] or 0) + 1
        item = MeetingAgendaItem.objects.create(meeting=meeting, position=position, text=text)
        record(
            "journey.agenda_item_added",
            meeting,
            by=by,
            organisation=pairing.programme.organisation,
        )
    return item

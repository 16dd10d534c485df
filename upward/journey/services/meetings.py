"""Pair meetings: who organises, booking, moving, cancelling, logging one that already
happened, each person's account of it, and their agendas.

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
    MAX_RECORDED_MINUTES,
    MIN_LOGGED_MINUTES,
    MIN_MINUTES,
    JourneyStep,
    Meeting,
    MeetingAgendaItem,
    MeetingOutcome,
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
    statuses: tuple[str, ...] = (MeetingStatus.SCHEDULED,),
) -> None:
    people = [pairing.mentor_id, pairing.mentee_id]
    clash = (
        Meeting.objects.filter(
            Q(pairing__mentor_id__in=people) | Q(pairing__mentee_id__in=people),
            status__in=statuses,
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


def minutes_limit(meeting: Meeting) -> int:
    """The most minutes either person may record: three times the booked length, and never
    more than 600, so nobody turns an hour into a day by accident or on purpose."""
    return min(3 * int(meeting.duration_minutes), MAX_RECORDED_MINUTES)


def _account(meeting: Meeting, held: bool, actual_minutes: object) -> tuple[str, int | None]:
    if not held:
        return MeetingOutcome.MISSED, None
    limit = minutes_limit(meeting)
    try:
        minutes = int(str(actual_minutes))
    except (TypeError, ValueError):
        minutes = 0
    if not 1 <= minutes <= limit:
        raise DomainError(
            _("Say how many minutes you met, between 1 and %(max)s.") % {"max": limit},
            field="actual_minutes",
        )
    return MeetingOutcome.HELD, minutes


def _work_out_record(meeting: Meeting) -> None:
    """The figure everything counts, from the accounts given so far. One account counts as
    given. Two that differ count the lower figure: "missed" if either says so, else the fewer
    minutes. Two that agree settle the record."""
    accounts = [
        (outcome, minutes)
        for outcome, minutes in (
            (meeting.mentor_outcome, meeting.mentor_minutes),
            (meeting.mentee_outcome, meeting.mentee_minutes),
        )
        if outcome
    ]
    if not accounts:
        return
    if any(outcome == MeetingOutcome.MISSED for outcome, _m in accounts):
        meeting.status = MeetingStatus.MISSED
        meeting.actual_minutes = None
    else:
        meeting.status = MeetingStatus.HELD
        meeting.actual_minutes = min(int(m or 0) for _o, m in accounts)
    agreed = len(accounts) == 2 and accounts[0] == accounts[1]
    if not agreed:
        meeting.settled_at = None
    elif meeting.settled_at is None:
        meeting.settled_at = timezone.now()


_RECORD_FIELDS = [
    "status",
    "actual_minutes",
    "mentor_outcome",
    "mentor_minutes",
    "mentee_outcome",
    "mentee_minutes",
    "settled_at",
    "proposed_outcome",
    "proposed_minutes",
    "proposed_by",
    "proposed_at",
    "marked_at",
    "updated_at",
]


def _locked(meeting: Meeting) -> None:
    """Lock the meeting's row and read its record again, so two people answering at once
    cannot overwrite each other."""
    list(Meeting.objects.select_for_update().filter(pk=meeting.pk).values("pk"))
    meeting.refresh_from_db(fields=[f for f in _RECORD_FIELDS if f != "updated_at"])


def _check_recordable(meeting: Meeting, person: Person) -> str:
    pairing = meeting.pairing
    role = _role(pairing, person)
    _live(pairing)
    if meeting.status == MeetingStatus.CANCELLED:
        raise InvalidTransition(_("A cancelled meeting cannot be marked."))
    if meeting.starts_at > timezone.now():
        raise DomainError(_("You can record a meeting once its start time has passed."))
    return role


def _partner_name(meeting: Meeting, role: str) -> str:
    pairing = meeting.pairing
    return str((pairing.mentee if role == "mentor" else pairing.mentor).full_name)


def mark_meeting(
    meeting: Meeting, *, person: Person, held: bool, actual_minutes: int | None, by: Actor
) -> Meeting:
    """After the start time each person records their own account: whether it happened and
    for how long. Once both accounts agree the record is settled; after that a change needs
    both (`propose_record_change`)."""
    role = _check_recordable(meeting, person)
    outcome, minutes = _account(meeting, held, actual_minutes)
    pairing = meeting.pairing
    with transaction.atomic():
        _locked(meeting)
        if meeting.is_settled:
            raise InvalidTransition(
                _(
                    "You have both recorded this meeting, so it is settled. To change it, "
                    "propose a change; it applies once %(name)s accepts."
                )
                % {"name": _partner_name(meeting, role)}
            )
        setattr(meeting, f"{role}_outcome", outcome)
        setattr(meeting, f"{role}_minutes", minutes)
        _work_out_record(meeting)
        meeting.marked_at = timezone.now()
        meeting.save(update_fields=_RECORD_FIELDS)
        _carry_over(pairing)
        record(
            "journey.meeting_marked",
            meeting,
            by=by,
            organisation=pairing.programme.organisation,
            data={
                "role": role,
                "outcome": outcome,
                "minutes": minutes,
                "status": meeting.status,
                "counted_minutes": meeting.actual_minutes,
                "settled": meeting.is_settled,
            },
        )
    return meeting


def propose_record_change(
    meeting: Meeting, *, person: Person, held: bool, actual_minutes: int | None, by: Actor
) -> Meeting:
    """Ask the partner to change a settled record. Nothing changes until they accept."""
    role = _check_recordable(meeting, person)
    outcome, minutes = _account(meeting, held, actual_minutes)
    pairing = meeting.pairing
    with transaction.atomic():
        _locked(meeting)
        if not meeting.is_settled:
            raise InvalidTransition(
                _("This record is not settled yet: record your own account instead.")
            )
        if (outcome, minutes) == (meeting.outcome_of(role), meeting.minutes_of(role)):
            raise DomainError(_("That is what the record already says."), field="outcome")
        meeting.proposed_outcome = outcome
        meeting.proposed_minutes = minutes
        meeting.proposed_by = person
        meeting.proposed_at = timezone.now()
        meeting.save(update_fields=_RECORD_FIELDS)
        record(
            "journey.meeting_change_proposed",
            meeting,
            by=by,
            organisation=pairing.programme.organisation,
            data={"role": role, "outcome": outcome, "minutes": minutes},
        )
    return meeting


def answer_record_change(
    meeting: Meeting, *, person: Person, accept: bool, by: Actor, proposal: str | None = None
) -> Meeting:
    """The partner accepts or declines a proposed change; the proposer may withdraw it.
    `proposal` is the `proposal_key` of the change the person saw: when the proposal changed or
    was withdrawn since, the answer is refused rather than applied to another change."""
    pairing = meeting.pairing
    role = _role(pairing, person)
    _live(pairing)
    with transaction.atomic():
        _locked(meeting)
        if not meeting.proposed_outcome:
            raise InvalidTransition(_("There is no change waiting for an answer."))
        if proposal is not None and proposal != meeting.proposal_key:
            raise Conflict(
                _(
                    "The proposed change is not the one you saw: it was changed or withdrawn "
                    "meanwhile. Here is the record as it stands now."
                )
            )
        own = meeting.proposed_by_id == person.pk
        if accept and own:
            raise DomainError(_("Your partner accepts a change you proposed, not you."))
        before = {"status": meeting.status, "minutes": meeting.actual_minutes}
        if accept:
            for side in ("mentor", "mentee"):
                setattr(meeting, f"{side}_outcome", meeting.proposed_outcome)
                setattr(meeting, f"{side}_minutes", meeting.proposed_minutes)
            _work_out_record(meeting)
            meeting.marked_at = timezone.now()
            verb = "journey.meeting_record_changed"
        else:
            verb = "journey.meeting_change_withdrawn" if own else "journey.meeting_change_declined"
        meeting.proposed_outcome = ""
        meeting.proposed_minutes = None
        meeting.proposed_by = None
        meeting.proposed_at = None
        meeting.save(update_fields=_RECORD_FIELDS)
        if accept:
            _carry_over(pairing)
        record(
            verb,
            meeting,
            by=by,
            organisation=pairing.programme.organisation,
            data={
                "role": role,
                "from": before,
                "to": {"status": meeting.status, "minutes": meeting.actual_minutes},
            },
        )
    return meeting


def log_past_meeting(
    pairing: Pairing,
    *,
    person: Person,
    starts_at: dt.datetime,
    duration_minutes: int,
    time_zone: str | None = None,
    by: Actor,
) -> Meeting:
    """Either person records a meeting that already happened and was never booked here. It
    counts as held for the minutes given, as this person's account; the partner may add theirs
    (agreeing settles it). No invitation goes out: it is over."""
    role = _role(pairing, person)
    _live(pairing)
    zone_name = time_zone or person.time_zone
    zone = _zone(zone_name)
    if timezone.is_naive(starts_at):
        raise DomainError(_("Give the time with its time zone."), field="start_time")
    try:
        minutes = int(duration_minutes)
    except (TypeError, ValueError):
        minutes = 0
    if not MIN_LOGGED_MINUTES <= minutes <= MAX_RECORDED_MINUTES:
        raise DomainError(
            _("Say how long you met, between %(min)s and %(max)s minutes.")
            % {"min": MIN_LOGGED_MINUTES, "max": MAX_RECORDED_MINUTES},
            field="duration_minutes",
        )
    now = timezone.now()
    if starts_at > now:
        raise DomainError(
            _(
                "That is in the future. Book it instead; here you log a meeting that already "
                "happened."
            ),
            field="date",
        )
    began = pairing.mentee_responded_at or pairing.created_at
    earliest = max(pairing.programme.starts_on, timezone.localdate(began, zone))
    if timezone.localdate(starts_at, zone) < earliest:
        raise DomainError(
            _("Your pairing started on %(day)s. Log meetings from then on.")
            % {"day": earliest.strftime("%d %b %Y")},
            field="date",
        )
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    with transaction.atomic():
        _lock_people([pairing.mentor, pairing.mentee])
        _check_overlap(
            pairing,
            starts_at,
            ends_at,
            zone_name=zone_name,
            statuses=(MeetingStatus.SCHEDULED, MeetingStatus.HELD, MeetingStatus.MISSED),
        )
        meeting = Meeting.objects.create(
            pairing=pairing,
            starts_at=starts_at,
            duration_minutes=minutes,
            ends_at=ends_at,
            time_zone=zone_name,
            organiser=person,
            status=MeetingStatus.HELD,
            actual_minutes=minutes,
            marked_at=now,
            logged_at=now,
            created_by=_user(by),
            **{f"{role}_outcome": MeetingOutcome.HELD, f"{role}_minutes": minutes},
        )
        record(
            "journey.meeting_logged",
            meeting,
            by=by,
            organisation=pairing.programme.organisation,
            data={"role": role, "minutes": minutes},
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

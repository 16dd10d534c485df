"""Every write of the journey: templates and their versions, the programme's choice, the pair
agreement, meetings and their agendas, events and RSVPs, calendar feeds and reminders.

Each service checks its rules, writes inside one transaction, records an audit entry and sends
email only after the commit. Audit entries never hold agenda text or agreement wording.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping
from decimal import Decimal
from email.mime.text import MIMEText
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.templatetags.tz import do_timezone
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from upward.core.audit import record
from upward.core.errors import Conflict, DomainError, InvalidTransition
from upward.core.validation import one_line
from upward.journey import ics
from upward.journey.cadence import parse_commitment
from upward.journey.models import (
    MAX_MINUTES,
    MIN_MINUTES,
    AgendaItem,
    CalendarFeed,
    Event,
    EventResponse,
    JourneyStep,
    JourneyTemplate,
    JourneyVersion,
    Meeting,
    MeetingAgendaItem,
    MeetingStatus,
    PairAgreement,
    PairReminder,
    ProgrammeJourney,
    StepKind,
    new_feed_token,
)
from upward.notifications.services import notify
from upward.organisations.models import Person
from upward.pairing.models import Pairing, PairingState
from upward.programmes.models import Programme, SchedulingPolicy
from upward.recruitment.models import Application

STEP_FIELDS = (
    "kind",
    "title",
    "purpose",
    "mentor_prepares",
    "mentee_prepares",
    "activities",
    "resources",
    "is_optional",
)


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _org(obj: Any) -> Any:
    return getattr(obj, "organisation", None)


# ---------------------------------------------------------------------------------------------
# Templates and versions


def builtin_version() -> JourneyVersion | None:
    """The latest published edition of the first built-in journey (from the data migration)."""
    return (
        JourneyVersion.objects.filter(
            template__is_builtin=True, number__isnull=False, template__organisation__isnull=True
        )
        .order_by("template_id", "-number")
        .first()
    )


def _copy_steps(source: JourneyVersion, target: JourneyVersion) -> None:
    steps = list(source.steps.prefetch_related("agenda_items"))
    for step in steps:
        copy = JourneyStep.objects.create(
            version=target,
            position=step.position,
            **{f: getattr(step, f) for f in STEP_FIELDS},
        )
        AgendaItem.objects.bulk_create(
            AgendaItem(step=copy, position=item.position, text=item.text)
            for item in step.agenda_items.all()
        )


def clone_template(
    version: JourneyVersion, *, organisation: Any, name: str, by: Any
) -> JourneyTemplate:
    """A copy of a published version as the organisation's own journey, published as v1 so a
    programme can use it straight away."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the new journey a name."), field="name")
    if version.is_draft:
        raise DomainError(_("Only a published version can be copied."))
    with transaction.atomic():
        template = JourneyTemplate.objects.create(
            organisation=organisation,
            name=name[:150],
            description=version.template.description,
            cloned_from=version,
            created_by=_user(by),
        )
        copy = JourneyVersion.objects.create(
            template=template,
            number=1,
            published_at=timezone.now(),
            published_by=_user(by),
            change_note=_("Copied from %(name)s, version %(number)s.")
            % {"name": version.template.name, "number": version.number},
        )
        _copy_steps(version, copy)
        record("journey.template_cloned", template, by=by, data={"from_version": version.pk})
    return template


def _editable(template: JourneyTemplate) -> None:
    if template.is_builtin or template.organisation_id is None:
        raise DomainError(_("Built-in journeys cannot be edited. Make a copy and edit that."))


def start_draft(template: JourneyTemplate, *, by: Any) -> JourneyVersion:
    """The template's draft, created from its latest published version if there is none."""
    _editable(template)
    with transaction.atomic():
        JourneyTemplate.objects.select_for_update().get(pk=template.pk)
        draft = template.versions.filter(number__isnull=True).first()
        if draft is not None:
            return draft
        latest = template.versions.filter(number__isnull=False).order_by("-number").first()
        draft = JourneyVersion.objects.create(template=template)
        if latest is not None:
            _copy_steps(latest, draft)
        record("journey.draft_started", template, by=by)
    return draft


def _draft_only(version: JourneyVersion) -> None:
    if not version.is_draft:
        # The heart of versioning: a published edition is what running programmes follow.
        raise InvalidTransition(
            _("This version is published and cannot change. Edit the draft instead.")
        )


def _agenda_lines(text: str) -> list[str]:
    lines = [line.strip(" \t-•*") for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    too_long = [line for line in lines if len(line) > 300]
    if too_long:
        raise DomainError(_("Keep each agenda item under 300 characters."), field="agenda")
    if len(lines) > 30:
        raise DomainError(_("An agenda can have at most 30 items."), field="agenda")
    return lines


def save_step(
    version: JourneyVersion,
    step: JourneyStep | None,
    *,
    data: Mapping[str, Any],
    agenda: str,
    by: Any,
) -> JourneyStep:
    _draft_only(version)
    _editable(version.template)
    lines = _agenda_lines(agenda)
    if not (data.get("title") or "").strip():
        raise DomainError(_("Give the step a title."), field="title")
    with transaction.atomic():
        if step is None:
            last = version.steps.aggregate(m=Max("position"))["m"] or 0
            step = JourneyStep(version=version, position=last + 1)
        for field in STEP_FIELDS:
            if field in data:
                setattr(step, field, data[field])
        step.save()
        step.agenda_items.all().delete()
        AgendaItem.objects.bulk_create(
            AgendaItem(step=step, position=i, text=text) for i, text in enumerate(lines, start=1)
        )
        record("journey.step_saved", version.template, by=by, data={"version": version.pk})
    return step


def delete_step(step: JourneyStep, *, by: Any) -> None:
    version = step.version
    _draft_only(version)
    _editable(version.template)
    with transaction.atomic():
        step.delete()
        _renumber(version)
        record("journey.step_deleted", version.template, by=by, data={"version": version.pk})


def _renumber(version: JourneyVersion) -> None:
    steps = list(version.steps.order_by("position", "id"))
    # Two passes so the unique (version, position) constraint never sees a clash mid-way.
    for i, step in enumerate(steps, start=1):
        step.position = 1000 + i
        step.save(update_fields=["position"])
    for i, step in enumerate(steps, start=1):
        step.position = i
        step.save(update_fields=["position"])


def move_step(step: JourneyStep, *, up: bool, by: Any) -> None:
    version = step.version
    _draft_only(version)
    _editable(version.template)
    with transaction.atomic():
        steps = list(version.steps.order_by("position", "id"))
        index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(steps):
            return
        steps[index], steps[other] = steps[other], steps[index]
        for i, s in enumerate(steps, start=1):
            s.position = 1000 + i
            s.save(update_fields=["position"])
        for i, s in enumerate(steps, start=1):
            s.position = i
            s.save(update_fields=["position"])
        record("journey.step_moved", version.template, by=by, data={"version": version.pk})


def publish_draft(version: JourneyVersion, *, change_note: str, by: Any) -> JourneyVersion:
    """The draft becomes the next numbered version. Programmes stay on the version they pinned
    until a manager moves them."""
    _draft_only(version)
    _editable(version.template)
    if not version.steps.filter(kind=StepKind.SESSION).exists():
        raise DomainError(_("A journey needs at least one pair session before it is published."))
    with transaction.atomic():
        JourneyTemplate.objects.select_for_update().get(pk=version.template_id)
        last = version.template.versions.aggregate(m=Max("number"))["m"] or 0
        version.number = last + 1
        version.published_at = timezone.now()
        version.published_by = _user(by)
        version.change_note = (change_note or "").strip()[:300]
        version.save(update_fields=["number", "published_at", "published_by", "change_note"])
        record(
            "journey.version_published",
            version.template,
            by=by,
            data={"number": version.number},
        )
    return version


def discard_draft(version: JourneyVersion, *, by: Any) -> None:
    _draft_only(version)
    _editable(version.template)
    with transaction.atomic():
        template = version.template
        version.delete()
        record("journey.draft_discarded", template, by=by)


def rename_template(template: JourneyTemplate, *, name: str, description: str, by: Any) -> None:
    _editable(template)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the journey a name."), field="name")
    with transaction.atomic():
        template.name = name[:150]
        template.description = description or ""
        template.save(update_fields=["name", "description", "updated_at"])
        record("journey.template_renamed", template, by=by)


# ---------------------------------------------------------------------------------------------
# Programme journey


def default_programme_journey(programme: Programme) -> ProgrammeJourney:
    """Unsaved: what a programme follows until a manager chooses (the built-in journey, with
    the cadence read from the commitment text)."""
    cadence = parse_commitment(programme.commitment)
    version = builtin_version()
    pj = ProgrammeJourney(
        programme=programme,
        mode=ProgrammeJourney.Mode.GUIDED,
        meetings_per_month=cadence.meetings_per_month,
        minutes_per_meeting=cadence.minutes_per_meeting,
    )
    if version is not None:
        pj.version = version
    return pj


def programme_journey(programme: Programme) -> ProgrammeJourney:
    try:
        return programme.journey
    except ProgrammeJourney.DoesNotExist:
        return default_programme_journey(programme)


def _programme_has_meetings(programme: Programme) -> bool:
    return Meeting.objects.filter(pairing__programme=programme).exists()


def set_programme_journey(
    programme: Programme,
    *,
    version: JourneyVersion,
    mode: str,
    meetings_per_month: Decimal,
    minutes_per_meeting: int,
    by: Any,
) -> ProgrammeJourney:
    if version.is_draft:
        raise DomainError(_("Choose a published version."), field="version")
    if version.template.organisation_id not in (None, programme.organisation_id):
        raise DomainError(_("Choose one of your organisation's journeys."), field="version")
    if mode not in ProgrammeJourney.Mode.values:
        raise DomainError(_("Choose guided or free flow."), field="mode")
    if not MIN_MINUTES <= int(minutes_per_meeting) <= MAX_MINUTES:
        raise DomainError(
            _("Meetings last between %(min)s and %(max)s minutes.")
            % {"min": MIN_MINUTES, "max": MAX_MINUTES},
            field="minutes_per_meeting",
        )
    if not Decimal(0) < Decimal(meetings_per_month) <= Decimal(8):
        raise DomainError(
            _("Choose between 0.5 and 8 meetings a month."), field="meetings_per_month"
        )
    with transaction.atomic():
        Programme.objects.select_for_update().get(pk=programme.pk)
        current = ProgrammeJourney.objects.filter(programme=programme).first()
        changing_version = current is None or current.version_id != version.pk
        # Pairs who have started keep the sessions they started with (their meetings point at
        # the pinned version's steps), so the version is fixed once anyone has booked.
        if changing_version and current is not None and _programme_has_meetings(programme):
            raise Conflict(
                _(
                    "Pairs have already booked meetings on version %(number)s, so the "
                    "journey version can no longer change for this programme."
                )
                % {"number": current.version.number},
                field="version",
            )
        pj = current or ProgrammeJourney(programme=programme)
        pj.version = version
        pj.mode = mode
        pj.meetings_per_month = Decimal(meetings_per_month)
        pj.minutes_per_meeting = int(minutes_per_meeting)
        pj.updated_by = _user(by)
        pj.save()
        record(
            "journey.programme_journey_set",
            programme,
            by=by,
            data={"version": version.pk, "mode": mode},
        )
    programme.journey = pj
    return pj


def _pinned_journey(programme: Programme) -> ProgrammeJourney:
    """The programme's journey, saved on first use so every pair shares one pinned version."""
    try:
        return ProgrammeJourney.objects.select_related("version").get(programme=programme)
    except ProgrammeJourney.DoesNotExist:
        pj = default_programme_journey(programme)
        if pj.version_id is None:
            return pj
        pj.save()
        return pj


# ---------------------------------------------------------------------------------------------
# Pair agreement

AGREEMENT_FIELDS = (
    "confidentiality",
    "meetings_per_month",
    "minutes_per_meeting",
    "ends_on",
    "raising_concerns",
)


def default_agreement(pairing: Pairing) -> PairAgreement:
    """Unsaved: a starting point the pair adapts, in plain words."""
    pj = programme_journey(pairing.programme)
    return PairAgreement(
        pairing=pairing,
        confidentiality=_(
            "What we say in our sessions stays between us. Either of us may share what we "
            "learnt in general terms, without names or personal details. We ask before "
            "sharing anything the other told us."
        ),
        meetings_per_month=pj.meetings_per_month,
        minutes_per_meeting=pj.minutes_per_meeting,
        ends_on=pairing.programme.ends_on,
        raising_concerns=_(
            "If something is not working we say so at the next session, or in a message "
            "before it. Either of us can talk to the programme team in confidence at any "
            "time, and can end the pairing without having to give a reason."
        ),
    )


def _role(pairing: Pairing, person: Person) -> str:
    if person.pk == pairing.mentor_id:
        return "mentor"
    if person.pk == pairing.mentee_id:
        return "mentee"
    raise DomainError(_("Only the two people in this pairing can do that."))


def _live(pairing: Pairing) -> None:
    if pairing.state != PairingState.ACTIVE:
        raise InvalidTransition(_("This pairing has finished, so nothing more can be changed."))


def save_agreement(
    pairing: Pairing, *, person: Person, data: Mapping[str, Any], by: Any
) -> PairAgreement:
    """Create or change the agreement. Any change clears both confirmations: each person
    agrees to the words as they stand, not to an earlier version."""
    _role(pairing, person)
    _live(pairing)
    minutes = int(data["minutes_per_meeting"])
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise DomainError(
            _("Meetings last between %(min)s and %(max)s minutes.")
            % {"min": MIN_MINUTES, "max": MAX_MINUTES},
            field="minutes_per_meeting",
        )
    per_month = Decimal(data["meetings_per_month"])
    if not Decimal(0) < per_month <= Decimal(8):
        raise DomainError(
            _("Choose between 0.5 and 8 meetings a month."), field="meetings_per_month"
        )
    if data["ends_on"] < timezone.localdate():
        raise DomainError(_("Choose a date in the future."), field="ends_on")
    for field in ("confidentiality", "raising_concerns"):
        if not (data.get(field) or "").strip():
            raise DomainError(_("This part of the agreement cannot be empty."), field=field)
    with transaction.atomic():
        Pairing.objects.select_for_update().get(pk=pairing.pk)
        agreement = PairAgreement.objects.filter(pairing=pairing).first()
        created = agreement is None
        if agreement is None:
            agreement = PairAgreement(pairing=pairing)
        changed = created or any(
            getattr(agreement, f) != (Decimal(data[f]) if f == "meetings_per_month" else data[f])
            for f in AGREEMENT_FIELDS
        )
        if not changed:
            return agreement
        for field in AGREEMENT_FIELDS:
            setattr(agreement, field, data[field])
        agreement.meetings_per_month = per_month
        agreement.minutes_per_meeting = minutes
        agreement.mentor_confirmed_at = None
        agreement.mentee_confirmed_at = None
        agreement.updated_by = _user(by)
        agreement.save()
        record(
            "journey.agreement_saved",
            pairing,
            by=by,
            organisation=pairing.programme.organisation,
        )
    return agreement


def confirm_agreement(pairing: Pairing, *, person: Person, by: Any) -> PairAgreement:
    role = _role(pairing, person)
    _live(pairing)
    with transaction.atomic():
        agreement = PairAgreement.objects.select_for_update().filter(pairing=pairing).first()
        if agreement is None:
            raise DomainError(_("Write the agreement together first, then confirm it."))
        field = f"{role}_confirmed_at"
        if getattr(agreement, field) is None:
            setattr(agreement, field, timezone.now())
            agreement.save(update_fields=[field, "updated_at"])
            record(
                "journey.agreement_confirmed",
                pairing,
                by=by,
                organisation=pairing.programme.organisation,
                data={"role": role},
            )
    return agreement


# ---------------------------------------------------------------------------------------------
# Meetings


def organisers(pairing: Pairing) -> list[Person]:
    """Who books, reschedules and cancels: the senior mentee unless the programme says
    otherwise, so the admin work does not fall on the junior mentor by default."""
    policy = pairing.programme.scheduling_policy
    if policy == SchedulingPolicy.MENTOR:
        return [pairing.mentor]
    if policy == SchedulingPolicy.EITHER:
        return [pairing.mentee, pairing.mentor]
    return [pairing.mentee]


def may_organise(pairing: Pairing, person: Person) -> bool:
    return any(p.pk == person.pk for p in organisers(pairing))


def _check_organiser(pairing: Pairing, person: Person) -> None:
    _role(pairing, person)
    if not may_organise(pairing, person):
        names = " / ".join(p.full_name for p in organisers(pairing))
        raise DomainError(
            _("In this programme %(name)s books and changes meetings.") % {"name": names}
        )


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError(
            _("“%(tz)s” is not a known time zone, e.g. Europe/London.") % {"tz": name},
            field="time_zone",
        ) from exc


def in_zone(value: dt.datetime, zone_name: str) -> dt.datetime:
    """The time in a person's zone, marked so templates' |date does not convert it back to the
    site's zone (Django's own |timezone filter does the same)."""
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return do_timezone(value, zone)


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
    by: Any,
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
    by: Any,
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


def cancel_meeting(meeting: Meeting, *, person: Person, by: Any) -> Meeting:
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
    meeting: Meeting, *, person: Person, held: bool, actual_minutes: int | None, by: Any
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


def toggle_agenda_item(item: MeetingAgendaItem, *, person: Person, by: Any) -> MeetingAgendaItem:
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


def add_agenda_item(meeting: Meeting, *, person: Person, text: str, by: Any) -> MeetingAgendaItem:
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


# ---------------------------------------------------------------------------------------------
# Invites by email


def _attendee(person: Person) -> ics.Attendee:
    return ics.Attendee(email=person.email, name=one_line(person.full_name))


def meeting_item(meeting: Meeting) -> ics.CalendarItem:
    pairing = meeting.pairing
    partner = pairing.mentor if meeting.organiser_id == pairing.mentee_id else pairing.mentee
    title = meeting.step.title if meeting.step else _("Mentoring meeting")
    link = ics.site_url(reverse("journey:meeting", args=[meeting.pk]))
    description = _("Reverse mentoring: %(programme)s.\nAgenda and notes: %(link)s") % {
        "programme": pairing.programme.name,
        "link": link,
    }
    return ics.CalendarItem(
        uid=meeting.uid,
        sequence=meeting.sequence,
        # Names and titles may predate the input checks: one line each, so neither the
        # calendar file nor the email subject built from this summary can break.
        summary=one_line(f"{title} · {pairing.mentee.full_name} & {pairing.mentor.full_name}"),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        time_zone=meeting.time_zone,
        organiser=_attendee(meeting.organiser),
        attendees=(_attendee(partner), _attendee(meeting.organiser)),
        description=description,
        location=meeting.place,
        url=meeting.video_url,
        cancelled=meeting.status == MeetingStatus.CANCELLED,
        updated_at=meeting.updated_at,
    )


def calendar_part(content: bytes, method: str) -> MIMEText:
    """The text/calendar part with the METHOD parameter calendar programs look for."""
    part = MIMEText(content.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


def _send_calendar_email(
    *, subject: str, body: str, to: list[str], content: bytes, method: str
) -> None:
    message = EmailMultiAlternatives(
        # A line break in a header makes Django refuse to send: never let a name cause that.
        subject=one_line(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}"),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.attach(calendar_part(content, method))
    message.send()


def _send_invites(meeting: Meeting) -> None:
    """One email per person so each reads times in their own zone; sent after commit."""
    item = meeting_item(meeting)
    content = ics.invite(item)
    method = ics.method_of(item)
    pairing = meeting.pairing
    for person in (pairing.mentee, pairing.mentor):
        if not person.email:
            continue
        context = {
            "meeting": meeting,
            "person": person,
            "organiser": meeting.organiser,
            "when": in_zone(meeting.starts_at, person.time_zone),
            "zone": person.time_zone,
            "link": ics.site_url(reverse("journey:meeting", args=[meeting.pk])),
            "title": item.summary,
            "cancelled": item.cancelled,
            "updated": meeting.sequence > 0,
        }
        body = render_to_string("journey/email/meeting_invite.txt", context)
        if item.cancelled:
            subject = _("Cancelled: %(title)s") % {"title": item.summary}
        elif meeting.sequence:
            subject = _("Updated: %(title)s") % {"title": item.summary}
        else:
            subject = _("Invitation: %(title)s") % {"title": item.summary}
        transaction.on_commit(
            partial(
                _send_calendar_email,
                subject=subject,
                body=body,
                to=[person.email],
                content=content,
                method=method,
            )
        )


# ---------------------------------------------------------------------------------------------
# Events


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
    by: Any,
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
        for field in EVENT_FIELDS:
            if field in data:
                setattr(event, field, data[field])
        event.starts_at = starts_at
        event.ends_at = ends_at
        event.duration_minutes = minutes
        event.time_zone = time_zone
        event.organiser = organiser
        if not creating:
            event.sequence += 1
        event.save()
        record(
            "journey.event_created" if creating else "journey.event_updated",
            event,
            by=by,
            organisation=programme.organisation,
        )
        _send_event_invites(event)
    return event


def cancel_event(event: Event, *, by: Any) -> Event:
    if event.cancelled_at is not None:
        raise InvalidTransition(_("This event is already cancelled."))
    with transaction.atomic():
        event.cancelled_at = timezone.now()
        event.sequence += 1
        event.save(update_fields=["cancelled_at", "sequence", "updated_at"])
        record("journey.event_cancelled", event, by=by, organisation=event.programme.organisation)
        _send_event_invites(event)
    return event


def event_audience(event: Event) -> list[Person]:
    """Accepted participants of the programme in the event's audience, with an email."""
    roles = {"mentors": ["mentor"], "mentees": ["mentee"], "all": ["mentor", "mentee"]}[
        event.audience
    ]
    return list(
        Person.objects.filter(
            is_active=True,
            applications__programme_id=event.programme_id,
            applications__status=Application.Status.ACCEPTED,
            applications__role__in=roles,
        )
        .distinct()
        .order_by("full_name", "id")
    )


def event_item(event: Event, attendee: Person | None = None) -> ics.CalendarItem:
    organiser = event.organiser
    organiser_att = (
        _attendee(organiser)
        if organiser is not None
        else ics.Attendee(settings.DEFAULT_FROM_EMAIL, one_line(event.programme.name))
    )
    link = ics.site_url(reverse("journey:event", args=[event.pk]))
    return ics.CalendarItem(
        uid=event.uid,
        sequence=event.sequence,
        summary=one_line(event.title),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        time_zone=event.time_zone,
        organiser=organiser_att,
        attendees=(_attendee(attendee),) if attendee else (),
        description=f"{event.description}\n\n{link}".strip(),
        location=event.place,
        url=event.video_url,
        cancelled=event.cancelled_at is not None,
        updated_at=event.updated_at,
    )


def _send_event_invites(event: Event) -> None:
    declined = set(
        EventResponse.objects.filter(event=event, answer=EventResponse.Answer.NO).values_list(
            "person_id", flat=True
        )
    )
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
                "link": ics.site_url(reverse("journey:event", args=[event.pk])),
                "cancelled": item.cancelled,
            },
        )
        prefix = _("Cancelled") if item.cancelled else (_("Updated") if event.sequence else "")
        subject = f"{prefix}: {event.title}" if prefix else event.title
        transaction.on_commit(
            partial(
                _send_calendar_email,
                subject=subject,
                body=body,
                to=[person.email],
                content=content,
                method=method,
            )
        )


def respond_to_event(event: Event, *, person: Person, answer: str, by: Any) -> EventResponse:
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


def mark_attendance(event: Event, *, attended: Mapping[int, bool], by: Any) -> int:
    """Managers record who came, once the event has started. Returns the number of rows."""
    if event.starts_at > timezone.now():
        raise DomainError(_("Attendance can be recorded once the event has started."))
    audience = {p.pk for p in event_audience(event)}
    unknown = set(attended) - audience
    if unknown:
        raise DomainError(_("Someone in the list is not in this event's audience."))
    now = timezone.now()
    with transaction.atomic():
        for person_id, came in attended.items():
            response, _created = EventResponse.objects.get_or_create(
                event=event, person_id=person_id
            )
            response.attended = came
            response.attendance_marked_at = now
            response.save(update_fields=["attended", "attendance_marked_at"])
        record(
            "journey.attendance_marked",
            event,
            by=by,
            organisation=event.programme.organisation,
            data={"count": len(attended)},
        )
    return len(attended)


# ---------------------------------------------------------------------------------------------
# Calendar feeds


def regenerate_feed(person: Person, *, by: Any) -> CalendarFeed:
    """A new secret URL; the old one stops working at once."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.get_or_create(person=person)
        if not created:
            feed.token = new_feed_token()
            feed.created_at = timezone.now()
            feed.last_used_at = None
            feed.save(update_fields=["token", "created_at", "last_used_at"])
        record("journey.feed_regenerated", feed, by=by, organisation=person.organisation)
    return feed


def revoke_feed(person: Person, *, by: Any) -> None:
    with transaction.atomic():
        feed = CalendarFeed.objects.filter(person=person).first()
        if feed is None:
            return
        record("journey.feed_revoked", feed, by=by, organisation=person.organisation)
        feed.delete()


def touch_feed(feed: CalendarFeed) -> None:
    # Only once an hour, so a calendar polling every few minutes does not write every time.
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > dt.timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)


# ---------------------------------------------------------------------------------------------
# Reminders


def send_journey_reminders(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Day-before reminders to both people; "time to book" nudges to the organiser(s) only,
    at most once a fortnight, when a pair has nothing booked and is due to meet."""
    now = now or timezone.now()
    sent = {"meeting": 0, "booking": 0}
    due = Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(hours=24),
        pairing__state=PairingState.ACTIVE,
    ).select_related("pairing__mentor", "pairing__mentee", "pairing__programme", "step")
    for meeting in due:
        with transaction.atomic():
            claimed = Meeting.objects.filter(pk=meeting.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if not claimed:
                continue
            for person in (meeting.pairing.mentee, meeting.pairing.mentor):
                _email_later(
                    _("Tomorrow: your mentoring meeting"),
                    "journey/email/meeting_reminder.txt",
                    {
                        "meeting": meeting,
                        "person": person,
                        "when": in_zone(meeting.starts_at, person.time_zone),
                        "zone": person.time_zone,
                        "link": ics.site_url(reverse("journey:meeting", args=[meeting.pk])),
                    },
                    person,
                    kind="meeting_reminder",
                    key=f"meeting-reminder:{meeting.pk}:{meeting.starts_at:%Y%m%d%H%M}",
                )
            sent["meeting"] += 1

    pairings = (
        Pairing.objects.filter(state=PairingState.ACTIVE)
        .exclude(meetings__status=MeetingStatus.SCHEDULED, meetings__starts_at__gt=now)
        .select_related("programme", "mentor", "mentee", "journey_reminder")
        .distinct()
    )
    for pairing in pairings:
        pj = programme_journey(pairing.programme)
        gap = dt.timedelta(days=max(7, int(30 / float(pj.meetings_per_month))))
        last = (
            Meeting.objects.filter(pairing=pairing)
            .exclude(status=MeetingStatus.CANCELLED)
            .aggregate(m=Max("starts_at"))["m"]
        )
        since = last or pairing.mentee_responded_at or pairing.created_at
        if since is None or now - since < gap - dt.timedelta(days=7):
            continue
        reminder, _created = PairReminder.objects.get_or_create(pairing=pairing)
        if reminder.booking_reminded_at and now - reminder.booking_reminded_at < dt.timedelta(
            days=14
        ):
            continue
        with transaction.atomic():
            reminder.booking_reminded_at = now
            reminder.save(update_fields=["booking_reminded_at"])
            for person in organisers(pairing):
                partner = pairing.mentor if person.pk == pairing.mentee_id else pairing.mentee
                _email_later(
                    _("Time to book your next mentoring meeting"),
                    "journey/email/booking_reminder.txt",
                    {
                        "pairing": pairing,
                        "person": person,
                        "partner": partner,
                        "link": ics.site_url(reverse("journey:book", args=[pairing.pk])),
                    },
                    person,
                    kind="booking_nudge",
                    key=f"booking-nudge:{pairing.pk}:{now:%Y%m%d}",
                )
            sent["booking"] += 1
    return sent


def _email_later(
    subject: str, template: str, context: dict[str, Any], to: Person, *, kind: str, key: str
) -> None:
    # Through notify(): recorded in the app, emailed after commit per the person's choices,
    # and never twice for the same key.
    notify(
        to,
        kind=kind,
        subject=subject,
        template=template,
        context=context,
        url=context["link"].removeprefix(settings.SITE_URL),
        dedupe_key=key,
    )

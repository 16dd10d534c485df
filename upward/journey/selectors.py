"""Reads for the journey pages, built in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from upward.core.models import AuditEvent
from upward.core.validation import one_line
from upward.journey import ics
from upward.journey.access import JOURNEY_STATES, audience_allows
from upward.journey.cadence import Progress, parse_commitment, progress
from upward.journey.models import (
    Event,
    EventResponse,
    JourneyStep,
    JourneyTemplate,
    JourneyVersion,
    Meeting,
    MeetingAgendaItem,
    MeetingStatus,
    PairAgreement,
    ProgrammeJourney,
    StepKind,
)
from upward.organisations.models import Person, Topic
from upward.pairing.models import Pairing
from upward.programmes.models import Programme, SchedulingPolicy
from upward.recruitment.models import Application

ACTIVITY_LABELS = {
    "journey.meeting_booked": _("booked a meeting"),
    "journey.meeting_rescheduled": _("moved a meeting"),
    "journey.meeting_cancelled": _("cancelled a meeting"),
    "journey.meeting_marked": _("recorded how a meeting went"),
    "journey.meeting_logged": _("logged a meeting that already happened"),
    "journey.meeting_change_proposed": _("proposed a change to a meeting's record"),
    "journey.meeting_record_changed": _("accepted a change to a meeting's record"),
    "journey.meeting_change_declined": _("declined a change to a meeting's record"),
    "journey.meeting_change_withdrawn": _("withdrew a proposed change to a meeting's record"),
    "journey.agreement_saved": _("updated the agreement"),
    "journey.agreement_confirmed": _("confirmed the agreement"),
    "journey.agenda_item_added": _("added an agenda item"),
}


def builtin_version() -> JourneyVersion | None:
    """The latest published edition of the first built-in journey (from the data migration)."""
    return (
        JourneyVersion.objects.filter(
            template__is_builtin=True, number__isnull=False, template__organisation__isnull=True
        )
        .order_by("template_id", "-number")
        .first()
    )


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


def default_agreement(pairing: Pairing) -> PairAgreement:
    """Unsaved: a starting point the pair adapts, in plain words."""
    pj = programme_journey(pairing.programme)
    return PairAgreement(
        pairing=pairing,
        confidentiality=gettext(
            "What we say in our sessions stays between us. Either of us may share what we "
            "learnt in general terms, without names or personal details. We ask before "
            "sharing anything the other told us."
        ),
        meetings_per_month=pj.meetings_per_month,
        minutes_per_meeting=pj.minutes_per_meeting,
        ends_on=pairing.programme.ends_on,
        raising_concerns=gettext(
            "If something is not working we say so at the next session, or in a message "
            "before it. Either of us can talk to the programme team in confidence at any "
            "time, and can end the pairing without having to give a reason."
        ),
    )


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


@dataclass(frozen=True)
class PartnerProfile:
    person: Person
    role: str
    offers: list[str]
    wants: list[str]


@dataclass(frozen=True)
class StepRow:
    step: JourneyStep
    number: int
    held: bool
    booked: bool


@dataclass(frozen=True)
class Activity:
    at: dt.datetime
    who: str
    what: str


@dataclass
class PairingOverview:
    pairing: Pairing
    viewer: Person
    role: str
    partner: PartnerProfile
    journey: ProgrammeJourney
    may_organise: bool
    organiser_names: str
    next_meeting: Meeting | None
    upcoming: list[Meeting]
    recent: list[Meeting]
    steps: list[StepRow]
    current_step: JourneyStep | None
    prepare: str
    agreement: PairAgreement | None
    progress: Progress
    activity: list[Activity] = field(default_factory=list)

    @property
    def agreement_pending(self) -> bool:
        return self.agreement is None or not self.agreement.is_confirmed

    @property
    def i_confirmed(self) -> bool:
        if self.agreement is None:
            return False
        return getattr(self.agreement, f"{self.role}_confirmed_at") is not None


def _profile(pairing: Pairing, partner: Person, role: str) -> PartnerProfile:
    application = (
        Application.objects.filter(
            programme_id=pairing.programme_id,
            person=partner,
            status=Application.Status.ACCEPTED,
        )
        .prefetch_related(
            Prefetch("offered_topics", queryset=Topic.objects.order_by("name")),
            Prefetch("wanted_topics", queryset=Topic.objects.order_by("name")),
        )
        .first()
    )
    offers = [t.name for t in application.offered_topics.all()] if application else []
    wants = [t.name for t in application.wanted_topics.all()] if application else []
    return PartnerProfile(person=partner, role=role, offers=offers, wants=wants)


def session_steps(journey: ProgrammeJourney) -> list[JourneyStep]:
    if journey.version_id is None:
        return []
    return list(
        JourneyStep.objects.filter(version_id=journey.version_id, kind=StepKind.SESSION)
        .prefetch_related("agenda_items")
        .order_by("position")
    )


def step_rows(steps: list[JourneyStep], meetings: list[Meeting]) -> list[StepRow]:
    held = {m.step_id for m in meetings if m.status == MeetingStatus.HELD}
    booked = {m.step_id for m in meetings if m.status == MeetingStatus.SCHEDULED}
    return [
        StepRow(step=s, number=i, held=s.pk in held, booked=s.pk in booked)
        for i, s in enumerate(steps, start=1)
    ]


def next_step(rows: list[StepRow]) -> JourneyStep | None:
    for row in rows:
        if not row.held and not row.booked:
            return row.step
    return None


def current_step(rows: list[StepRow]) -> JourneyStep | None:
    """The first session not yet held: the one to prepare for."""
    for row in rows:
        if not row.held:
            return row.step
    return None


def pair_progress(pairing: Pairing, meetings: list[Meeting], journey: Any) -> Progress:
    agreement = getattr(pairing, "_agreement", None)
    per_month = agreement.meetings_per_month if agreement else journey.meetings_per_month
    since = (pairing.mentee_responded_at or pairing.created_at).date()
    now = timezone.now()
    return progress(
        per_month=per_month,
        since=since,
        today=timezone.localdate(),
        held=sum(1 for m in meetings if m.status == MeetingStatus.HELD),
        booked=sum(
            1 for m in meetings if m.status == MeetingStatus.SCHEDULED and m.starts_at > now
        ),
        minutes_held=sum(m.actual_minutes or 0 for m in meetings if m.status == MeetingStatus.HELD),
    )


def pairing_overview(pairing: Pairing, viewer: Person) -> PairingOverview:
    role = "mentor" if viewer.pk == pairing.mentor_id else "mentee"
    partner = pairing.mentee if role == "mentor" else pairing.mentor
    journey = programme_journey(pairing.programme)
    meetings = list(
        Meeting.objects.filter(pairing=pairing)
        .select_related("step", "organiser")
        .order_by("starts_at")
    )
    now = timezone.now()
    upcoming = [m for m in meetings if m.status == MeetingStatus.SCHEDULED and m.ends_at > now]
    recent = [m for m in meetings if m not in upcoming][::-1][:5]
    steps = session_steps(journey)
    rows = step_rows(steps, meetings)
    current = current_step(rows)
    agreement = PairAgreement.objects.filter(pairing=pairing).first()
    pairing._agreement = agreement  # type: ignore[attr-defined]
    prepare = ""
    if current is not None:
        prepare = current.mentor_prepares if role == "mentor" else current.mentee_prepares
    allowed = organisers(pairing)
    return PairingOverview(
        pairing=pairing,
        viewer=viewer,
        role=role,
        partner=_profile(pairing, partner, "mentee" if role == "mentor" else "mentor"),
        journey=journey,
        may_organise=any(p.pk == viewer.pk for p in allowed),
        organiser_names=_(" or ").join(p.full_name for p in allowed),
        next_meeting=upcoming[0] if upcoming else None,
        upcoming=upcoming,
        recent=recent,
        steps=rows,
        current_step=current,
        prepare=prepare,
        agreement=agreement,
        progress=pair_progress(pairing, meetings, journey),
        activity=recent_activity(pairing, meetings),
    )


def recent_activity(pairing: Pairing, meetings: list[Meeting], limit: int = 8) -> list[Activity]:
    meeting_ids = [str(m.pk) for m in meetings]
    events = (
        AuditEvent.objects.filter(
            Q(object_type="pairing.pairing", object_id=str(pairing.pk))
            | Q(object_type="journey.meeting", object_id__in=meeting_ids),
            verb__in=list(ACTIVITY_LABELS),
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        Activity(
            at=e.created_at,
            who=e.actor.get_full_name() if e.actor else str(_("Upward")),
            what=str(ACTIVITY_LABELS[e.verb]),
        )
        for e in events
    ]


RECORD_VERBS = (
    "journey.meeting_logged",
    "journey.meeting_marked",
    "journey.meeting_change_proposed",
    "journey.meeting_record_changed",
    "journey.meeting_change_declined",
    "journey.meeting_change_withdrawn",
)


@dataclass(frozen=True)
class RecordEntry:
    at: dt.datetime
    who: str
    what: str
    figure: str


def _figure(status: str | None, minutes: int | None) -> str:
    if status in (MeetingStatus.HELD, "held"):
        return ngettext("met for %(n)s minute", "met for %(n)s minutes", minutes or 0) % {
            "n": minutes
        }
    if status in (MeetingStatus.MISSED, "missed"):
        return gettext("did not happen")
    return ""


def record_history(meeting: Meeting) -> list[RecordEntry]:
    """Every change to the meeting's record, oldest first, for both people to see. Names come
    from the role stored with the entry, so the page never depends on who the actor user was."""
    pairing = meeting.pairing
    names = {"mentor": pairing.mentor.full_name, "mentee": pairing.mentee.full_name}
    entries = AuditEvent.objects.filter(
        object_type="journey.meeting", object_id=str(meeting.pk), verb__in=RECORD_VERBS
    ).order_by("created_at", "id")
    rows = []
    for e in entries:
        data = e.data or {}
        if e.verb == "journey.meeting_record_changed":
            to = data.get("to") or {}
            before = data.get("from") or {}
            figure = gettext("from “%(a)s” to “%(b)s”") % {
                "a": _figure(before.get("status"), before.get("minutes")),
                "b": _figure(to.get("status"), to.get("minutes")),
            }
        elif e.verb == "journey.meeting_logged":
            figure = _figure("held", data.get("minutes"))
        elif e.verb in ("journey.meeting_marked", "journey.meeting_change_proposed"):
            figure = _figure(data.get("outcome"), data.get("minutes"))
        else:
            figure = ""
        rows.append(
            RecordEntry(
                at=e.created_at,
                who=str(names.get(str(data.get("role")), gettext("Someone"))),
                what=str(ACTIVITY_LABELS[e.verb]),
                figure=figure,
            )
        )
    return rows


def my_pairings(person: Person) -> list[Pairing]:
    return list(
        Pairing.objects.filter(Q(mentor=person) | Q(mentee=person), state__in=JOURNEY_STATES)
        .select_related("programme", "mentor", "mentee")
        .order_by("state", "-created_at")
    )


def meeting_agenda(meeting: Meeting) -> list[MeetingAgendaItem]:
    return list(
        meeting.agenda.select_related("done_by", "carried_from__meeting").order_by("position", "id")
    )


def pair_meetings(pairing: Pairing) -> Any:
    return (
        Meeting.objects.filter(pairing=pairing)
        .select_related("step", "organiser")
        .annotate(
            n_items=Count("agenda"),
            n_done=Count("agenda", filter=Q(agenda__done_at__isnull=False)),
        )
        .order_by("-starts_at")
    )


def bookable_steps(
    pairing: Pairing, meeting: Meeting | None = None
) -> tuple[list[JourneyStep], JourneyStep | None]:
    """Sessions the pair may book and the one to suggest. Guided pairs get the next session
    first; free-flow pairs choose any."""
    journey = programme_journey(pairing.programme)
    steps = session_steps(journey)
    meetings = Meeting.objects.filter(pairing=pairing)
    if meeting is not None:
        meetings = meetings.exclude(pk=meeting.pk)
    rows = step_rows(steps, list(meetings))
    suggestion = meeting.step if meeting and meeting.step_id else next_step(rows)
    return steps, suggestion


# ---------------------------------------------------------------------------------------------
# Managers: counts only


@dataclass(frozen=True)
class PairRow:
    pairing: Pairing
    held: int
    booked: int
    missed: int
    minutes_held: int
    last_met: dt.datetime | None
    agreement_confirmed: bool
    progress: Progress


def programme_pair_rows(programme: Programme, pairings: Any) -> list[PairRow]:
    """Frequency per pair for the programme team. No agenda, agreement wording or places."""
    journey = programme_journey(programme)
    now = timezone.now()
    qs = pairings.select_related("mentor", "mentee", "agreement").annotate(
        n_held=Count("meetings", filter=Q(meetings__status=MeetingStatus.HELD)),
        n_booked=Count(
            "meetings",
            filter=Q(meetings__status=MeetingStatus.SCHEDULED, meetings__starts_at__gt=now),
        ),
        n_missed=Count("meetings", filter=Q(meetings__status=MeetingStatus.MISSED)),
        minutes=Sum("meetings__actual_minutes", filter=Q(meetings__status=MeetingStatus.HELD)),
        last=Max("meetings__starts_at", filter=Q(meetings__status=MeetingStatus.HELD)),
    )
    rows = []
    for p in qs:
        agreement = getattr(p, "agreement", None) if hasattr(p, "agreement") else None
        per_month = agreement.meetings_per_month if agreement else journey.meetings_per_month
        rows.append(
            PairRow(
                pairing=p,
                held=p.n_held,
                booked=p.n_booked,
                missed=p.n_missed,
                minutes_held=p.minutes or 0,
                last_met=p.last,
                agreement_confirmed=bool(agreement and agreement.is_confirmed),
                progress=progress(
                    per_month=per_month,
                    since=(p.mentee_responded_at or p.created_at).date(),
                    today=timezone.localdate(),
                    held=p.n_held,
                    booked=p.n_booked,
                    minutes_held=p.minutes or 0,
                ),
            )
        )
    return rows


def journey_pairings(programme: Programme, *, q: str = "") -> Any:
    """The programme's pairs on a journey; `q` finds a mentor's or mentee's name."""
    qs = Pairing.objects.filter(programme=programme, state__in=JOURNEY_STATES)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(mentor__full_name__icontains=q) | Q(mentee__full_name__icontains=q))
    return qs.order_by("mentee__full_name", "id")


# ---------------------------------------------------------------------------------------------
# Templates


def template_rows(person: Person) -> list[JourneyTemplate]:
    return list(
        JourneyTemplate.objects.filter(
            Q(organisation__isnull=True) | Q(organisation_id=person.organisation_id)
        )
        .annotate(
            latest=Max("versions__number"),
            has_draft=Count("versions", filter=Q(versions__number__isnull=True)),
        )
        .order_by("-is_builtin", "name", "id")
    )


def version_with_steps(version: JourneyVersion) -> JourneyVersion:
    version.step_list = list(  # type: ignore[attr-defined]
        version.steps.prefetch_related("agenda_items").order_by("position")
    )
    return version


def published_versions_for(programme: Programme) -> Any:
    return (
        JourneyVersion.objects.filter(number__isnull=False)
        .filter(
            Q(template__organisation__isnull=True)
            | Q(template__organisation_id=programme.organisation_id)
        )
        .select_related("template")
        .order_by("template__name", "-number")
    )


# ---------------------------------------------------------------------------------------------
# Events and feeds


def participant_programmes(person: Person) -> dict[int, str]:
    """Programme id → role, from accepted applications and pairings in the journey."""
    roles: dict[int, str] = {}
    for programme_id, role in Application.objects.filter(
        person=person, status=Application.Status.ACCEPTED
    ).values_list("programme_id", "role"):
        roles[programme_id] = role
    for programme_id, mentor_id in Pairing.objects.filter(
        Q(mentor=person) | Q(mentee=person), state__in=JOURNEY_STATES
    ).values_list("programme_id", "mentor_id"):
        roles.setdefault(programme_id, "mentor" if mentor_id == person.pk else "mentee")
    return roles


def my_events(person: Person, *, since: dt.datetime | None = None) -> list[Event]:
    roles = participant_programmes(person)
    if not roles:
        return []
    qs = Event.objects.filter(programme_id__in=list(roles)).select_related("programme", "organiser")
    if since is not None:
        qs = qs.filter(ends_at__gte=since)
    answers = dict(
        EventResponse.objects.filter(person=person, event__in=qs).values_list("event_id", "answer")
    )
    events = []
    for event in qs.order_by("starts_at"):
        if audience_allows(event, roles.get(event.programme_id)):
            event.my_answer = answers.get(event.pk, "")  # type: ignore[attr-defined]
            events.append(event)
    return events


def event_rows(event: Event) -> list[dict[str, Any]]:
    responses = {r.person_id: r for r in EventResponse.objects.filter(event=event)}
    return [{"person": p, "response": responses.get(p.pk)} for p in event_audience(event)]


def event_counts(programme: Programme) -> list[Event]:
    return list(
        Event.objects.filter(programme=programme)
        .annotate(
            n_yes=Count("responses", filter=Q(responses__answer="yes")),
            n_maybe=Count("responses", filter=Q(responses__answer="maybe")),
            n_no=Count("responses", filter=Q(responses__answer="no")),
            n_attended=Count("responses", filter=Q(responses__attended=True)),
        )
        .order_by("-starts_at")
    )


def feed_items(person: Person) -> list[ics.CalendarItem]:
    """Meetings and events of the last 90 days and the future, for the personal feed."""
    since = timezone.now() - dt.timedelta(days=90)
    meetings = (
        Meeting.objects.filter(
            Q(pairing__mentor=person) | Q(pairing__mentee=person),
            pairing__state__in=JOURNEY_STATES,
            starts_at__gte=since,
        )
        .select_related(
            "pairing__programme", "pairing__mentor", "pairing__mentee", "organiser", "step"
        )
        .order_by("starts_at")
    )
    items = [meeting_item(m, with_agenda=False) for m in meetings]
    for event in my_events(person, since=since):
        items.append(event_item(event, person))
    return items


def event_audience(event: Event) -> list[Person]:
    """Accepted participants of the programme in the event's audience, with an email."""
    return list(event_audience_queryset(event))


def event_audience_queryset(event: Event, *, q: str = "") -> QuerySet[Person]:
    """event_audience as a query, to page it; `q` finds a name."""
    roles = {"mentors": ["mentor"], "mentees": ["mentee"], "all": ["mentor", "mentee"]}[
        event.audience
    ]
    accepted = Application.objects.filter(
        person=OuterRef("pk"),
        programme_id=event.programme_id,
        status=Application.Status.ACCEPTED,
        role__in=roles,
    )
    qs = Person.objects.filter(Exists(accepted), is_active=True)
    q = (q or "").strip()
    if q:
        qs = qs.filter(full_name__icontains=q)
    return qs.order_by("full_name", "id")


def event_attendance_rows(event: Event, people: list[Person]) -> list[dict[str, Any]]:
    """One page of the audience with each person's answer and attendance (one query)."""
    responses = {
        r.person_id: r
        for r in EventResponse.objects.filter(event=event, person_id__in=[p.pk for p in people])
    }
    return [{"person": p, "response": responses.get(p.pk)} for p in people]


def event_attendance_counts(event: Event) -> dict[str, int]:
    row = EventResponse.objects.filter(event=event).aggregate(
        attended=Count("pk", filter=Q(attended=True)),
        marked=Count("pk", filter=Q(attendance_marked_at__isnull=False)),
    )
    return {"attended": row["attended"] or 0, "marked": row["marked"] or 0}


def _attendee(person: Person) -> ics.Attendee:
    return ics.Attendee(email=person.email, name=one_line(person.full_name))


def meeting_description(meeting: Meeting, *, link: str, with_agenda: bool = True) -> str:
    """The invitation's description: the programme, the agenda, the video link, the page.

    Each agenda line, name and link is made one line (`one_line`), so no text anybody wrote can
    start a line of its own; icalendar then escapes commas and semicolons and folds long lines,
    so nothing in it can become a property of the calendar file."""
    lines = [
        gettext("Reverse mentoring: %(programme)s.")
        % {"programme": one_line(meeting.pairing.programme.name)}
    ]
    if with_agenda:
        agenda = [one_line(item.text) for item in meeting.agenda.all()]
        agenda = [text for text in agenda if text]
        if agenda:
            lines += ["", gettext("Agenda:")] + [f"- {text}" for text in agenda]
    if meeting.video_url:
        video = one_line(meeting.video_url)
        lines += ["", gettext("Join the video call: %(url)s") % {"url": video}]
    lines += ["", gettext("Agenda, preparation and notes in Upward: %(link)s") % {"link": link}]
    return "\n".join(lines)


def meeting_item(meeting: Meeting, *, with_agenda: bool = True) -> ics.CalendarItem:
    """The meeting as a calendar entry. Invitations carry the agenda; the subscription feed
    (`with_agenda=False`) leaves it out: a feed is fetched by calendar services on the
    person's behalf, and agenda lines are the pair's to share."""
    pairing = meeting.pairing
    partner = pairing.mentor if meeting.organiser_id == pairing.mentee_id else pairing.mentee
    title = meeting.step.title if meeting.step else gettext("Mentoring meeting")
    link = ics.site_url(reverse("journey:meeting", args=[meeting.pk]))
    description = meeting_description(meeting, link=link, with_agenda=with_agenda)
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


def event_description(event: Event, *, link: str) -> str:
    """The event's own description (several lines are fine: icalendar escapes each line break,
    so none can start a property), the video link and the page to reply on."""
    lines = [event.description.strip()] if event.description.strip() else []
    if event.video_url:
        video = one_line(event.video_url)
        lines += ["", gettext("Join the video call: %(url)s") % {"url": video}]
    lines += ["", gettext("Details and your reply in Upward: %(link)s") % {"link": link}]
    return "\n".join(lines).strip()


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
        description=event_description(event, link=link),
        location=event.place,
        url=event.video_url,
        cancelled=event.cancelled_at is not None,
        updated_at=event.updated_at,
    )

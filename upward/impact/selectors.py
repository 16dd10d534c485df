"""Reads for impact: time given by mentors, how often people are asked to mentor, contribution
records and the programme's commitment report. Everything is computed from a handful of
queries into plain dataclasses, so pages stay flat as programmes grow."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from upward.core.suppression import suppress_counts
from upward.goals.models import Rating
from upward.impact.models import (
    CLOSE_TO_CAP,
    DEFAULT_CAP_MINUTES,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    ImpactSettings,
    RecordShare,
    ThankYouNote,
    Theme,
)
from upward.journey.models import EventResponse, Meeting, MeetingOutcome, MeetingStatus
from upward.organisations.models import Organisation, Person
from upward.pairing.models import Pairing, PairingState, PairingStateChange
from upward.programmes.models import Objective, Programme
from upward.recruitment.models import Application, Invitation

# Pairings whose meetings count as time given: a pairing that ended early still took time.
GIVING_STATES = (PairingState.ACTIVE, PairingState.COMPLETED, PairingState.ENDED)
TOKENISM_MONTHS = 24
TOKENISM_THRESHOLD = 3


def month_of(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def cap_minutes(programme: Programme) -> int:
    row = ImpactSettings.objects.filter(programme=programme).only("monthly_cap_minutes").first()
    return row.monthly_cap_minutes if row else DEFAULT_CAP_MINUTES


def cap_state(minutes: int, cap: int) -> str:
    """'over', 'close' or 'ok'. Reaching the cap exactly counts as close, not over."""
    if minutes > cap:
        return "over"
    if minutes >= cap * CLOSE_TO_CAP:
        return "close"
    return "ok"


# ---------------------------------------------------------------------------------------------
# Time given


@dataclass
class TimeGiven:
    """One mentor's time in one programme, in minutes."""

    mentor_id: int
    cap: int
    sessions_held: int = 0
    meeting_minutes: int = 0
    events_attended: int = 0
    event_minutes: int = 0
    by_month: dict[dt.date, int] = field(default_factory=dict)
    this_month_key: dt.date | None = None
    mentor: Person | None = None

    @property
    def total_minutes(self) -> int:
        return self.meeting_minutes + self.event_minutes

    @property
    def this_month(self) -> int:
        return self.by_month.get(self.this_month_key, 0) if self.this_month_key else 0

    @property
    def state(self) -> str:
        return cap_state(self.this_month, self.cap)

    @property
    def months_over(self) -> int:
        return sum(1 for minutes in self.by_month.values() if minutes > self.cap)

    @property
    def busiest_month(self) -> tuple[dt.date, int] | None:
        if not self.by_month:
            return None
        return max(self.by_month.items(), key=lambda item: (item[1], item[0]))

    @property
    def percent_of_cap(self) -> int:
        return round(100 * self.this_month / self.cap) if self.cap else 0


def _time_given(
    programme: Programme,
    mentor_ids: set[int],
    *,
    now: dt.datetime | None,
    pairing: Pairing | None = None,
) -> dict[int, TimeGiven]:
    cap = cap_minutes(programme)
    this_month = month_of(now or timezone.now())
    result = {pk: TimeGiven(mentor_id=pk, cap=cap, this_month_key=this_month) for pk in mentor_ids}
    if not mentor_ids:
        return result
    # The mentor's time is hers to state: a meeting counts by her own account (held, with her
    # minutes), never by her partner's alone. Records from before people gave their own
    # accounts (neither has) keep the figure they had.
    meetings = Meeting.objects.filter(
        pairing__programme=programme,
        pairing__mentor_id__in=mentor_ids,
        pairing__state__in=GIVING_STATES,
    ).filter(
        Q(mentor_outcome=MeetingOutcome.HELD)
        | Q(mentor_outcome="", mentee_outcome="", status=MeetingStatus.HELD)
    )
    if pairing is not None:
        meetings = meetings.filter(pairing=pairing)
    for mentor_id, starts_at, own_minutes, recorded in meetings.values_list(
        "pairing__mentor_id", "starts_at", "mentor_minutes", "actual_minutes"
    ):
        minutes = own_minutes if own_minutes is not None else recorded
        row = result[mentor_id]
        row.sessions_held += 1
        row.meeting_minutes += minutes or 0
        key = month_of(starts_at)
        row.by_month[key] = row.by_month.get(key, 0) + (minutes or 0)
    attended = EventResponse.objects.filter(
        event__programme=programme,
        event__cancelled_at__isnull=True,
        person_id__in=mentor_ids,
        attended=True,
    ).values_list("person_id", "event__starts_at", "event__duration_minutes")
    for person_id, starts_at, minutes in attended:
        row = result[person_id]
        row.events_attended += 1
        row.event_minutes += minutes
        key = month_of(starts_at)
        row.by_month[key] = row.by_month.get(key, 0) + minutes
    return result


def mentor_ids_of(programme: Programme) -> set[int]:
    """Everyone who mentors in the programme: paired as mentor, or accepted as one."""
    paired = Pairing.objects.filter(programme=programme, state__in=GIVING_STATES).values_list(
        "mentor_id", flat=True
    )
    accepted = Application.objects.filter(
        programme=programme, role="mentor", status=Application.Status.ACCEPTED
    ).values_list("person_id", flat=True)
    return set(paired) | set(accepted)


def programme_mentor_time(
    programme: Programme, *, now: dt.datetime | None = None
) -> list[TimeGiven]:
    """Every mentor's time, most loaded this month first."""
    ids = mentor_ids_of(programme)
    rows = _time_given(programme, ids, now=now)
    people = Person.objects.in_bulk(ids)
    for pk, row in rows.items():
        row.mentor = people.get(pk)
    return sorted(
        rows.values(),
        key=lambda r: (-r.this_month, -r.total_minutes, r.mentor.full_name if r.mentor else ""),
    )


@dataclass(frozen=True)
class MentorTimeTotal:
    """One mentor's time in one programme, summed (what `TimeGiven` adds up, without months)."""

    mentor_id: int
    sessions_held: int
    total_minutes: int
    events_attended: int


def programme_mentor_time_totals(programme: Programme) -> list[MentorTimeTotal]:
    """Every mentor's time in the programme as totals, counted by the database (the same
    meetings and events as `_time_given`, in the same way). Four queries whatever the size."""
    ids = mentor_ids_of(programme)
    if not ids:
        return []
    meetings = dict(
        (mentor_id, (n, minutes))
        for mentor_id, n, minutes in Meeting.objects.filter(
            pairing__programme=programme,
            pairing__mentor_id__in=ids,
            pairing__state__in=GIVING_STATES,
        )
        .filter(
            Q(mentor_outcome=MeetingOutcome.HELD)
            | Q(mentor_outcome="", mentee_outcome="", status=MeetingStatus.HELD)
        )
        .values("pairing__mentor_id")
        .annotate(
            n=Count("pk"),
            minutes=Sum(
                Coalesce("mentor_minutes", "actual_minutes", Value(0), output_field=IntegerField())
            ),
        )
        .order_by()
        .values_list("pairing__mentor_id", "n", "minutes")
    )
    events = dict(
        (person_id, (n, minutes))
        for person_id, n, minutes in EventResponse.objects.filter(
            event__programme=programme,
            event__cancelled_at__isnull=True,
            person_id__in=ids,
            attended=True,
        )
        .values("person_id")
        .annotate(n=Count("pk"), minutes=Sum("event__duration_minutes"))
        .order_by()
        .values_list("person_id", "n", "minutes")
    )
    totals = []
    for pk in ids:
        sessions, meeting_minutes = meetings.get(pk, (0, 0))
        attended, event_minutes = events.get(pk, (0, 0))
        totals.append(
            MentorTimeTotal(
                mentor_id=pk,
                sessions_held=sessions,
                total_minutes=(meeting_minutes or 0) + (event_minutes or 0),
                events_attended=attended,
            )
        )
    return totals


def mentor_time(
    programme: Programme,
    mentor: Person,
    *,
    pairing: Pairing | None = None,
    now: dt.datetime | None = None,
) -> TimeGiven:
    row = _time_given(programme, {mentor.pk}, now=now, pairing=pairing)[mentor.pk]
    row.mentor = mentor
    return row


def mentor_time_named(rows: list[TimeGiven], q: str) -> list[TimeGiven]:
    """The rows whose mentor's name holds `q` (all of them for an empty search)."""
    q = (q or "").strip().casefold()
    if not q:
        return rows
    return [r for r in rows if r.mentor is not None and q in r.mentor.full_name.casefold()]


@dataclass(frozen=True)
class CapWarnings:
    over: int
    close: int

    @property
    def total(self) -> int:
        return self.over + self.close


def cap_warnings(rows: list[TimeGiven]) -> CapWarnings:
    return CapWarnings(
        over=sum(1 for r in rows if r.state == "over"),
        close=sum(1 for r in rows if r.state == "close"),
    )


# ---------------------------------------------------------------------------------------------
# Tokenism guard


@dataclass(frozen=True)
class AskRow:
    person: Person
    invitations: int
    accepted: int
    pairings: int
    programmes: int

    @property
    def asked_often(self) -> bool:
        return self.programmes >= TOKENISM_THRESHOLD


def _months_ago(moment: dt.datetime, months: int) -> dt.datetime:
    year, month = divmod(moment.month - 1 - months, 12)
    target_year, target_month = moment.year + year, month + 1
    day = min(moment.day, 28)
    return moment.replace(year=target_year, month=target_month, day=day)


@dataclass(frozen=True)
class HiddenProgramme:
    """An inclusion programme whose asks are not shown per person: too few people were asked
    there, so a name next to it would say who belongs to the group it is for."""

    pk: int
    name: str


@dataclass(frozen=True)
class MentorLoad:
    rows: list[AskRow]
    hidden: list[HiddenProgramme]
    programmes: int  # how many programmes the counts come from
    min_group: int


def mentor_asks(
    organisation: Organisation,
    *,
    programme_ids: Iterable[int],
    now: dt.datetime | None = None,
) -> MentorLoad:
    """How often each person was asked to mentor over the last 24 months, in the given
    programmes of the organisation (the viewer's: see `views.mentor_load`).

    "Asked" counts distinct programmes where the person was invited to mentor, accepted as a
    mentor or proposed as someone's mentor: one programme is one ask however many steps it took.
    Only counts are read here, never what people wrote about themselves.

    Being asked to mentor in an inclusion programme can reveal that someone belongs to an
    under-represented group. An inclusion programme where fewer than UPWARD_MIN_GROUP_SIZE
    people were asked therefore adds nothing to anyone's row; it is listed by name only.
    """
    minimum = int(settings.UPWARD_MIN_GROUP_SIZE)
    since = _months_ago(now or timezone.now(), TOKENISM_MONTHS)
    scope = {
        pk: (name, objective == Objective.INCLUSION)
        for pk, name, objective in Programme.objects.filter(
            organisation=organisation, pk__in=list(programme_ids)
        ).values_list("pk", "name", "objective")
    }
    # (source, person, programme): 0 invited, 1 accepted, 2 proposed as mentor.
    asks: list[tuple[int, int, int]] = []
    sources = (
        Invitation.objects.filter(programme_id__in=scope, role="mentor", created_at__gte=since),
        Application.objects.filter(
            programme_id__in=scope,
            role="mentor",
            status=Application.Status.ACCEPTED,
            submitted_at__gte=since,
        ),
    )
    for index, qs in enumerate(sources):
        asks.extend(
            (index, person_id, programme_id)
            for person_id, programme_id in qs.values_list("person_id", "programme_id")
        )
    asks.extend(
        (2, person_id, programme_id)
        for person_id, programme_id in Pairing.objects.filter(
            programme_id__in=scope, created_at__gte=since
        ).values_list("mentor_id", "programme_id")
    )
    asked_in: dict[int, set[int]] = defaultdict(set)
    for _source, person_id, programme_id in asks:
        asked_in[programme_id].add(person_id)
    hidden = {pk for pk, people in asked_in.items() if scope[pk][1] and len(people) < minimum}
    programmes: dict[int, set[int]] = defaultdict(set)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for source, person_id, programme_id in asks:
        if programme_id in hidden:
            continue
        counts[person_id][source] += 1
        programmes[person_id].add(programme_id)
    people = Person.objects.select_related("department").in_bulk(counts.keys())
    rows = [
        AskRow(
            person=people[pk],
            invitations=c[0],
            accepted=c[1],
            pairings=c[2],
            programmes=len(programmes[pk]),
        )
        for pk, c in counts.items()
        if pk in people
    ]
    return MentorLoad(
        rows=sorted(
            rows, key=lambda r: (-r.programmes, -r.pairings, r.person.full_name, r.person.pk)
        ),
        hidden=sorted(
            (HiddenProgramme(pk=pk, name=scope[pk][0]) for pk in hidden),
            key=lambda h: (h.name, h.pk),
        ),
        programmes=len(scope),
        min_group=minimum,
    )


# ---------------------------------------------------------------------------------------------
# Contribution record


@dataclass(frozen=True)
class SkillGrowth:
    name: str
    start: int | None
    end: int | None

    @property
    def change(self) -> int | None:
        if self.start is None or self.end is None:
            return None
        return self.end - self.start


@dataclass
class ContributionRecord:
    pairing: Pairing
    mentor: Person
    started_on: dt.date
    ended_on: dt.date | None
    time: TimeGiven
    events: list[tuple[str, dt.datetime, int]]
    skills: list[SkillGrowth]
    thank_you: ThankYouNote | None
    shares: list[RecordShare]

    @property
    def programme(self) -> Programme:
        return self.pairing.programme

    @property
    def is_completed(self) -> bool:
        return self.pairing.state == PairingState.COMPLETED

    @property
    def shared_thank_you(self) -> ThankYouNote | None:
        if self.thank_you is not None and self.thank_you.show_when_shared:
            return self.thank_you
        return None


def _pairing_dates(pairing: Pairing) -> tuple[dt.date, dt.date | None]:
    start = pairing.mentee_responded_at or pairing.created_at
    end: dt.datetime | None = None
    if pairing.state == PairingState.COMPLETED:
        end = (
            PairingStateChange.objects.filter(pairing=pairing, to_state=PairingState.COMPLETED)
            .values_list("at", flat=True)
            .first()
        ) or pairing.updated_at
    elif pairing.state == PairingState.ENDED:
        end = pairing.closed_at or pairing.updated_at
    started = timezone.localtime(start).date()
    return started, (timezone.localtime(end).date() if end else None)


def _skills(pairing: Pairing, mentor: Person) -> list[SkillGrowth]:
    """The mentor's own self-ratings at the start and the end, when the goals app has them."""
    levels: dict[str, dict[str, int]] = defaultdict(dict)
    order: list[str] = []
    for name, kind, level in (
        Rating.objects.filter(
            assessment__pairing=pairing,
            assessment__subject=mentor,
            assessment__rater=mentor,
        )
        .order_by("skill__position", "skill_id")
        .values_list("skill__name", "assessment__kind", "level")
    ):
        if name not in levels:
            order.append(name)
        levels[name][kind] = level
    return [
        SkillGrowth(name=name, start=levels[name].get("baseline"), end=levels[name].get("final"))
        for name in order
    ]


def contribution_record(pairing: Pairing, *, now: dt.datetime | None = None) -> ContributionRecord:
    mentor = pairing.mentor
    started_on, ended_on = _pairing_dates(pairing)
    events = list(
        EventResponse.objects.filter(
            event__programme_id=pairing.programme_id,
            event__cancelled_at__isnull=True,
            person=mentor,
            attended=True,
        )
        .order_by("event__starts_at")
        .values_list("event__title", "event__starts_at", "event__duration_minutes")
    )
    return ContributionRecord(
        pairing=pairing,
        mentor=mentor,
        started_on=started_on,
        ended_on=ended_on,
        time=mentor_time(pairing.programme, mentor, pairing=pairing, now=now),
        events=events,
        skills=_skills(pairing, mentor),
        thank_you=ThankYouNote.objects.filter(pairing=pairing).first(),
        shares=list(RecordShare.objects.filter(pairing=pairing).select_related("line_manager")),
    )


# ---------------------------------------------------------------------------------------------
# Commitments


def commitments_of(pairing: Pairing, owner: Person) -> list[Commitment]:
    return list(
        Commitment.objects.filter(pairing=pairing, owner=owner).order_by(
            "kind", "due_on", "-created_at", "-id"
        )
    )


@dataclass(frozen=True)
class ThemeRow:
    label: str
    count: int | None  # None: hidden to protect small groups


@dataclass(frozen=True)
class CommitmentReport:
    commitments: int
    insights: int
    people: int
    by_status: list[tuple[str, str, int]]
    themes: list[ThemeRow]
    min_group: int

    @property
    def enough(self) -> bool:
        # Both: five commitments from one person would still be one person's story.
        return self.commitments >= self.min_group and self.people >= self.min_group

    @property
    def done_or_in_progress(self) -> int:
        return sum(n for key, _label, n in self.by_status if key in ("done", "in_progress"))


def commitment_report(programme: Programme) -> CommitmentReport:
    """Counts by status and by theme tag; never the text. Nothing is shown until at least the
    minimum group size of people have made at least that many commitments; then theme cells
    below the minimum are hidden (with secondary suppression: core.suppression)."""
    minimum = settings.UPWARD_MIN_GROUP_SIZE
    rows = (
        Commitment.objects.filter(programme=programme)
        .values("kind", "status", "theme")
        .annotate(n=Count("id"))
    )
    by_status: dict[str, int] = {s.value: 0 for s in CommitmentStatus}
    by_theme: dict[str, int] = {t.value: 0 for t in Theme}
    commitments = insights = 0
    for row in rows:
        if row["kind"] == CommitmentKind.INSIGHT:
            insights += row["n"]
            continue
        commitments += row["n"]
        by_status[row["status"]] += row["n"]
        if row["theme"]:
            by_theme[row["theme"]] += row["n"]
    people = (
        Commitment.objects.filter(programme=programme, kind=CommitmentKind.COMMITMENT)
        .values("owner_id")
        .distinct()
        .count()
    )
    # The commitments without a theme are a cell too: the total is shown, so they are
    # what is left when the themes are subtracted from it.
    untagged = commitments - sum(by_theme.values())
    shown = suppress_counts({**by_theme, "": untagged}, threshold=minimum)
    labels = dict(Theme.choices)
    status_labels = dict(CommitmentStatus.choices)
    return CommitmentReport(
        commitments=commitments,
        insights=insights,
        people=people,
        by_status=[(k, str(status_labels[k]), v) for k, v in by_status.items()],
        themes=[ThemeRow(label=str(labels[k]), count=shown[k]) for k in by_theme],
        min_group=minimum,
    )


def commitment_totals(programme: Programme) -> dict[str, int]:
    """Small counts for the programme page card: one query."""
    return Commitment.objects.filter(programme=programme).aggregate(
        commitments=Count("id", filter=Q(kind=CommitmentKind.COMMITMENT)),
        done=Count("id", filter=Q(kind=CommitmentKind.COMMITMENT, status="done")),
        in_progress=Count("id", filter=Q(kind=CommitmentKind.COMMITMENT, status="in_progress")),
        insights=Count("id", filter=Q(kind=CommitmentKind.INSIGHT)),
        people=Count("owner", distinct=True, filter=Q(kind=CommitmentKind.COMMITMENT)),
    )


def follow_up_due(commitment: Commitment) -> bool:
    return commitment.is_commitment and commitment.status not in ("done", "no_longer_relevant")

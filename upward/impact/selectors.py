"""Reads for impact: time given by mentors, how often people are asked to mentor, contribution
records and the programme's commitment report. Everything is computed from a handful of
queries into plain dataclasses, so pages stay flat as programmes grow."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, overload

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, IntegerField, Q, Sum, Value
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


def _asks_union(programme_ids: Iterable[int], since: dt.datetime) -> tuple[str, tuple[Any, ...]]:
    """One SQL statement listing every ask as (source, asker, prog): source 0 invited, 1
    accepted, 2 proposed as mentor."""
    ids = list(programme_ids)
    invited = Invitation.objects.filter(
        programme_id__in=ids, role="mentor", created_at__gte=since
    ).values(source=Value(0), asker=F("person_id"), prog=F("programme_id"))
    accepted = Application.objects.filter(
        programme_id__in=ids,
        role="mentor",
        status=Application.Status.ACCEPTED,
        submitted_at__gte=since,
    ).values(source=Value(1), asker=F("person_id"), prog=F("programme_id"))
    proposed = Pairing.objects.filter(programme_id__in=ids, created_at__gte=since).values(
        source=Value(2), asker=F("mentor_id"), prog=F("programme_id")
    )
    union = invited.order_by().union(accepted.order_by(), proposed.order_by(), all=True)
    sql, params = union.query.sql_with_params()
    return sql, tuple(params)


class AskRows:
    """The per-person rows of a MentorAsks, counted in the database and sorted there (most
    programmes first, then most pairings, then name and pk, as Python would sort them), read
    one slice at a time: a Paginator can page it without loading everyone. `prefetch` reads a
    slice and the totals in one go, so paging costs a single pass over the asks."""

    def __init__(self, counts: MentorAsks, *, often: bool) -> None:
        self._counts = counts
        self._often = often
        self._cached: tuple[int, int, list[AskRow]] | None = None

    def prefetch(self, offset: int, limit: int) -> None:
        self._cached = (
            offset,
            limit,
            self._counts._read(often=self._often, offset=offset, limit=limit),
        )

    def count(self) -> int:
        return self._counts.asked_often if self._often else self._counts.total

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[AskRow]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> AskRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[AskRow]: ...

    def __getitem__(self, index: int | slice) -> AskRow | list[AskRow]:
        if isinstance(index, int):
            found = self[index : index + 1] if index >= 0 else []
            if not found:
                raise IndexError(index)
            return found[0]
        if index.step not in (None, 1):
            raise TypeError("AskRows can only be sliced one row at a time")
        start, stop, _ = index.indices(self.count())
        if stop <= start:
            return []
        if self._cached is not None and self._cached[0] == start:
            rows = self._cached[2]
            if len(rows) >= stop - start or self._cached[1] >= stop - start:
                return rows[: stop - start]
        return self._counts._read(often=self._often, offset=start, limit=stop - start)


@dataclass
class MentorAsks:
    """What the mentor load page shows, with the per-person rows left in the database until a
    slice of them is read (`rows()`)."""

    hidden: list[HiddenProgramme]
    programmes: int  # how many programmes the counts come from
    min_group: int
    _sql: str = ""
    _params: tuple[Any, ...] = ()
    _totals: tuple[int, int] | None = None

    def rows(self, *, often: bool = False) -> AskRows:
        return AskRows(self, often=often)

    @property
    def total(self) -> int:
        """How many people were asked at least once."""
        return self._count()[0]

    @property
    def asked_often(self) -> int:
        """How many of them were asked in TOKENISM_THRESHOLD programmes or more."""
        return self._count()[1]

    def _count(self) -> tuple[int, int]:
        if self._totals is None:
            if not self._sql:
                self._totals = (0, 0)
            else:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN t.programmes >="  # noqa: S608 — fixed names, compiled ORM SQL, params bound
                        f" {TOKENISM_THRESHOLD} THEN 1 ELSE 0 END), 0) FROM ({self._sql}) t",
                        self._params,
                    )
                    total, often = cursor.fetchone()
                self._totals = (int(total), int(often))
        return self._totals

    def _read(self, *, often: bool, offset: int, limit: int) -> list[AskRow]:
        if not self._sql:
            self._totals = (0, 0)
            return []
        name = 'COLLATE "C"' if connection.vendor == "postgresql" else ""
        where = f"WHERE u.programmes >= {TOKENISM_THRESHOLD}" if often else ""
        with connection.cursor() as cursor:
            # The totals come along as window columns, counted before the "often" filter.
            cursor.execute(
                "SELECT u.asker, u.invitations, u.accepted, u.pairings, u.programmes,"  # noqa: S608 — fixed names, compiled ORM SQL, params bound
                " u.n_all, u.n_often FROM (SELECT t.asker AS asker,"
                " t.invitations AS invitations, t.accepted AS accepted,"
                " t.pairings AS pairings, t.programmes AS programmes, p.full_name AS full_name,"
                " COUNT(*) OVER () AS n_all, SUM(CASE WHEN t.programmes >="
                f" {TOKENISM_THRESHOLD} THEN 1 ELSE 0 END) OVER () AS n_often"
                f" FROM ({self._sql}) t INNER JOIN {connection.ops.quote_name(Person._meta.db_table)} p ON p.id = t.asker"
                f") u {where}"
                f" ORDER BY u.programmes DESC, u.pairings DESC, u.full_name {name}, u.asker"
                " LIMIT %s OFFSET %s",
                (*self._params, limit, offset),
            )
            found = cursor.fetchall()
        if found:
            self._totals = (int(found[0][5]), int(found[0][6]))
        people = Person.objects.select_related("department").in_bulk([r[0] for r in found])
        return [
            AskRow(
                person=people[pk],
                invitations=invitations,
                accepted=accepted,
                pairings=pairings,
                programmes=programmes,
            )
            for pk, invitations, accepted, pairings, programmes, _all, _often in found
            if pk in people
        ]


def mentor_ask_counts(
    organisation: Organisation,
    *,
    programme_ids: Iterable[int],
    now: dt.datetime | None = None,
) -> MentorAsks:
    """How often each person was asked to mentor over the last 24 months, in the given
    programmes of the organisation (the viewer's: see `views.mentor_load`), counted in the
    database; `mentor_asks` reads every row at once.

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
    hidden: set[int] = set()
    inclusion = [pk for pk, (_name, is_inclusion) in scope.items() if is_inclusion]
    if inclusion:
        sql, params = _asks_union(inclusion, since)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT a.prog FROM ({sql}) a GROUP BY a.prog HAVING COUNT(DISTINCT a.asker) < %s",  # noqa: S608 — fixed names, compiled ORM SQL, params bound
                (*params, minimum),
            )
            hidden = {row[0] for row in cursor.fetchall()}
    load = MentorAsks(
        hidden=sorted(
            (HiddenProgramme(pk=pk, name=scope[pk][0]) for pk in hidden),
            key=lambda h: (h.name, h.pk),
        ),
        programmes=len(scope),
        min_group=minimum,
    )
    counted = [pk for pk in scope if pk not in hidden]
    if not counted:
        return load
    sql, params = _asks_union(counted, since)
    # Per person and programme first, then per person: cheaper than COUNT(DISTINCT).
    load._sql = (
        "SELECT b.asker AS asker,"  # noqa: S608 — fixed names, compiled ORM SQL, params bound
        " CAST(SUM(b.invitations) AS integer) AS invitations,"
        " CAST(SUM(b.accepted) AS integer) AS accepted,"
        " CAST(SUM(b.pairings) AS integer) AS pairings,"
        " COUNT(*) AS programmes"
        " FROM (SELECT a.asker AS asker,"
        " COUNT(CASE WHEN a.source = 0 THEN 1 END) AS invitations,"
        " COUNT(CASE WHEN a.source = 1 THEN 1 END) AS accepted,"
        " COUNT(CASE WHEN a.source = 2 THEN 1 END) AS pairings"
        f" FROM ({sql}) a GROUP BY a.asker, a.prog) b"
        " GROUP BY b.asker"
    )
    load._params = params
    return load


def mentor_asks(
    organisation: Organisation,
    *,
    programme_ids: Iterable[int],
    now: dt.datetime | None = None,
) -> MentorLoad:
    """Every row of `mentor_ask_counts` at once, sorted the same way."""
    load = mentor_ask_counts(organisation, programme_ids=programme_ids, now=now)
    return MentorLoad(
        rows=load.rows()[0 : load.total],
        hidden=load.hidden,
        programmes=load.programmes,
        min_group=load.min_group,
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
    # A status counted by fewer than the minimum group is None (with secondary suppression),
    # as the themes: "not done: 1" out of eight points at one leader.
    by_status: list[tuple[str, str, int | None]]
    themes: list[ThemeRow]
    min_group: int

    @property
    def enough(self) -> bool:
        # Both: five commitments from one person would still be one person's story.
        return self.commitments >= self.min_group and self.people >= self.min_group

    @property
    def done_or_in_progress(self) -> int | None:
        """Done and in progress together; hidden when either is (a sum of a hidden cell would
        give it back)."""
        parts = [n for key, _label, n in self.by_status if key in ("done", "in_progress")]
        return None if any(n is None for n in parts) else sum(n for n in parts if n is not None)


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
        by_status=[
            (k, str(status_labels[k]), v)
            for k, v in suppress_counts(by_status, threshold=minimum).items()
        ],
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

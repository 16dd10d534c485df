"""The participant's home: for each pairing, the next meeting, where the pair is in the journey
and the person's own open tasks; then the surveys and private check-ins waiting for them, and,
for someone not (yet) in a pairing, what fits their state with a next step.

Privacy: a pair's content belongs to its two people, so everything here is read through the
person's own pairings (`pairings_for_person`), tasks are only the person's own, and nothing
from notes or messages is read at all.

Queries do not grow with the number of pairings, meetings or tasks: each part is one query for
all of the person's pairings (the next meeting per pair by a subquery, the first tasks per
pair by a window function)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from upward.dashboard.selectors import DashboardPairing, MyPairings
from upward.goals.models import Task
from upward.journey.models import JourneyStep, Meeting, MeetingStatus, ProgrammeJourney, StepKind
from upward.journey.selectors import builtin_version, organisers
from upward.organisations.models import Person
from upward.pairing.models import Pairing, PairingState
from upward.programmes.models import State
from upward.recruitment.models import Application, Invitation
from upward.safety.selectors import PULSE_WINDOW_DAYS, pulse_due
from upward.surveys.selectors import surveys_due

# Each pairing card lists this many of the person's open tasks, then "see all".
TASKS_SHOWN = 3
# The surveys and check-ins card lists this many, then "see all".
DUE_SHOWN = 5


@dataclass(frozen=True)
class JourneyPosition:
    total: int  # sessions in the programme's journey (0: the programme follows none)
    held: int  # of those, sessions the pair has held
    meetings_held: int  # every meeting held, with or without a session
    current: JourneyStep | None  # the first session not held yet: the one to prepare for
    number: int  # its place in the journey, from 1
    booked: bool  # the current session is booked
    prepare: str  # what this person prepares for it (the programme's words)

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.current is None


@dataclass(frozen=True)
class OpenTasks:
    shown: list[Task]  # the first few, earliest due first, so overdue ones lead
    total: int
    overdue: int

    @property
    def more(self) -> int:
        return self.total - len(self.shown)


@dataclass(frozen=True)
class PairingHome:
    pairing: Pairing
    partner: Person
    as_mentor: bool
    next_meeting: Meeting | None
    may_book: bool
    organiser_names: str
    journey: JourneyPosition
    tasks: OpenTasks


@dataclass(frozen=True)
class DueItem:
    """A survey or a private check-in (pulse) waiting for the person."""

    is_pulse: bool
    title: str
    programme_name: str
    due_on: dt.date
    url: str
    session_on: dt.date | None = None


@dataclass(frozen=True)
class DueList:
    shown: list[DueItem]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.shown)

    def __bool__(self) -> bool:
        return bool(self.shown)


class Situation:
    """Where someone with no pairing under way stands, for the "getting started" card."""

    PAIRED = "paired"  # at least one pairing under way: the pairing cards say it all
    PROPOSED = "proposed"  # a partner has been proposed: the answer is awaited
    WAITING = "waiting"  # applied: the team decides, or looks for a partner
    INVITED = "invited"  # personally invited to apply
    OPEN = "open"  # nothing yet, but a programme is open for sign-up
    NOTHING = "nothing"  # nothing yet


@dataclass(frozen=True)
class Home:
    pairings: list[PairingHome]  # under way (active), newest first
    finished: list[DashboardPairing]  # completed pairings, still readable
    waiting: list[DashboardPairing]  # proposals that wait for this person's answer
    pending: list[DashboardPairing]  # proposals that wait for the other person
    due: DueList
    situation: str
    applied: list[Application] = field(default_factory=list)  # decisions or partners awaited
    invitations: list[Invitation] = field(default_factory=list)


def home_for(
    person: Person,
    *,
    my_pairings: MyPairings,
    applications: list[Application],
    open_programmes: list[Any],
    now: dt.datetime | None = None,
) -> Home:
    """Built from what the dashboard has already loaded (the person's pairings, applications
    and programmes open to them), plus a fixed handful of queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = [*my_pairings.waiting, *my_pairings.others]
    active = [r for r in rows if r.pairing.state == PairingState.ACTIVE]
    pairings = _pairing_cards(person, active, now=now, today=today)
    due = _due(person, mentoring={r.pairing.pk: r for r in active if r.as_mentor}, now=now)

    applied = [
        a
        for a in applications
        if a.status == Application.Status.SUBMITTED or getattr(a, "looking_for_partner", False)
    ]
    invitations: list[Invitation] = []
    if pairings:
        situation = Situation.PAIRED
    elif my_pairings.waiting or any(
        r.pairing.state in (PairingState.PROPOSED, PairingState.MENTOR_ACCEPTED)
        for r in my_pairings.others
    ):
        situation = Situation.PROPOSED
    elif applied:
        situation = Situation.WAITING
    else:
        invitations = _invitations(person, applications)
        if invitations:
            situation = Situation.INVITED
        elif open_programmes:
            situation = Situation.OPEN
        else:
            situation = Situation.NOTHING
    return Home(
        pairings=pairings,
        finished=[r for r in my_pairings.others if r.pairing.state == PairingState.COMPLETED],
        waiting=my_pairings.waiting,
        pending=[
            r
            for r in my_pairings.others
            if r.pairing.state in (PairingState.PROPOSED, PairingState.MENTOR_ACCEPTED)
        ],
        due=due,
        situation=situation,
        applied=applied,
        invitations=invitations,
    )


# --- one card per pairing under way ----------------------------------------------------------


def _pairing_cards(
    person: Person, rows: list[DashboardPairing], *, now: dt.datetime, today: dt.date
) -> list[PairingHome]:
    if not rows:
        return []
    ids = [r.pairing.pk for r in rows]
    next_meetings = _next_meetings(ids, now)
    positions = _positions(person, rows)
    tasks = _open_tasks(person, ids, today)
    cards = []
    for r in rows:
        allowed = organisers(r.pairing)
        cards.append(
            PairingHome(
                pairing=r.pairing,
                partner=r.partner,
                as_mentor=r.as_mentor,
                next_meeting=next_meetings.get(r.pairing.pk),
                may_book=any(p.pk == person.pk for p in allowed),
                organiser_names=_(" or ").join(p.full_name for p in allowed),
                journey=positions[r.pairing.pk],
                tasks=tasks.get(r.pairing.pk, OpenTasks([], 0, 0)),
            )
        )
    return cards


def _next_meetings(ids: list[int], now: dt.datetime) -> dict[int, Meeting]:
    """Each pair's next meeting, in one query: booked (not cancelled, not yet recorded) and not
    over yet, the earliest first. A meeting under way still counts, as on the pairing page."""
    first = (
        Meeting.objects.filter(
            pairing_id=OuterRef("pk"), status=MeetingStatus.SCHEDULED, ends_at__gt=now
        )
        .order_by("starts_at", "id")
        .values("pk")[:1]
    )
    found = Meeting.objects.filter(
        pk__in=Pairing.objects.filter(pk__in=ids)
        .annotate(next_id=Subquery(first))
        .exclude(next_id=None)
        .values("next_id")
    ).select_related("step")
    return {m.pairing_id: m for m in found}


def _positions(person: Person, rows: list[DashboardPairing]) -> dict[int, JourneyPosition]:
    """Step n of m for each pair: the programme's journey, its sessions, and which of them the
    pair has held or booked, counted in the database (not a row per meeting)."""
    programme_ids = {r.pairing.programme_id for r in rows}
    versions: dict[int, int | None] = dict(
        ProgrammeJourney.objects.filter(programme_id__in=programme_ids).values_list(
            "programme_id", "version_id"
        )
    )
    if programme_ids - set(versions):
        # Programmes that never chose follow the built-in journey (journey.selectors).
        builtin = builtin_version()
        for pk in programme_ids - set(versions):
            versions[pk] = builtin.pk if builtin else None
    steps: dict[int, list[JourneyStep]] = defaultdict(list)
    for step in JourneyStep.objects.filter(
        version_id__in={v for v in versions.values() if v}, kind=StepKind.SESSION
    ).order_by("version_id", "position", "id"):
        steps[step.version_id].append(step)
    held: dict[int, set[int]] = defaultdict(set)
    booked: dict[int, set[int]] = defaultdict(set)
    meetings_held: dict[int, int] = defaultdict(int)
    for pairing_id, step_id, status, n in (
        Meeting.objects.filter(
            pairing_id__in=[r.pairing.pk for r in rows],
            status__in=(MeetingStatus.HELD, MeetingStatus.SCHEDULED),
        )
        .order_by()
        .values_list("pairing_id", "step_id", "status")
        .annotate(n=Count("id"))
    ):
        if status == MeetingStatus.HELD:
            meetings_held[pairing_id] += n
            if step_id:
                held[pairing_id].add(step_id)
        elif step_id:
            booked[pairing_id].add(step_id)
    found = {}
    for r in rows:
        pk = r.pairing.pk
        sessions = steps.get(versions.get(r.pairing.programme_id) or 0, [])
        current, number = None, 0
        for i, step in enumerate(sessions, start=1):
            if step.pk not in held[pk]:
                current, number = step, i
                break
        prepare = ""
        if current is not None:
            prepare = current.mentor_prepares if r.as_mentor else current.mentee_prepares
        found[pk] = JourneyPosition(
            total=len(sessions),
            held=sum(1 for s in sessions if s.pk in held[pk]),
            meetings_held=meetings_held[pk],
            current=current,
            number=number,
            booked=current is not None and current.pk in booked[pk],
            prepare=prepare,
        )
    return found


def _open_tasks(person: Person, ids: list[int], today: dt.date) -> dict[int, OpenTasks]:
    """The person's own open tasks per pair, earliest due first, with each pair's totals, in
    one query: a window function numbers the tasks per pair and only the first few come back."""
    per_pair = [F("goal__pairing_id")]
    rows = (
        Task.objects.filter(goal__pairing_id__in=ids, owner=person, done_at__isnull=True)
        .annotate(
            pair_pk=F("goal__pairing_id"),
            place=Window(RowNumber(), partition_by=per_pair, order_by=[F("due_on"), F("id")]),
            n_open=Window(Count("id"), partition_by=per_pair),
            n_overdue=Window(
                Sum(
                    Case(
                        When(due_on__lt=today, then=Value(1)),
                        default=Value(0),
                        output_field=IntegerField(),
                    )
                ),
                partition_by=per_pair,
            ),
        )
        .filter(place__lte=TASKS_SHOWN)
        .order_by("pair_pk", "due_on", "id")
    )
    found: dict[int, OpenTasks] = {}
    for task in rows:
        task.overdue = task.due_on < today  # type: ignore[attr-defined]
        pk = task.pair_pk  # type: ignore[attr-defined]
        if pk not in found:
            found[pk] = OpenTasks([], task.n_open, task.n_overdue or 0)  # type: ignore[attr-defined]
        found[pk].shown.append(task)
    return found


# --- surveys and private check-ins -----------------------------------------------------------


def _due(person: Person, *, mentoring: dict[int, DashboardPairing], now: dt.datetime) -> DueList:
    today = timezone.localdate(now)
    items = [
        DueItem(
            is_pulse=False,
            title=d.survey.title,
            programme_name=d.programme.name,
            due_on=d.closes_on,
            url=reverse("surveys:answer_occasion", args=[d.survey.pk, d.occasion])
            if d.occasion
            else reverse("surveys:answer", args=[d.survey.pk]),
            session_on=d.session_on,
        )
        for d in surveys_due(person, today=today)
    ]
    if mentoring:  # the pulse is the mentor's own check-in: a mentee is never asked
        window = dt.timedelta(days=PULSE_WINDOW_DAYS)
        for meeting in pulse_due(person, now=now):
            row = mentoring.get(meeting.pairing_id)
            if row is None:
                continue
            items.append(
                DueItem(
                    is_pulse=True,
                    title=_("How did your meeting with %(name)s feel?")
                    % {"name": row.partner.full_name},
                    programme_name=row.pairing.programme.name,
                    due_on=timezone.localdate(meeting.starts_at + window),
                    url=reverse("safety:pulse", args=[meeting.pairing_id, meeting.pk]),
                    session_on=timezone.localdate(meeting.starts_at),
                )
            )
    items.sort(key=lambda i: (i.due_on, i.is_pulse, i.title))
    return DueList(items[:DUE_SHOWN], len(items))


# --- someone with no pairing under way -------------------------------------------------------


def _invitations(person: Person, applications: list[Application]) -> list[Invitation]:
    """Personal invitations whose link still works, to programmes still recruiting, that the
    person has not answered with an application."""
    answered = {a.programme_id for a in applications if a.status != Application.Status.WITHDRAWN}
    return [
        i
        for i in Invitation.objects.filter(
            person=person,
            programme__state=State.RECRUITING,
            created_at__gt=Invitation.issued_after(),
        )
        .select_related("programme")
        .order_by("-created_at", "-id")
        if i.programme_id not in answered
    ]

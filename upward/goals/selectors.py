"""Reads for goals, tasks and skills. Callers have been through the access helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Prefetch, Q

from upward.goals.models import Assessment, Goal, GoalStatus, Rating, Skill, Task
from upward.organisations.models import Person
from upward.pairing.models import Pairing, PairingState
from upward.pairing.workspace import Seat


@dataclass(frozen=True)
class GoalColumn:
    owner: Person
    is_me: bool
    goals: list[Goal]


def goal_columns(seat: Seat) -> list[GoalColumn]:
    """The person's own goals first, then their partner's, each in priority order."""
    goals = list(
        Goal.objects.filter(pairing=seat.pairing)
        .prefetch_related(
            Prefetch(
                "tasks", queryset=Task.objects.select_related("owner").order_by("due_on", "id")
            )
        )
        .order_by("position", "id")
    )
    mine = [g for g in goals if g.owner_id == seat.person.pk]
    theirs = [g for g in goals if g.owner_id == seat.partner.pk]
    return [GoalColumn(seat.person, True, mine), GoalColumn(seat.partner, False, theirs)]


def goals_of(pairing: Pairing, owner: Person) -> list[Goal]:
    return list(
        Goal.objects.filter(pairing=pairing, owner=owner)
        .prefetch_related(
            Prefetch(
                "tasks", queryset=Task.objects.select_related("owner").order_by("due_on", "id")
            )
        )
        .order_by("position", "id")
    )


@dataclass(frozen=True)
class GoalCounts:
    goals: int
    achieved: int
    open_tasks: int


def goal_counts(pairing: Pairing) -> GoalCounts:
    row = Goal.objects.filter(pairing=pairing).aggregate(
        goals=Count("id", distinct=True),
        achieved=Count("id", filter=Q(status=GoalStatus.ACHIEVED), distinct=True),
    )
    open_tasks = Task.objects.filter(goal__pairing=pairing, done_at__isnull=True).count()
    return GoalCounts(row["goals"], row["achieved"], open_tasks)


# ---------------------------------------------------------------------------------------------
# The programme team's view: numbers only, never the words of a goal or task.


@dataclass
class PairingCounts:
    pairing: Pairing
    goals: int = 0
    achieved: int = 0
    in_progress: int = 0
    tasks: int = 0
    tasks_done: int = 0
    assessments: set[str] = field(default_factory=set)


def programme_goal_counts(programme: Any) -> list[PairingCounts]:
    pairings = list(
        Pairing.objects.filter(
            programme=programme, state__in=[PairingState.ACTIVE, PairingState.COMPLETED]
        )
        .select_related("mentor", "mentee")
        .order_by("mentee__full_name", "id")
    )
    rows = {p.pk: PairingCounts(p) for p in pairings}
    for r in (
        Goal.objects.filter(pairing__in=list(rows))
        .values("pairing")
        .annotate(
            n=Count("id"),
            achieved=Count("id", filter=Q(status=GoalStatus.ACHIEVED)),
            in_progress=Count("id", filter=Q(status=GoalStatus.IN_PROGRESS)),
        )
    ):
        row = rows[r["pairing"]]
        row.goals, row.achieved, row.in_progress = r["n"], r["achieved"], r["in_progress"]
    for t in (
        Task.objects.filter(goal__pairing__in=list(rows))
        .values("goal__pairing")
        .annotate(n=Count("id"), done=Count("id", filter=Q(done_at__isnull=False)))
    ):
        row = rows[t["goal__pairing"]]
        row.tasks, row.tasks_done = t["n"], t["done"]
    for a in (
        Assessment.objects.filter(pairing__in=list(rows), subject_id=F("rater_id"))
        .order_by()
        .values("pairing", "kind")
        .distinct()
    ):
        rows[a["pairing"]].assessments.add(a["kind"])
    return list(rows.values())


@dataclass(frozen=True)
class GoalTotals:
    """`programme_goal_counts` added up over the programme's pairs, counted by the database."""

    pairs: int
    pairs_with_goals: int
    goals: int
    achieved: int
    in_progress: int
    tasks: int
    tasks_done: int


def programme_goal_totals(programme: Any) -> GoalTotals:
    """The same pairs, goals and tasks as `programme_goal_counts`, summed. Three queries."""
    pairings = Pairing.objects.filter(
        programme=programme, state__in=[PairingState.ACTIVE, PairingState.COMPLETED]
    )
    goals = Goal.objects.filter(pairing__in=pairings).aggregate(
        pairs=Count("pairing", distinct=True),
        n=Count("id"),
        achieved=Count("id", filter=Q(status=GoalStatus.ACHIEVED)),
        in_progress=Count("id", filter=Q(status=GoalStatus.IN_PROGRESS)),
    )
    tasks = Task.objects.filter(goal__pairing__in=pairings).aggregate(
        n=Count("id"), done=Count("id", filter=Q(done_at__isnull=False))
    )
    return GoalTotals(
        pairs=pairings.count(),
        pairs_with_goals=goals["pairs"],
        goals=goals["n"],
        achieved=goals["achieved"],
        in_progress=goals["in_progress"],
        tasks=tasks["n"],
        tasks_done=tasks["done"],
    )


# ---------------------------------------------------------------------------------------------
# Skills


@dataclass(frozen=True)
class SkillRow:
    skill: Skill
    self_baseline: int | None
    self_final: int | None
    partner_baseline: int | None
    partner_final: int | None

    @property
    def change(self) -> int | None:
        if self.self_baseline is None or self.self_final is None:
            return None
        return self.self_final - self.self_baseline


def _ratings(pairing: Pairing, *, subject: Person, rater: Person) -> dict[tuple[str, int], int]:
    return {
        (r.assessment.kind, r.skill_id): r.level
        for r in Rating.objects.filter(
            assessment__pairing=pairing, assessment__subject=subject, assessment__rater=rater
        ).select_related("assessment")
    }


def skill_rows(
    pairing: Pairing, skills: list[Skill], *, subject: Person, viewer: Person
) -> list[SkillRow]:
    """How `subject` rated themselves and how their partner rated them, as `viewer` may see it.

    A person's self-ratings are theirs alone; the partner's view of someone is visible to the
    person rated and to the partner who wrote it.
    """
    partner = pairing.mentee if subject.pk == pairing.mentor_id else pairing.mentor
    own = _ratings(pairing, subject=subject, rater=subject) if viewer.pk == subject.pk else {}
    if viewer.pk in (subject.pk, partner.pk):
        theirs = _ratings(pairing, subject=subject, rater=partner)
    else:
        theirs = {}
    return [
        SkillRow(
            skill=s,
            self_baseline=own.get(("baseline", s.pk)),
            self_final=own.get(("final", s.pk)),
            partner_baseline=theirs.get(("baseline", s.pk)),
            partner_final=theirs.get(("final", s.pk)),
        )
        for s in skills
    ]


def ratings_given(pairing: Pairing, *, subject: Person, rater: Person, kind: str) -> dict[int, int]:
    return {
        skill_id: level
        for (k, skill_id), level in _ratings(pairing, subject=subject, rater=rater).items()
        if k == kind
    }


@dataclass(frozen=True)
class ChartRow:
    label: str
    y: float
    baseline_x: float | None
    final_x: float | None
    partner_x: float | None
    summary: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    plot_width: int
    ticks: list[tuple[int, float]]
    rows: list[ChartRow]


def skills_chart(rows: list[SkillRow]) -> Chart:
    """Geometry for a dumbbell chart (start → end per skill) drawn as inline SVG."""
    left, plot_width, row_height, top = 280, 360, 36, 28
    width = left + plot_width + 30

    def x(level: int | None) -> float | None:
        return None if level is None else left + (level - 1) * plot_width / 4

    chart_rows = []
    for i, row in enumerate(rows):
        partner = row.partner_final if row.partner_final is not None else row.partner_baseline
        label = row.skill.name if len(row.skill.name) <= 38 else row.skill.name[:37] + "…"
        chart_rows.append(
            ChartRow(
                label=label,
                y=top + i * row_height + row_height / 2,
                baseline_x=x(row.self_baseline),
                final_x=x(row.self_final),
                partner_x=x(partner),
                summary=f"{row.skill.name}: {row.self_baseline or '–'} → {row.self_final or '–'}",
            )
        )
    ticks = [(level, left + (level - 1) * plot_width / 4) for level in range(1, 6)]
    return Chart(
        width=width,
        height=top + len(rows) * row_height + 10,
        left=left,
        plot_width=plot_width,
        ticks=ticks,
        rows=chart_rows,
    )

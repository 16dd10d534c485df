"""The programme report: every figure of the page, its print version and its PDF, in one place.

`programme_report(programme)` builds a frozen `ProgrammeReport` from the other apps' selectors
(and a few aggregate queries where no selector counts what the report needs), so the three
outputs cannot disagree and hide the same cells. A fixed number of queries whatever the number
of pairs, meetings or answers. How each figure is computed: docs/insight.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from upward.core import suppression
from upward.goals.selectors import programme_goal_totals
from upward.impact.selectors import (
    CommitmentReport,
    commitment_report,
    programme_mentor_time_totals,
)
from upward.impact.services import add_months
from upward.insight.charts import Chart, bar_chart
from upward.journey.cadence import expected_meetings
from upward.journey.models import Meeting, MeetingStatus
from upward.journey.selectors import programme_journey, session_steps
from upward.organisations.logo import logo_png
from upward.organisations.models import Person
from upward.pairing.models import Pairing, PairingState
from upward.programmes.models import Programme
from upward.programmes.models import State as ProgrammeState
from upward.recruitment.models import Application, Invitation, Role
from upward.safety import flags
from upward.safety.access import safety_programmes
from upward.safety.selectors import (
    PulseSummary,
    flag_kind_counts,
    flagged_pairings,
    pulse_summary,
)
from upward.surveys.outcomes import PairedChange
from upward.surveys.selectors import programme_outcomes

MET = "met"
NOT_YET = "not_yet"
NOT_MEASURABLE = "not_measurable"

# Pairings that went ahead: the pair met (or could have) and counts in engagement figures.
WENT_AHEAD = (PairingState.ACTIVE, PairingState.COMPLETED, PairingState.ENDED)
FUNNEL_STAGES = (
    "invited",
    "applied",
    "accepted",
    "matched",
    "active",
    "completed",
    "left_early",
)
RETENTION_MONTHS = (6, 12)


def risk_labels() -> dict[str, str]:
    """Safety's flag kinds in words for a count (its own labels name one pair's details)."""
    return {
        flags.NO_MEETING: _("no meeting for a while"),
        flags.MISSED: _("missed meetings"),
        flags.LOW_PULSE: _("a low pulse"),
        flags.BEHIND: _("behind the agreed rhythm"),
        flags.PROPOSAL_OVERDUE: _("a proposal not answered"),
    }


def stage_labels() -> dict[str, str]:
    return {
        "invited": _("Invited"),
        "applied": _("Applied"),
        "accepted": _("Accepted"),
        "matched": _("Matched"),
        "active": _("Active now"),
        "completed": _("Completed"),
        "left_early": _("Left early"),
    }


@dataclass(frozen=True)
class Verdict:
    state: str  # MET, NOT_YET or NOT_MEASURABLE
    label: str
    reason: str
    item_text: str = ""
    change: PairedChange | None = None


@dataclass(frozen=True)
class FunnelRow:
    stage: str
    label: str
    mentors: int
    mentees: int


@dataclass(frozen=True)
class MonthRow:
    month: dt.date
    held: int
    expected: int


@dataclass(frozen=True)
class StepRow:
    title: str
    pairs: int


@dataclass(frozen=True)
class Engagement:
    pairs: int  # pairings that went ahead
    held: int
    per_month: Decimal
    expected_per_pair: int
    months: list[MonthRow]
    steps: list[StepRow]
    at_risk: int | None  # None: the programme is not running, nobody is judged
    at_risk_kinds: list[tuple[str, int]]
    # True when the count is held back: a reader without safety access, fewer than 5 pairs.
    at_risk_hidden: bool = False

    @property
    def held_per_pair(self) -> float | None:
        return round(self.held / self.pairs, 1) if self.pairs else None


@dataclass(frozen=True)
class Goals:
    pairs: int
    pairs_with_goals: int
    goals: int
    achieved: int
    in_progress: int
    tasks: int
    tasks_done: int

    @property
    def achieved_share(self) -> int | None:
        return suppression.share(self.achieved, self.goals) if self.goals else None

    @property
    def tasks_done_share(self) -> int | None:
        return suppression.share(self.tasks_done, self.tasks) if self.tasks else None


@dataclass(frozen=True)
class OutcomeRow:
    text: str
    comparison: str
    n: int
    change: PairedChange | None  # None: fewer answers than the minimum group

    @property
    def mean_text(self) -> str:
        return f"{self.change.mean_change:+.2f}" if self.change else "—"

    @property
    def interval_text(self) -> str:
        c = self.change
        if c is None or c.ci_low is None or c.ci_high is None:
            return "—"
        return f"{c.ci_low:+.2f} to {c.ci_high:+.2f}"

    @property
    def improved_share(self) -> int | None:
        c = self.change
        return suppression.share(c.improved, c.n) if c else None


@dataclass(frozen=True)
class MentorTime:
    mentors: int
    mentors_who_gave: int
    minutes: int
    sessions: int
    events: int
    # Per mentor who gave time; hidden (None) when fewer than the minimum group gave time.
    average_minutes: int | None

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    @property
    def average_hours(self) -> float | None:
        return None if self.average_minutes is None else round(self.average_minutes / 60, 1)


@dataclass(frozen=True)
class RetentionRow:
    months: int
    due_on: dt.date
    available: bool  # False until the day has come
    participants: int | None  # base, None when hidden (a small group)
    participants_rate: int | None
    others: int | None
    others_rate: int | None


@dataclass(frozen=True)
class ProgrammeReport:
    programme: Programme
    organisation_name: str
    logo: bytes | None
    today: dt.date
    min_group: int
    verdict: Verdict
    funnel: list[FunnelRow]
    engagement: Engagement
    goals: Goals
    outcomes: list[OutcomeRow]
    outcome_respondents: int
    pulse: PulseSummary
    commitments: CommitmentReport
    mentor_time: MentorTime
    retention: list[RetentionRow]
    retention_note: str

    @property
    def has_funnel(self) -> bool:
        return any(row.mentors or row.mentees for row in self.funnel)


# ---------------------------------------------------------------------------------------------
# 1. The verdict


def verdict_for(
    *,
    measure_chosen: bool,
    item_text: str,
    in_end_survey: bool,
    change: PairedChange | None,
    min_group: int,
) -> Verdict:
    """Met / not yet / not measurable yet, with the reason in words (docs/insight.md).

    Not measurable while no survey question is linked to the success measure, while the end
    survey does not ask it, or while fewer than the minimum group answered it at both the start
    and the end. Met when the average change is positive and its 95% confidence interval lies
    wholly above zero (so "no change" is unlikely to explain it). Not yet otherwise."""
    not_measurable = _("Not measurable yet")
    if not measure_chosen:
        return Verdict(
            NOT_MEASURABLE,
            not_measurable,
            _(
                "No survey question is linked to the success measure yet. Choose one on the "
                "programme's outcomes page."
            ),
        )
    if not in_end_survey:
        return Verdict(
            NOT_MEASURABLE,
            not_measurable,
            _(
                "The measured question has no answers from the end survey yet (or the end "
                "survey does not ask it)."
            ),
            item_text,
        )
    if change is None or change.ci_low is None or change.ci_high is None:
        return Verdict(
            NOT_MEASURABLE,
            not_measurable,
            _(
                "Not enough people have answered the measured question at both the start and "
                "the end yet: at least %(n)s are needed."
            )
            % {"n": min_group},
            item_text,
        )
    figures = {
        "change": f"{change.mean_change:+.2f}",
        "low": f"{change.ci_low:+.2f}",
        "high": f"{change.ci_high:+.2f}",
        "n": change.n,
    }
    if change.mean_change > 0 and change.ci_low > 0:
        return Verdict(
            MET,
            _("Met"),
            ngettext(
                "Answers rose by %(change)s points on average (%(n)s person answered at the "
                "start and the end). The 95%% confidence interval, %(low)s to %(high)s, lies "
                "above zero, so the rise is unlikely to be chance.",
                "Answers rose by %(change)s points on average (%(n)s people answered at the "
                "start and the end). The 95%% confidence interval, %(low)s to %(high)s, lies "
                "above zero, so the rise is unlikely to be chance.",
                change.n,
            )
            % figures,
            item_text,
            change,
        )
    if change.mean_change > 0:
        reason = ngettext(
            "Answers rose by %(change)s points on average (%(n)s person), but the 95%% "
            "confidence interval, %(low)s to %(high)s, includes no change: the rise could "
            "still be chance.",
            "Answers rose by %(change)s points on average (%(n)s people), but the 95%% "
            "confidence interval, %(low)s to %(high)s, includes no change: the rise could "
            "still be chance.",
            change.n,
        )
    else:
        reason = ngettext(
            "Answers changed by %(change)s points on average (%(n)s person; 95%% confidence "
            "interval %(low)s to %(high)s): no rise yet.",
            "Answers changed by %(change)s points on average (%(n)s people; 95%% confidence "
            "interval %(low)s to %(high)s): no rise yet.",
            change.n,
        )
    return Verdict(NOT_YET, _("Not yet"), reason % figures, item_text, change)


# ---------------------------------------------------------------------------------------------
# 2. Recruitment funnel


def _funnel(programme: Programme) -> list[FunnelRow]:
    counts: dict[str, dict[str, int]] = {s: {Role.MENTOR: 0, Role.MENTEE: 0} for s in FUNNEL_STAGES}
    for role, n in (
        Invitation.objects.filter(programme=programme)
        .values("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    ):
        counts["invited"][role] = n
    for role, applied, accepted in (
        Application.objects.filter(programme=programme)
        .values("role")
        .annotate(
            applied=Count("person", distinct=True),
            accepted=Count("person", distinct=True, filter=Q(status=Application.Status.ACCEPTED)),
        )
        .values_list("role", "applied", "accepted")
    ):
        counts["applied"][role] = applied
        counts["accepted"][role] = accepted
    # People, not pairings: someone rematched after a declined proposal counts once.
    aggregates = {}
    for side in ("mentor", "mentee"):
        aggregates[f"{side}_matched"] = Count(side, distinct=True)
        aggregates[f"{side}_active"] = Count(
            side, distinct=True, filter=Q(state=PairingState.ACTIVE)
        )
        aggregates[f"{side}_completed"] = Count(
            side, distinct=True, filter=Q(state=PairingState.COMPLETED)
        )
        aggregates[f"{side}_left_early"] = Count(
            side, distinct=True, filter=Q(state=PairingState.ENDED)
        )
    row = Pairing.objects.filter(programme=programme).aggregate(**aggregates)
    for side, role in (("mentor", Role.MENTOR), ("mentee", Role.MENTEE)):
        for stage in ("matched", "active", "completed", "left_early"):
            counts[stage][role] = row[f"{side}_{stage}"] or 0
    labels = stage_labels()
    return [
        FunnelRow(stage, labels[stage], counts[stage][Role.MENTOR], counts[stage][Role.MENTEE])
        for stage in FUNNEL_STAGES
    ]


# ---------------------------------------------------------------------------------------------
# 3. Engagement


def month_starts(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """The first day of every calendar month from `first`'s to `last`'s (the report's months
    by month, the exports' meeting rhythm)."""
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _engagement(
    programme: Programme, *, today: dt.date, now: dt.datetime, viewer: Person | None
) -> Engagement:
    journey = programme_journey(programme)
    per_month = Decimal(journey.meetings_per_month or 1)
    pairs = Pairing.objects.filter(programme=programme, state__in=WENT_AHEAD).count()
    held = Meeting.objects.filter(
        pairing__programme=programme, pairing__state__in=WENT_AHEAD, status=MeetingStatus.HELD
    )
    by_month: dict[dt.date, int] = {}
    for month, n in (
        held.annotate(month=TruncMonth("starts_at"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
        .order_by("month")
    ):
        key = month.date() if isinstance(month, dt.datetime) else month
        by_month[key] = by_month.get(key, 0) + n
    total = sum(by_month.values())
    until = min(today, programme.end_date)
    expected_per_pair = (
        expected_meetings(per_month=per_month, since=programme.starts_on, today=until, grace_days=0)
        if pairs
        else 0
    )
    months: list[MonthRow] = []
    if pairs and programme.starts_on <= until:
        # At most five years of months on the chart.
        for month in itertools.islice(month_starts(programme.starts_on, until), 60):
            # A month the programme only partly covers (it started on the 20th, or it is this
            # month and today is the 6th) asks for its share of the month's meetings.
            length = calendar.monthrange(month.year, month.month)[1]
            first = max(month, programme.starts_on)
            last = min(month.replace(day=length), until)
            share = ((last - first).days + 1) / length
            months.append(
                MonthRow(month, by_month.get(month, 0), round(pairs * float(per_month) * share))
            )
    elif by_month:
        months = [MonthRow(m, n, 0) for m, n in sorted(by_month.items())]

    steps: list[StepRow] = []
    reached = dict(
        held.filter(step__isnull=False)
        .values("step")
        .annotate(pairs=Count("pairing", distinct=True))
        .values_list("step", "pairs")
    )
    for step in session_steps(journey):
        steps.append(StepRow(step.title, reached.get(step.pk, 0)))

    at_risk: int | None = None
    at_risk_hidden = False
    kinds: list[tuple[str, int]] = []
    if programme.state in (ProgrammeState.MATCHING, ProgrammeState.ACTIVE):
        # The needs-attention page's rules, as counts, without the viewer's own pairings (an
        # admin who is a mentee must not learn of a flag about their own pair). The kinds (a
        # low pulse, a concern, ...) are safety data: only for those who may read the
        # needs-attention page; anyone else sees the total, and only from five pairs up.
        rows, _settings = flagged_pairings(programme, viewer=viewer, now=now)
        at_risk = len(rows)
        safety_reader = (
            viewer is not None
            and viewer.user_id is not None
            and safety_programmes(viewer.user).filter(pk=programme.pk).exists()
        )
        if safety_reader:
            labels = risk_labels()
            by_kind = flag_kind_counts(rows)  # pairs per kind of flag
            kinds = sorted(
                ((labels.get(k, k), n) for k, n in by_kind.items()), key=lambda kv: (-kv[1], kv[0])
            )
        elif at_risk < suppression.min_group():
            at_risk_hidden = True
    return Engagement(
        pairs=pairs,
        held=total,
        per_month=per_month,
        expected_per_pair=expected_per_pair,
        months=months,
        steps=steps,
        at_risk=None if at_risk_hidden else at_risk,
        at_risk_kinds=kinds,
        at_risk_hidden=at_risk_hidden,
    )


# ---------------------------------------------------------------------------------------------
# 4. Goals, 8. mentor time


def _goals(programme: Programme) -> Goals:
    t = programme_goal_totals(programme)
    return Goals(
        pairs=t.pairs,
        pairs_with_goals=t.pairs_with_goals,
        goals=t.goals,
        achieved=t.achieved,
        in_progress=t.in_progress,
        tasks=t.tasks,
        tasks_done=t.tasks_done,
    )


def _mentor_time(programme: Programme, *, now: dt.datetime, min_group: int) -> MentorTime:
    rows = programme_mentor_time_totals(programme)
    gave = [r for r in rows if r.total_minutes]
    minutes = sum(r.total_minutes for r in rows)
    return MentorTime(
        mentors=len(rows),
        mentors_who_gave=len(gave),
        minutes=minutes,
        sessions=sum(r.sessions_held for r in rows),
        events=sum(r.events_attended for r in rows),
        # An average over a handful of people is close to one person's figure.
        average_minutes=round(minutes / len(gave)) if len(gave) >= min_group else None,
    )


# ---------------------------------------------------------------------------------------------
# 9. Retention


def _retention(
    programme: Programme, *, today: dt.date, min_group: int
) -> tuple[list[RetentionRow], str]:
    if programme.ended_on is None:
        return [], _(
            "Retention is measured 6 and 12 months after the programme has been completed."
        )
    ended = programme.ended_on
    participant_ids: set[int] = set()
    for mentor_id, mentee_id in Pairing.objects.filter(
        programme=programme, state__in=WENT_AHEAD
    ).values_list("mentor_id", "mentee_id"):
        participant_ids.update((mentor_id, mentee_id))
    organisation_people = Person.objects.filter(organisation_id=programme.organisation_id)
    # Only people who had joined by the end count; of those who have left, only their dates.
    # Someone who left on a day nobody recorded (before Person.left_on existed, with no audit
    # entry to recover it from) is left out of both the base and the rate: guessing would move
    # a past rate whenever their record is touched.
    left_people = (
        organisation_people.filter(is_active=False, left_on__isnull=False)
        .alias(joined=Coalesce("start_date", TruncDate("created_at")))
        .filter(joined__lte=ended)
    )
    # Who was in the organisation the day the programme ended, and when they left (if they did).
    # People still here are counted in the database (they stayed at every due date); only the
    # people who have left are read, for their leaving dates.
    joined_by_end = Q(joined__lte=ended)
    went_ahead = Pairing.objects.filter(programme=programme, state__in=WENT_AHEAD)
    participant = Q(pk__in=went_ahead.values("mentor_id")) | Q(
        pk__in=went_ahead.values("mentee_id")
    )
    staying = (
        organisation_people.filter(is_active=True)
        .alias(joined=Coalesce("start_date", TruncDate("created_at")))
        .aggregate(
            participants=Count("pk", filter=joined_by_end & participant),
            others=Count("pk", filter=joined_by_end & ~participant),
        )
    )
    present: list[tuple[bool, dt.date | None]] = []
    for pk, left_day in left_people.filter(left_on__gt=ended).values_list("pk", "left_on"):
        present.append((pk in participant_ids, left_day))
    rows = []
    for months in RETENTION_MONTHS:
        due = add_months(ended, months)
        available = today >= due
        # participant? -> [base, stayed]
        counts = {
            True: [staying["participants"], staying["participants"]],
            False: [staying["others"], staying["others"]],
        }
        for is_participant, left in present:
            counts[is_participant][0] += 1
            if left is None or left > due:
                counts[is_participant][1] += 1
        # A rate over a small group is close to naming who left: hidden with its base.
        shown = suppression.suppress_counts(
            {"participants": counts[True][0], "others": counts[False][0]},
            threshold=min_group,
            total_shown=False,
        )
        p_base, o_base = shown["participants"], shown["others"]
        rows.append(
            RetentionRow(
                months=months,
                due_on=due,
                available=available,
                participants=p_base,
                participants_rate=suppression.share(counts[True][1], p_base) if available else None,
                others=o_base,
                others_rate=suppression.share(counts[False][1], o_base) if available else None,
            )
        )
    return rows, ""


# ---------------------------------------------------------------------------------------------
# The report


def programme_report(
    programme: Programme, *, viewer: Person | None = None, now: dt.datetime | None = None
) -> ProgrammeReport:
    """Every figure of the programme report. `viewer`: the person reading it (their own
    pairings are left out of the safety pulse, as on the needs-attention page)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    min_group = suppression.min_group()
    outcomes = programme_outcomes(programme, detail=False)
    measured = outcomes.measured
    item_text = (
        dict(outcomes.item_keys).get(outcomes.measure.item_key, "") if outcomes.measure else ""
    )
    verdict = verdict_for(
        measure_chosen=outcomes.measure is not None,
        item_text=(measured.text if measured else item_text) or "",
        in_end_survey=measured is not None,
        change=measured.change if measured else None,
        min_group=min_group,
    )
    retention, retention_note = _retention(programme, today=today, min_group=min_group)
    organisation = programme.organisation
    return ProgrammeReport(
        programme=programme,
        organisation_name=organisation.name,
        logo=logo_png(organisation),
        today=today,
        min_group=min_group,
        verdict=verdict,
        funnel=_funnel(programme),
        engagement=_engagement(programme, today=today, now=now, viewer=viewer),
        goals=_goals(programme),
        outcomes=[
            OutcomeRow(item.text, item.comparison, item.n, item.change) for item in outcomes.paired
        ],
        outcome_respondents=outcomes.respondents,
        pulse=pulse_summary(programme, viewer=viewer),
        commitments=commitment_report(programme),
        mentor_time=_mentor_time(programme, now=now, min_group=min_group),
        retention=retention,
        retention_note=retention_note,
    )


# ---------------------------------------------------------------------------------------------
# Charts (the same for page, print and PDF)


@dataclass(frozen=True)
class ReportCharts:
    funnel: Chart | None
    meetings: Chart | None
    steps: Chart | None
    commitments: Chart | None


def report_charts(report: ProgrammeReport) -> ReportCharts:
    """The report's charts; None where the section has nothing to draw (its empty state)."""
    name = report.programme.name
    funnel = None
    if report.has_funnel:
        funnel = bar_chart(
            _("People at each stage, by role"),
            _("People at each stage of %(programme)s, mentors and mentees side by side.")
            % {"programme": name},
            [row.label for row in report.funnel],
            [
                (_("Mentors"), [row.mentors for row in report.funnel]),
                (_("Mentees"), [row.mentees for row in report.funnel]),
            ],
            chart_id="chart-funnel",
        )
    engagement = report.engagement
    meetings = None
    if engagement.months and engagement.held:
        meetings = bar_chart(
            _("Meetings held by month"),
            _(
                "Meetings the pairs of %(programme)s held each month, beside what the "
                "commitment asks of all pairs together."
            )
            % {"programme": name},
            [date_format(row.month, "M Y") for row in engagement.months],
            [
                (_("Held"), [row.held for row in engagement.months]),
                (_("Commitment"), [row.expected for row in engagement.months]),
            ],
            horizontal=False,
            chart_id="chart-meetings",
        )
    steps = None
    if engagement.steps and engagement.pairs:
        steps = bar_chart(
            _("Journey steps reached"),
            _("How many pairs have held a meeting for each step of the journey."),
            [row.title for row in engagement.steps],
            [(_("Pairs"), [row.pairs for row in engagement.steps])],
            chart_id="chart-steps",
        )
    commitments = None
    if report.commitments.enough:
        commitments = bar_chart(
            _("Leaders' commitments by status"),
            _("How far the commitments leaders made have got."),
            [label for _key, label, _n in report.commitments.by_status],
            [(_("Commitments"), [n for _key, _label, n in report.commitments.by_status])],
            chart_id="chart-commitments",
        )
    return ReportCharts(funnel, meetings, steps, commitments)

"""The "Today" page: what needs a programme manager or organisation admin across every
programme they run, in one place.

Access follows the apps' own rules: the programmes are the viewer's managed programmes (an org
admin never sees one they take part in); risk flags, concerns and check-ins are safety data and
appear only for programmes whose safety items the viewer may read (their leads and the
organisation's safeguarding contacts), never about the viewer's own pairing.

Queries do not grow with the number of pairs: the cross-programme lists are one query each,
and each programme adds a fixed handful (its flags and its people waiting)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from upward.organisations.access import person_for
from upward.organisations.models import Person
from upward.pairing.models import ChoiceRound, Pairing, PairingState, RoundStatus
from upward.pairing.selectors import people_waiting
from upward.programmes.access import managed_programmes
from upward.programmes.models import Programme, State
from upward.recruitment.models import Application
from upward.safety.access import not_about, safety_programmes
from upward.safety.models import CheckIn, Concern, ConcernState, FlagKind
from upward.safety.selectors import flagged_pairings
from upward.surveys.models import Survey, SurveyState, Timing
from upward.surveys.selectors import survey_window_of

AHEAD_DAYS = 14
# Each list shows this many, then "and N more".
CAP = 5
SHOWN_STATES = (State.RECRUITING, State.MATCHING, State.ACTIVE, State.COMPLETED)
PAIRING_BEGUN = (State.MATCHING, State.ACTIVE, State.COMPLETED)


@dataclass(frozen=True)
class Capped:
    items: list[Any]
    more: int

    def __bool__(self) -> bool:
        return bool(self.items)


def capped(items: list[Any]) -> Capped:
    return Capped(items[:CAP], max(0, len(items) - CAP))


@dataclass(frozen=True)
class Deadline:
    day: dt.date
    label: str
    url: str


@dataclass(frozen=True)
class SurveyRate:
    survey: Survey
    answered: int
    asked: int | None  # None for feedback after each session (asked once per meeting)
    closes_on: dt.date | None

    @property
    def percent(self) -> int | None:
        if not self.asked:
            return None
        return round(100 * self.answered / self.asked)


@dataclass
class ProgrammeToday:
    programme: Programme
    reads_safety: bool
    flagged: int = 0
    reasons: list[tuple[str, int]] = field(default_factory=list)
    concerns: int = 0
    waiting: Capped = field(default_factory=lambda: Capped([], 0))
    waiting_total: int = 0
    surveys: Capped = field(default_factory=lambda: Capped([], 0))
    deadlines: Capped = field(default_factory=lambda: Capped([], 0))

    @property
    def needs_you(self) -> bool:
        return bool(self.flagged or self.concerns or self.waiting or self.surveys or self.deadlines)


@dataclass(frozen=True)
class Today:
    programmes: list[ProgrammeToday]  # only those with something to show
    watched: int  # programmes looked at
    now: dt.datetime

    @property
    def empty(self) -> bool:
        return not self.programmes


def today_for(user: Any, *, now: dt.datetime | None = None) -> Today:
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + dt.timedelta(days=AHEAD_DAYS)
    viewer = person_for(user)
    programmes = list(
        Programme.objects.filter(
            pk__in=managed_programmes(user).values("pk"), state__in=SHOWN_STATES
        ).order_by("ends_on", "name", "pk")
    )
    if viewer is None or not programmes:
        return Today([], 0, now)
    ids = [p.pk for p in programmes]
    safe = set(safety_programmes(user).filter(pk__in=ids).values_list("pk", flat=True))
    rows = {p.pk: ProgrammeToday(programme=p, reads_safety=p.pk in safe) for p in programmes}
    deadlines: dict[int, list[Deadline]] = defaultdict(list)

    for p in programmes:
        if p.state == State.ACTIVE and today <= p.ends_on <= horizon:
            deadlines[p.pk].append(
                Deadline(
                    p.ends_on, _("The programme ends"), reverse("programmes:detail", args=[p.pk])
                )
            )
    _safety(rows, safe, viewer, now=now, horizon=horizon, deadlines=deadlines)
    for p in programmes:
        if p.state in PAIRING_BEGUN:
            waiting = people_waiting(p)
            rows[p.pk].waiting = capped(waiting)
            rows[p.pk].waiting_total = len(waiting)
    _surveys(rows, programmes, today=today, horizon=horizon, deadlines=deadlines)
    _proposals(ids, now=now, horizon=horizon, deadlines=deadlines)
    _rounds(ids, now=now, horizon=horizon, deadlines=deadlines)
    for pk, found in deadlines.items():
        rows[pk].deadlines = capped(sorted(found, key=lambda d: (d.day, d.label)))
    shown = [row for row in rows.values() if row.needs_you]
    return Today(shown, len(programmes), now)


def _safety(
    rows: dict[int, ProgrammeToday],
    safe: set[int],
    viewer: Person,
    *,
    now: dt.datetime,
    horizon: dt.date,
    deadlines: dict[int, list[Deadline]],
) -> None:
    if not safe:
        return
    labels = dict(FlagKind.choices)
    for pk in sorted(safe):
        row = rows[pk]
        flagged, _settings = flagged_pairings(row.programme, viewer=viewer, now=now)
        row.flagged = len(flagged)
        counts = Counter(flag.kind for item in flagged for flag in item.flags)
        row.reasons = [(str(labels.get(kind, kind)), n) for kind, n in counts.most_common(3)]
    for pk, n in (
        Concern.objects.filter(not_about(viewer), programme_id__in=safe)
        .exclude(state=ConcernState.RESOLVED)
        .order_by()
        .values_list("programme_id")
        .annotate(n=Count("id"))
    ):
        rows[pk].concerns = n
    check_ins = (
        CheckIn.objects.filter(
            not_about(viewer),
            ~Q(person=viewer),
            programme_id__in=safe,
            done_at__isnull=True,
            due_on__lte=horizon,
        )
        .values_list("programme_id", "due_on")
        .order_by("due_on")
    )
    for pk, due_on in check_ins:
        deadlines[pk].append(
            Deadline(due_on, _("A planned check-in is due"), reverse("safety:attention", args=[pk]))
        )


def _surveys(
    rows: dict[int, ProgrammeToday],
    programmes: list[Programme],
    *,
    today: dt.date,
    horizon: dt.date,
    deadlines: dict[int, list[Deadline]],
) -> None:
    by_pk = {p.pk: p for p in programmes}
    surveys = list(
        Survey.objects.filter(programme_id__in=by_pk, state=SurveyState.OPEN)
        .annotate(answered=Count("submissions__person", distinct=True))
        .order_by("programme_id", "created_at", "pk")
    )
    if not surveys:
        return
    asked: dict[tuple[int, str], int] = {
        (pk, role): n
        for pk, role, n in Application.objects.filter(
            programme_id__in=by_pk, status=Application.Status.ACCEPTED, person__is_active=True
        )
        .order_by()
        .values_list("programme_id", "role")
        .annotate(n=Count("id"))
    }
    found: dict[int, list[SurveyRate]] = defaultdict(list)
    for survey in surveys:
        programme = by_pk[survey.programme_id]
        survey.programme = programme
        closes_on = None
        audience = 0
        if survey.timing != Timing.AFTER_SESSION:
            # The same window the survey's page and participants see: moved by "send it now"
            # and counted from the day the programme actually ended.
            window = survey_window_of(survey, programme)
            closes_on = window[1] if window else None
            audience = sum(
                n for (pk, role), n in asked.items() if pk == programme.pk and survey.asks(role)
            )
        found[programme.pk].append(
            SurveyRate(
                survey=survey,
                answered=survey.answered,  # type: ignore[attr-defined]
                asked=audience if survey.timing != Timing.AFTER_SESSION else None,
                closes_on=closes_on,
            )
        )
        if closes_on is not None and today <= closes_on <= horizon:
            deadlines[programme.pk].append(
                Deadline(
                    closes_on,
                    _("Survey closes: %(title)s") % {"title": survey.title},
                    reverse("surveys:detail", args=[programme.pk, survey.pk]),
                )
            )
    for pk, rates in found.items():
        rows[pk].surveys = capped(rates)


def _proposals(
    ids: list[int], *, now: dt.datetime, horizon: dt.date, deadlines: dict[int, list[Deadline]]
) -> None:
    per_day: Counter[tuple[int, dt.date]] = Counter()
    for pk, respond_by in Pairing.objects.filter(
        programme_id__in=ids,
        state__in=(PairingState.PROPOSED, PairingState.MENTOR_ACCEPTED),
        respond_by__gte=now,
    ).values_list("programme_id", "respond_by"):
        day = timezone.localdate(respond_by)
        if day <= horizon:
            per_day[(pk, day)] += 1
    for (pk, day), n in per_day.items():
        deadlines[pk].append(
            Deadline(
                day,
                ngettext(
                    "%(n)s proposal waits for an answer",
                    "%(n)s proposals wait for an answer",
                    n,
                )
                % {"n": n},
                reverse("pairing:matching", args=[pk]),
            )
        )


def _rounds(
    ids: list[int], *, now: dt.datetime, horizon: dt.date, deadlines: dict[int, list[Deadline]]
) -> None:
    for pk, closes_at in ChoiceRound.objects.filter(
        programme_id__in=ids, status=RoundStatus.OPEN, closes_at__gte=now
    ).values_list("programme_id", "closes_at"):
        day = timezone.localdate(closes_at)
        if day <= horizon:
            deadlines[pk].append(
                Deadline(day, _("The choice round closes"), reverse("pairing:matching", args=[pk]))
            )

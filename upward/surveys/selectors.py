"""Reads: which surveys are due to whom, the programme's surveys, and its outcomes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from upward.consent import selectors as consent_selectors
from upward.consent.categories import CATEGORIES, LIVED_EXPERIENCE
from upward.core.suppression import suppress_breakdowns, suppress_counts
from upward.journey.models import Meeting, MeetingStatus
from upward.organisations.models import Department, Person, Topic
from upward.programmes.models import Programme
from upward.recruitment.models import Application, Role
from upward.surveys import outcomes
from upward.surveys.models import (
    Answer,
    Audience,
    Question,
    QuestionKind,
    Response,
    Submission,
    SuccessMeasure,
    Survey,
    SurveyState,
    Timing,
)

# When each kind of survey can be answered, in days around the programme's dates.
SESSION_WINDOW_DAYS = 14
# A survey the team sends now, outside its usual window, stays open this long.
SEND_NOW_DAYS = 14


def survey_window(timing: str, *, starts_on: dt.date, ends_on: dt.date) -> tuple[dt.date, dt.date]:
    day = dt.timedelta(days=1)
    if timing == Timing.START:
        return starts_on - 14 * day, starts_on + 28 * day
    if timing == Timing.MIDPOINT:
        middle = starts_on + (ends_on - starts_on) / 2
        return middle - 7 * day, middle + 21 * day
    if timing == Timing.END:
        return ends_on - 14 * day, ends_on + 28 * day
    if timing == Timing.FOLLOW_UP_3:
        return ends_on + 91 * day, ends_on + 119 * day
    if timing == Timing.FOLLOW_UP_6:
        return ends_on + 182 * day, ends_on + 210 * day
    raise ValueError(f"{timing} has no fixed window")


def survey_window_of(survey: Survey, programme: Programme) -> tuple[dt.date, dt.date] | None:
    """The days the survey can be answered: its usual window around the programme's dates,
    moved to start on the day the team sent it now (if they did). None for feedback after each
    session, which opens with every meeting instead."""
    if survey.timing == Timing.AFTER_SESSION:
        return None
    # end_date: the day the programme actually ended, once it has (see programme_end.py).
    opens, closes = survey_window(
        survey.timing, starts_on=programme.starts_on, ends_on=programme.end_date
    )
    if survey.sent_at is not None:
        sent_on = timezone.localdate(survey.sent_at)
        if sent_on < opens:
            opens = sent_on
        elif sent_on > closes:
            # Sent again after its window had passed: a fresh window from that day.
            opens, closes = sent_on, sent_on + dt.timedelta(days=SEND_NOW_DAYS)
    return opens, closes


@dataclass(frozen=True)
class DueSurvey:
    survey: Survey
    person_id: int
    role: str
    occasion: str  # "" or "meeting-<id>"
    opens_on: dt.date
    closes_on: dt.date
    session_on: dt.date | None = None
    submitted: bool = False

    @property
    def programme(self) -> Programme:
        return self.survey.programme


@dataclass
class _Participant:
    person_id: int
    programme: Programme
    role: str


def _participants(person_ids: Iterable[int] | None = None) -> list[_Participant]:
    qs = Application.objects.filter(status=Application.Status.ACCEPTED).exclude(
        programme__state__in=["draft", "archived"]
    )
    if person_ids is not None:
        qs = qs.filter(person_id__in=list(person_ids))
    return [
        _Participant(a.person_id, a.programme, a.role)
        for a in qs.select_related("programme").only(
            "person_id",
            "role",
            "programme__id",
            "programme__name",
            "programme__state",
            "programme__starts_on",
            "programme__ends_on",
            "programme__ended_on",
            "programme__organisation_id",
        )
    ]


def _occasions(
    participants: list[_Participant],
    surveys: list[Survey],
    submitted: set[tuple[int, int, str]],
    meetings: dict[tuple[int, int], list[tuple[int, dt.date]]],
    today: dt.date,
) -> list[DueSurvey]:
    """Every survey occasion open today for the participants, flagged when already answered.

    `meetings` maps (person id, programme id) to that person's held meetings (id, date).
    """
    by_programme: dict[int, list[Survey]] = defaultdict(list)
    for survey in surveys:
        by_programme[survey.programme_id].append(survey)
    found = []
    for part in participants:
        for survey in by_programme.get(part.programme.pk, []):
            if not survey.asks(part.role):
                continue
            survey.programme = part.programme
            if survey.timing == Timing.AFTER_SESSION:
                for meeting_id, held_on in meetings.get((part.person_id, part.programme.pk), []):
                    closes = held_on + dt.timedelta(days=SESSION_WINDOW_DAYS)
                    if held_on <= today <= closes:
                        occasion = f"meeting-{meeting_id}"
                        found.append(
                            DueSurvey(
                                survey=survey,
                                person_id=part.person_id,
                                role=part.role,
                                occasion=occasion,
                                opens_on=held_on,
                                closes_on=closes,
                                session_on=held_on,
                                submitted=(survey.pk, part.person_id, occasion) in submitted,
                            )
                        )
                continue
            window = survey_window_of(survey, part.programme)
            assert window is not None  # only after-session surveys have none
            opens, closes = window
            if opens <= today <= closes:
                found.append(
                    DueSurvey(
                        survey=survey,
                        person_id=part.person_id,
                        role=part.role,
                        occasion="",
                        opens_on=opens,
                        closes_on=closes,
                        submitted=(survey.pk, part.person_id, "") in submitted,
                    )
                )
    found.sort(key=lambda d: (d.closes_on, d.survey.pk, d.occasion))
    return found


def _held_meetings(
    person_ids: Iterable[int] | None, programme_ids: Iterable[int], today: dt.date
) -> dict[tuple[int, int], list[tuple[int, dt.date]]]:
    # A day's margin either side: the window is counted in local dates, the query in UTC.
    since = _start_of(today) - dt.timedelta(days=SESSION_WINDOW_DAYS + 1)
    qs = Meeting.objects.filter(
        status=MeetingStatus.HELD,
        starts_at__gte=since,
        starts_at__lt=_start_of(today) + dt.timedelta(days=2),
        pairing__programme_id__in=list(programme_ids),
    ).values_list(
        "pk", "starts_at", "pairing__programme_id", "pairing__mentor_id", "pairing__mentee_id"
    )
    wanted = set(person_ids) if person_ids is not None else None
    found: dict[tuple[int, int], list[tuple[int, dt.date]]] = defaultdict(list)
    for pk, starts_at, programme_id, mentor_id, mentee_id in qs:
        held_on = timezone.localdate(starts_at)
        for person_id in (mentor_id, mentee_id):
            if wanted is None or person_id in wanted:
                found[(person_id, programme_id)].append((pk, held_on))
    return found


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _load_occasions(person_ids: list[int] | None, today: dt.date) -> list[DueSurvey]:
    participants = _participants(person_ids)
    if not participants:
        return []
    programme_ids = {p.programme.pk for p in participants}
    surveys = list(
        Survey.objects.filter(programme_id__in=programme_ids, state=SurveyState.OPEN).order_by("pk")
    )
    if not surveys:
        return []
    submissions = Submission.objects.filter(survey__in=surveys)
    if person_ids is not None:
        submissions = submissions.filter(person_id__in=person_ids)
    submitted = set(submissions.values_list("survey_id", "person_id", "occasion"))
    meetings: dict[tuple[int, int], list[tuple[int, dt.date]]] = {}
    session_programmes = {s.programme_id for s in surveys if s.timing == Timing.AFTER_SESSION}
    if session_programmes:
        meetings = _held_meetings(person_ids, session_programmes, today)
    return _occasions(participants, surveys, submitted, meetings, today)


def survey_occasions(person: Person, *, today: dt.date | None = None) -> list[DueSurvey]:
    """Surveys open to the person today, answered or not."""
    return _load_occasions([person.pk], today or timezone.localdate())


def surveys_due(person: Person, *, today: dt.date | None = None) -> list[DueSurvey]:
    """Surveys the person can answer today and has not answered yet. At most four queries."""
    return [d for d in survey_occasions(person, today=today) if not d.submitted]


def all_due(*, today: dt.date) -> list[DueSurvey]:
    """Every unanswered survey occasion open today, for reminders. A fixed number of queries."""
    return [d for d in _load_occasions(None, today) if not d.submitted]


def programme_surveys(programme: Programme) -> QuerySet[Survey]:
    return (
        Survey.objects.filter(programme=programme)
        .annotate(
            n_questions=Count("questions", distinct=True),
            n_submissions=Count("submissions", distinct=True),
        )
        .order_by("created_at", "pk")
    )


def _audience_roles(audience: str) -> list[str]:
    return [Role.MENTOR, Role.MENTEE] if audience == Audience.BOTH else [audience]


def survey_audience(survey: Survey) -> QuerySet[Person]:
    """Everyone the survey asks: the programme's accepted participants in its roles who are
    still with the organisation (the same people `survey_occasions` finds it for)."""
    return (
        Person.objects.filter(
            applications__programme_id=survey.programme_id,
            applications__status=Application.Status.ACCEPTED,
            applications__role__in=_audience_roles(survey.audience),
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


@dataclass(frozen=True)
class SurveySchedule:
    """What a manager needs to know about when a survey runs and whom it asks."""

    survey: Survey
    opens_on: dt.date | None  # None: after each session
    closes_on: dt.date | None
    audience_count: int
    today: dt.date

    @property
    def after_session(self) -> bool:
        return self.opens_on is None

    @property
    def audience_label(self) -> str:
        return str(Audience(self.survey.audience).label)

    @property
    def is_due_now(self) -> bool:
        if self.survey.state != SurveyState.OPEN or self.opens_on is None:
            return False
        assert self.closes_on is not None
        return self.opens_on <= self.today <= self.closes_on

    @property
    def has_passed(self) -> bool:
        return self.closes_on is not None and self.closes_on < self.today

    @property
    def can_send_now(self) -> bool:
        # Once sent, the button goes; sending again is still harmless (see the service).
        return (
            self.survey.state in (SurveyState.DRAFT, SurveyState.OPEN)
            and self.survey.sent_at is None
            and self.survey.programme.state not in ("draft", "archived")
            and not self.after_session
            and self.audience_count > 0
        )


def _role_counts(programme: Programme) -> dict[str, int]:
    rows = (
        Application.objects.filter(
            programme=programme, status=Application.Status.ACCEPTED, person__is_active=True
        )
        .values("role")
        .annotate(n=Count("person", distinct=True))
    )
    return {row["role"]: row["n"] for row in rows}


def survey_schedules(
    programme: Programme, surveys: Iterable[Survey], *, today: dt.date | None = None
) -> list[SurveySchedule]:
    """Each survey's window in dates and the number of people it asks, in one query."""
    today = today or timezone.localdate()
    counts = _role_counts(programme)
    found = []
    for survey in surveys:
        window = survey_window_of(survey, programme)
        found.append(
            SurveySchedule(
                survey=survey,
                opens_on=window[0] if window else None,
                closes_on=window[1] if window else None,
                audience_count=sum(counts.get(r, 0) for r in _audience_roles(survey.audience)),
                today=today,
            )
        )
    return found


def survey_schedule(survey: Survey, *, today: dt.date | None = None) -> SurveySchedule:
    return survey_schedules(survey.programme, [survey], today=today)[0]


def survey_questions(survey: Survey) -> list[Question]:
    return list(survey.questions.all())


def survey_with_questions(survey_id: int) -> QuerySet[Survey]:
    return Survey.objects.filter(pk=survey_id).prefetch_related(
        Prefetch("questions", queryset=Question.objects.order_by("position", "pk"))
    )


# ---------------------------------------------------------------- outcomes


COMPARISONS = (
    (Timing.END, gettext_lazy("start to end")),
    (Timing.FOLLOW_UP_3, gettext_lazy("start to three months on")),
    (Timing.FOLLOW_UP_6, gettext_lazy("start to six months on")),
)


@dataclass
class Cell:
    label: str
    n: int
    hidden: bool
    change: outcomes.PairedChange | None = None


@dataclass
class Breakdown:
    title: str
    threshold: int
    cells: list[Cell]
    category: str = ""  # the "About you" question (or "lived_experience"); "" for the others


@dataclass
class PairedItem:
    item_key: str
    text: str
    timing: str
    comparison: str
    n: int
    change: outcomes.PairedChange | None  # None when fewer than the minimum group
    breakdowns: list[Breakdown] = field(default_factory=list)


@dataclass
class SingleItem:
    item_key: str
    text: str
    survey_title: str
    kind: str
    n: int
    summary: outcomes.Summary | None = None
    change: outcomes.PairedChange | None = None  # retrospective: before → now
    nps: float | None = None
    choice_counts: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Comments:
    text: str
    survey_title: str
    n_respondents: int  # people who wrote an answer (a floor for anonymous session feedback)
    comments: list[str]


@dataclass
class ProgrammeOutcomes:
    min_group: int
    special_min_group: int
    paired: list[PairedItem]
    retrospective: list[SingleItem]
    post_only: list[SingleItem]
    choices: list[SingleItem]
    comments: list[Comments]
    hidden_comments: int  # questions whose comments are held back (fewer than 10 wrote)
    respondents: int
    measure: SuccessMeasure | None = None
    measured: PairedItem | None = None
    item_keys: list[tuple[str, str]] = field(default_factory=list)


def _min_group() -> int:
    return int(settings.UPWARD_MIN_GROUP_SIZE)


def _special_min_group() -> int:
    return int(settings.UPWARD_SPECIAL_CATEGORY_MIN_GROUP_SIZE)


@dataclass(frozen=True)
class _Row:
    question_id: int
    number: int | None
    before: int | None
    choices: list[str]
    text: str
    pseudonym: str
    role: str
    department_id: int | None
    groups: list[int | str]


def _load_rows(
    programme: Programme, *, text: bool, paired_only: bool = False
) -> tuple[list[Question], list[_Row]]:
    """The programme's questions and answers. `paired_only`: only the numbers and pseudonyms
    `_paired_items` needs without breakdowns (agreement items with an item key, in the surveys
    it compares)."""
    questions = list(
        Question.objects.filter(survey__programme=programme)
        .exclude(survey__state=SurveyState.DRAFT)
        .select_related("survey")
        .order_by("survey__created_at", "survey_id", "position", "pk")
    )
    # Two narrow queries joined here rather than one SQL join: the join to every response of
    # the organisation let PostgreSQL hash the whole responses table (hundreds of thousands of
    # rows) to keep a few thousand. Answers by question (indexed), then the responses of the
    # programme's surveys (indexed by survey); the same rows either way.
    read = [q for q in questions if text or q.kind != QuestionKind.TEXT]
    answers_qs = Answer.objects.all()
    response_fields: tuple[str, ...] = ("id", "pseudonym", "role", "department_id", "groups")
    if not programme.special_category_reporting:
        # Groups stored while the programme reported on them are not read once it stops.
        response_fields = ("id", "pseudonym", "role", "department_id")
    if paired_only:
        # Paired change compares the start with the end and follow-ups only.
        timings = {Timing.START, *(timing for timing, _label in COMPARISONS)}
        read = [
            q
            for q in read
            if q.kind == QuestionKind.LIKERT and q.item_key and q.survey.timing in timings
        ]
        answers_qs = answers_qs.filter(number__isnull=False)
        response_fields = ("id", "pseudonym", "role", "department_id")
    fields = ["question_id", "response_id", "number", "number_before", "choices"]
    if text:
        fields.append("text")
    answers = list(answers_qs.filter(question_id__in=[q.pk for q in read]).values_list(*fields))
    responses = {
        r[0]: r
        for r in Response.objects.filter(survey_id__in={q.survey_id for q in read}).values_list(
            *response_fields
        )
    }
    missing = {a[1] for a in answers} - responses.keys()
    if missing:  # an answer filed under another survey's response (not expected): read it too
        responses.update(
            (r[0], r) for r in Response.objects.filter(pk__in=missing).values_list(*response_fields)
        )
    rows = []
    for a in answers:
        response = responses[a[1]]
        rows.append(
            _Row(
                question_id=a[0],
                number=a[2],
                before=a[3],
                choices=a[4] or [],
                text=a[5] if text else "",
                pseudonym=response[1],
                role=response[2],
                department_id=response[3],
                groups=(response[4] or []) if len(response) > 4 else [],
            )
        )
    return questions, rows


def _paired_items(
    programme: Programme, questions: list[Question], rows: list[_Row], *, breakdowns: bool
) -> list[PairedItem]:
    by_question: dict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        by_question[row.question_id].append(row)
    # item key → timing → {pseudonym: (value, row)}
    values: dict[str, dict[str, dict[str, _Row]]] = defaultdict(lambda: defaultdict(dict))
    texts: dict[str, str] = {}
    for q in questions:
        if q.kind != QuestionKind.LIKERT or not q.item_key:
            continue
        texts.setdefault(q.item_key, q.text)
        for row in by_question.get(q.pk, []):
            if row.number is not None:
                values[q.item_key][q.survey.timing].setdefault(row.pseudonym, row)
    min_group = _min_group()
    department_names: dict[int, str] = {}
    group_names: dict[int, str] = {}
    if breakdowns:
        department_names, group_names = _names(programme, rows)
    items = []
    for key, by_timing in values.items():
        start = by_timing.get(Timing.START)
        if not start:
            continue
        for timing, label in COMPARISONS:
            later = by_timing.get(timing)
            if not later:
                continue
            people = sorted(start.keys() & later.keys())
            pairs = [(start[p].number, later[p].number) for p in people]
            item = PairedItem(
                item_key=key,
                text=texts[key],
                timing=timing,
                comparison=str(label),
                n=len(pairs),
                change=outcomes.paired_change(pairs) if len(pairs) >= min_group else None,  # type: ignore[arg-type]
            )
            if breakdowns and item.change is not None:
                item.breakdowns = _breakdowns(
                    [(later[p], start[p].number, later[p].number) for p in people],  # type: ignore[misc]
                    department_names,
                    group_names,
                )
            items.append(item)
    return items


def _names(programme: Programme, rows: list[_Row]) -> tuple[dict[int, str], dict[int, str]]:
    department_ids = {r.department_id for r in rows if r.department_id}
    group_ids = {g for r in rows for g in r.groups if isinstance(g, int)}
    departments = dict(
        Department.objects.filter(
            pk__in=department_ids, organisation_id=programme.organisation_id
        ).values_list("pk", "name")
    )
    groups = (
        dict(
            Topic.objects.filter(
                pk__in=group_ids, organisation_id=programme.organisation_id
            ).values_list("pk", "name")
        )
        if group_ids
        else {}
    )
    return departments, groups


def _grouped(entries: list[tuple[_Row, int, int]], key_of: Any) -> dict[str, list[tuple[int, int]]]:
    grouped: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row, start, end in entries:
        for label in key_of(row):
            grouped[label].append((start, end))
    return grouped


def _cells(grouped: dict[str, list[tuple[int, int]]], shown: dict[str, int | None]) -> list[Cell]:
    return [
        Cell(
            label=label,
            n=len(grouped[label]),
            hidden=shown[label] is None,
            change=None if shown[label] is None else outcomes.paired_change(grouped[label]),
        )
        for label in sorted(grouped)
    ]


def _breakdowns(
    entries: list[tuple[_Row, int, int]],
    department_names: dict[int, str],
    group_names: dict[int, str],
) -> list[Breakdown]:
    """The item's breakdowns, protected together (core.suppression.suppress_breakdowns).

    Every breakdown but lived experience splits the same people once each, with "Not stated"
    for anyone without an answer (or without consent), so they share one total: "Everyone".
    They are suppressed together, never one by one. Lived experience lets a person sit in
    several groups, so its cells do not add up to anyone; it is suppressed on its own."""
    roles = dict(Role.choices)
    min_group, special = _min_group(), _special_min_group()
    not_stated = _("Not stated")
    # title → (threshold, cells grouped by label)
    categories: dict[str, str] = {}
    partitions: dict[str, tuple[int, dict[str, list[tuple[int, int]]]]] = {
        _("By role"): (
            min_group,
            _grouped(entries, lambda r: [str(roles.get(r.role, r.role))]),
        ),
        _("By department"): (
            min_group,
            _grouped(entries, lambda r: [department_names.get(r.department_id or 0, not_stated)]),
        ),
    }
    # The other "About you" answers people consented to count ("<category>:<code>"), one
    # breakdown per question, at the special-category threshold; no answer is "Not stated".
    for category in CATEGORIES:
        prefix = f"{category.key}:"
        if not any(
            isinstance(g, str) and g.startswith(prefix) for r, _s, _e in entries for g in r.groups
        ):
            continue

        def label(row: _Row, prefix: str = prefix) -> list[str]:
            found_labels = [
                str(consent_selectors.group_label(g) or not_stated)
                for g in row.groups
                if isinstance(g, str) and g.startswith(prefix)
            ]
            return found_labels[:1] or [not_stated]

        title = _("By %(question)s (shared with consent)") % {
            "question": str(category.label).lower()
        }
        partitions[title] = (special, _grouped(entries, label))
        categories[title] = category.key
    # A breakdown into one group only repeats "Everyone".
    partitions = {t: v for t, v in partitions.items() if len(v[1]) > 1}
    shown = suppress_breakdowns(
        {
            t: {label: len(pairs) for label, pairs in grouped.items()}
            for t, (_n, grouped) in partitions.items()
        },
        thresholds={t: threshold for t, (threshold, _g) in partitions.items()},
    )
    found = [
        Breakdown(title, threshold, _cells(grouped, shown[title]), categories.get(title, ""))
        for title, (threshold, grouped) in partitions.items()
    ]
    # Special-category groups: only from lived experience people consented to share, and only
    # at the higher threshold. Someone may belong to several groups, so cells can overlap.
    if any(isinstance(g, int) for r, _s, _e in entries for g in r.groups):
        grouped = _grouped(
            entries,
            lambda r: (
                [group_names[g] for g in r.groups if isinstance(g, int) and g in group_names]
                or [not_stated]
            ),
        )
        if len(grouped) > 1:
            counts = {label: len(pairs) for label, pairs in grouped.items()}
            found.insert(
                2,
                Breakdown(
                    _("By lived experience (shared with consent)"),
                    special,
                    _cells(grouped, suppress_counts(counts, threshold=special)),
                    LIVED_EXPERIENCE,
                ),
            )
    return found


def _single_items(
    questions: list[Question], rows: list[_Row]
) -> tuple[list[SingleItem], list[SingleItem], list[SingleItem]]:
    start_keys = {
        q.item_key
        for q in questions
        if q.survey.timing == Timing.START and q.item_key and q.kind == QuestionKind.LIKERT
    }
    by_question: dict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        by_question[row.question_id].append(row)
    min_group = _min_group()
    retro, post_only, choices = [], [], []
    for q in questions:
        answers = by_question.get(q.pk, [])
        item = SingleItem(
            item_key=q.item_key,
            text=q.text,
            survey_title=q.survey.title,
            kind=q.kind,
            n=len(answers),
        )
        enough = item.n >= min_group
        if q.kind == QuestionKind.RETROSPECTIVE:
            pairs = [(a.before, a.number) for a in answers if a.before is not None and a.number]
            item.n = len(pairs)
            if item.n >= min_group:
                item.change = outcomes.paired_change(pairs)  # type: ignore[arg-type]
            retro.append(item)
        elif q.kind in (QuestionKind.LIKERT, QuestionKind.SCALE):
            if q.survey.timing == Timing.START or q.item_key in start_keys:
                continue  # reported as paired change
            numbers = [a.number for a in answers if a.number is not None]
            item.n = len(numbers)
            if item.n >= min_group:
                if q.kind == QuestionKind.SCALE:
                    item.summary = outcomes.summary(numbers, low=0, high=10)
                    item.nps = outcomes.net_promoter(numbers)
                else:
                    item.summary = outcomes.summary(numbers)
            post_only.append(item)
        elif q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            if enough:
                counts = {str(c): 0 for c in q.choices}
                for a in answers:
                    for c in a.choices:
                        if c in counts:
                            counts[c] += 1
                item.choice_counts = list(counts.items())
            choices.append(item)
    return retro, post_only, choices


def _most_answers_per_person(survey_ids: list[int]) -> dict[int, int]:
    """For feedback after each session: the most times any one person answered each survey."""
    if not survey_ids:
        return {}
    rows = (
        Submission.objects.filter(survey_id__in=survey_ids)
        .values("survey_id", "person_id")
        .annotate(n=Count("pk"))
        .values_list("survey_id", "n")
    )
    most: dict[int, int] = {}
    for survey_id, n in rows:
        most[survey_id] = max(most.get(survey_id, 0), n)
    return most


def _comments(questions: list[Question], rows: list[_Row]) -> tuple[list[Comments], int]:
    """Free text, only from questions at least 10 people wrote an answer to (people who wrote,
    not people who answered the survey).

    Anonymous feedback after each session has no per-person pseudonym (each answer has a random
    one, so a person's answers cannot be grouped), so its count of writers is a floor: the
    answers with text divided by the most times any one person answered that survey."""
    threshold = _special_min_group()  # free text only from groups of ten or more
    writers: dict[int, set[str]] = defaultdict(set)
    by_question: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        if row.text.strip():
            writers[row.question_id].add(row.pseudonym)
            by_question[row.question_id].append(row.text.strip())
    sessions = [
        q.survey_id
        for q in questions
        if q.kind == QuestionKind.TEXT
        and q.survey.timing == Timing.AFTER_SESSION
        and q.survey.is_anonymous
    ]
    most = _most_answers_per_person(sorted(set(sessions)))
    shown, hidden = [], 0
    for q in questions:
        if q.kind != QuestionKind.TEXT:
            continue
        n = len(writers.get(q.pk, ()))
        if q.survey_id in most:
            n = -(-len(by_question.get(q.pk, [])) // max(most[q.survey_id], 1))
        if n < threshold:
            hidden += 1
            continue
        # Sorted, so the order says nothing about who answered when.
        shown.append(Comments(q.text, q.survey.title, n, sorted(by_question.get(q.pk, []))))
    return shown, hidden


def programme_outcomes(programme: Programme, *, detail: bool = True) -> ProgrammeOutcomes:
    """Everything the outcomes page shows. A fixed handful of queries whatever the size."""
    questions, rows = _load_rows(programme, text=detail, paired_only=not detail)
    paired = _paired_items(programme, questions, rows, breakdowns=detail)
    retro, post_only, choices = _single_items(questions, rows) if detail else ([], [], [])
    comments, hidden_comments = _comments(questions, rows) if detail else ([], 0)
    measure = SuccessMeasure.objects.filter(programme=programme).first()
    measured = None
    if measure is not None:
        measured = next(
            (p for p in paired if p.item_key == measure.item_key and p.timing == Timing.END),
            None,
        )
    keys: dict[str, str] = {}
    for q in questions:
        if q.kind == QuestionKind.LIKERT and q.item_key and q.survey.timing == Timing.START:
            keys.setdefault(q.item_key, q.text)
    return ProgrammeOutcomes(
        min_group=_min_group(),
        special_min_group=_special_min_group(),
        paired=paired,
        retrospective=retro,
        post_only=post_only,
        choices=choices,
        comments=comments,
        hidden_comments=hidden_comments,
        # People, from who answered (anonymous answers outside paired surveys carry random
        # pseudonyms, so counting pseudonyms would count answers).
        respondents=Submission.objects.filter(survey__programme=programme)
        .exclude(survey__state=SurveyState.DRAFT)
        .values("person_id")
        .distinct()
        .count(),
        measure=measure,
        measured=measured,
        item_keys=sorted(keys.items()),
    )


def paired_outcomes(programme: Programme) -> list[PairedItem]:
    """The change in the same people per item, with breakdowns protected together; no text
    answers are read. Two queries plus the names of departments and groups."""
    questions, rows = _load_rows(programme, text=False)
    return _paired_items(programme, questions, rows, breakdowns=True)


def measurable_items(programme: Programme) -> list[tuple[str, str]]:
    """Item keys a manager can tie the success measure to: agreement items asked at the start
    of the programme (of any survey, draft or not, so it can be chosen before launch)."""
    found: dict[str, str] = {}
    for key, text in (
        Question.objects.filter(
            survey__programme=programme,
            survey__timing=Timing.START,
            kind=QuestionKind.LIKERT,
        )
        .exclude(item_key="")
        .order_by("survey__created_at", "position")
        .values_list("item_key", "text")
    ):
        found.setdefault(key, text)
    return sorted(found.items())

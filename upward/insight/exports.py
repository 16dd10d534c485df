"""Exports: a programme's or the organisation's figures as CSV or XLSX (docs/insight.md, "Exports").

A registry of export kinds. Each kind names its columns (with the meaning the column dictionary
shows), who may download it, and a function that yields its rows from the apps' own selectors.
`render` builds a `tablib.Dataset` (XLSX through openpyxl) and passes every cell through
`safe_cell` (upward/core/exports.py), so a name such as `=HYPERLINK(...)` stays text in every
spreadsheet.

What is never in an export: notes, messages, safety concerns, application motivations and
internal notes, a pairing's closing reason, pulse comments and any individual survey answer. The
row functions read named columns only (`values_list`), so such text is never even loaded.
Survey figures come from `surveys.selectors.programme_outcomes`, which applies the same
small-group suppression as the outcomes page; a hidden cell is an empty cell.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import tablib
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from upward.core.exports import CSV_OPTIONS, safe_cell
from upward.impact.selectors import programme_mentor_time
from upward.insight.report import month_starts
from upward.journey.models import Meeting, MeetingStatus
from upward.journey.selectors import programme_journey, programme_pair_rows
from upward.organisations.access import person_for
from upward.organisations.models import Organisation, Person
from upward.organisations.selectors import people_directory
from upward.pairing.models import Pairing, PairingState
from upward.pairing.selectors import pairings_for_manager
from upward.programmes.access import can_manage_programmes, managed_programmes
from upward.programmes.models import Programme
from upward.programmes.models import State as ProgrammeState
from upward.recruitment.models import Application, ApplicationStatus
from upward.recruitment.selectors import review_list
from upward.surveys import selectors as survey_selectors
from upward.surveys.models import Question
from upward.surveys.reporting import HEADER as OUTCOME_HEADER
from upward.surveys.reporting import outcome_rows

PROGRAMME = "programme"
ORGANISATION = "organisation"
FORMATS = ("csv", "xlsx")
# Rows are read from the database in chunks of this size, so a directory of 50,000 people is
# never held as model instances all at once.
CHUNK = 2000

TEXT, NUMBER, DATE = "text", "number", "date"
TYPE_LABELS = {
    TEXT: _("Text"),
    NUMBER: _("Number"),
    DATE: _("Date (YYYY-MM-DD)"),
}


@dataclass(frozen=True)
class Column:
    name: str
    description: Any  # a lazy translation
    type: str = TEXT

    @property
    def type_label(self) -> str:
        return str(TYPE_LABELS[self.type])


@dataclass(frozen=True)
class ExportKind:
    slug: str
    title: Any
    description: Any
    scope: str  # PROGRAMME or ORGANISATION
    audience: Any  # who may download it, in words (the pages and the dictionary show it)
    columns: tuple[Column, ...]
    # rows(subject, person): the programme or the organisation, and who asks.
    rows: Callable[[Any, Person], Iterable[Sequence[Any]]]
    # A cheap count for the exports page ("about 40 rows"), one query at most.
    estimate: Callable[[Any, Person], int]
    # Who may download it, beyond the scope's own access check (the programme team for every
    # programme export, checked by the view through access_programme_for_manager).
    allowed: Callable[[Person], bool] = lambda person: True

    @property
    def verb(self) -> str:
        return self.slug.replace("-", "_")


def _date(moment: dt.datetime | dt.date | None) -> dt.date | None:
    if moment is None:
        return None
    if isinstance(moment, dt.datetime):
        return timezone.localdate(moment)
    return moment


def _yes_no(value: bool) -> str:
    return str(_("yes") if value else _("no"))


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


# ---------------------------------------------------------------------------------------------
# Programme exports


def _application_rows(programme: Programme, person: Person) -> Iterator[Sequence[Any]]:
    statuses = dict(ApplicationStatus.choices)
    # Named columns only: the motivation, answers and internal note are never read.
    qs = (
        review_list(programme)
        .order_by("role", "person__full_name", "id")
        .values_list(
            "person__full_name",
            "person__email",
            "role",
            "status",
            "submitted_at",
            "reviewed_at",
            "person__department__name",
            "person__level__name",
        )
    )
    for name, email, role, status, submitted, reviewed, department, level in qs.iterator(
        chunk_size=CHUNK
    ):
        yield [
            name,
            email,
            role,
            str(statuses.get(status, status)),
            _date(submitted),
            _date(reviewed),
            department or "",
            level or "",
        ]


_BEGUN = (PairingState.ACTIVE, PairingState.COMPLETED, PairingState.ENDED)


def _pairing_rows(programme: Programme, person: Person) -> Iterator[Sequence[Any]]:
    states = dict(PairingState.choices)
    # Counts only (programme_pair_rows): no agenda, agreement wording, notes or closing reason.
    for row in programme_pair_rows(programme, pairings_for_manager(programme)):
        p = row.pairing
        # A pairing begins when the mentee accepts; one declined or ended before has no start.
        started = p.mentee_responded_at if p.state in _BEGUN else None
        yield [
            p.mentor.full_name,
            p.mentee.full_name,
            str(states.get(p.state, p.state)),
            _date(p.created_at),
            _date(started),
            _date(p.closed_at),
            row.held,
            row.progress.expected if p.state == PairingState.ACTIVE else None,
            row.missed,
            row.minutes_held,
            _date(row.last_met),
        ]


def _rhythm_pairings(programme: Programme) -> Any:
    # Every pair that began (the mentee accepted), also one that ended early: its months
    # together count until it closed.
    return pairings_for_manager(programme).filter(
        state__in=_BEGUN, mentee_responded_at__isnull=False
    )


def _rhythm_rows(programme: Programme, person: Person) -> Iterator[Sequence[Any]]:
    default = programme_journey(programme).meetings_per_month
    pairings = list(_rhythm_pairings(programme).select_related("agreement"))
    held: Counter[tuple[int, dt.date]] = Counter()
    # One grouped query for every pair's months.
    for pairing_id, month, n in (
        Meeting.objects.filter(pairing__in=[p.pk for p in pairings], status=MeetingStatus.HELD)
        .annotate(month=TruncMonth("starts_at"))
        .values("pairing_id", "month")
        .annotate(n=Count("id"))
        .values_list("pairing_id", "month", "n")
    ):
        held[(pairing_id, _date(month).replace(day=1))] += n  # type: ignore[union-attr]
    today = timezone.localdate()
    for p in pairings:
        agreement = getattr(p, "agreement", None) if hasattr(p, "agreement") else None
        per_month = agreement.meetings_per_month if agreement else default
        first = _date(p.mentee_responded_at)
        last = min(_date(p.closed_at) or today, today)
        assert first is not None
        for month in month_starts(first, last):
            yield [
                p.mentor.full_name,
                p.mentee.full_name,
                month.strftime("%Y-%m"),
                held[(p.pk, month)],
                _number(per_month),
            ]


def _rhythm_estimate(programme: Programme, person: Person) -> int:
    # Pairs times the programme's months so far: a pair that began late has fewer.
    last = min(programme.ends_on, timezone.localdate())
    months = max(1, len(list(month_starts(programme.starts_on, last))))
    return _rhythm_pairings(programme).count() * months


def _mentor_time_rows(programme: Programme, person: Person) -> Iterator[Sequence[Any]]:
    for row in programme_mentor_time(programme):
        yield [
            row.mentor.full_name if row.mentor else "",
            row.sessions_held,
            row.meeting_minutes,
            row.events_attended,
            row.event_minutes,
            row.total_minutes,
            row.this_month,
            row.cap,
            row.months_over,
        ]


# The outcome rows' numeric columns (surveys/reporting.py writes them as text).
_OUTCOME_NUMBERS = {
    "n",
    "improved_percent",
    "mean_change",
    "ci95_low",
    "ci95_high",
    "top_two_start_percent",
    "top_two_end_percent",
    "mean",
}


def _to_number(text: str) -> int | float | None:
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        return float(text)


def _survey_rows(programme: Programme, person: Person) -> Iterator[Sequence[Any]]:
    """The outcomes page's figures, through the same rows as its CSV (surveys/reporting.py), so
    suppression is exactly the page's. Hidden cells are empty, never labelled."""
    result = survey_selectors.programme_outcomes(programme)
    rows = outcome_rows(result)
    next(rows)  # the header
    note_at = OUTCOME_HEADER.index("note")
    for raw in rows:
        cells: list[Any] = []
        for name, value in zip(OUTCOME_HEADER, raw, strict=True):
            if name == "note":
                continue
            cells.append(_to_number(value) if name in _OUTCOME_NUMBERS else value)
        note = raw[note_at]
        cells.append(float(note.removeprefix("NPS ")) if note.startswith("NPS ") else None)
        yield cells


def _survey_estimate(programme: Programme, person: Person) -> int:
    return (
        Question.objects.filter(survey__programme=programme)
        .exclude(item_key="")
        .values("item_key")
        .distinct()
        .count()
    )


# ---------------------------------------------------------------------------------------------
# Organisation exports


def _people_rows(organisation: Organisation, person: Person) -> Iterator[Sequence[Any]]:
    qs = people_directory(organisation).values_list(
        "full_name",
        "email",
        "job_title",
        "department__name",
        "level__name",
        "team__name",
        "manager__full_name",
        "location",
        "start_date",
        "is_active",
    )
    for name, email, title, dept, lvl, team, manager, location, start, active in qs.iterator(
        chunk_size=CHUNK
    ):
        yield [
            name,
            email,
            title,
            dept or "",
            lvl or "",
            team or "",
            manager or "",
            location,
            start,
            _yes_no(active),
        ]


def _managed(person: Person) -> Any:
    """The programmes the person runs, as on the programme list (`programme_list`), without its
    recruitment counts: `_programme_rows` counts applications in a grouped query of its own."""
    return Programme.objects.filter(pk__in=managed_programmes(person.user).values("pk")).order_by(
        "starts_on", "name", "pk"
    )


def _recruitment_counts(ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """(applications not withdrawn, accepted mentors, accepted mentees still active) per
    programme: the counts of `programme_list`, in one query grouped by programme."""
    accepted = Q(status="accepted", person__is_active=True)
    return {
        programme_id: (applications, mentors, mentees)
        for programme_id, applications, mentors, mentees in Application.objects.filter(
            programme_id__in=ids
        )
        .values("programme_id")
        .annotate(
            applications=Count("pk", filter=~Q(status="withdrawn")),
            mentors=Count("pk", filter=accepted & Q(role="mentor")),
            mentees=Count("pk", filter=accepted & Q(role="mentee")),
        )
        .order_by()
        .values_list("programme_id", "applications", "mentors", "mentees")
    }


def _programme_rows(organisation: Organisation, person: Person) -> Iterator[Sequence[Any]]:
    states = dict(ProgrammeState.choices)
    programmes = list(_managed(person))
    ids = [p.pk for p in programmes]
    recruitment = _recruitment_counts(ids)
    pairs: dict[int, dict[str, int]] = {}
    # Pairs and held meetings in two grouped queries: one query joining pairs to meetings
    # would count distinct pairs over a row per meeting (every meeting of the organisation).
    held = dict(
        Meeting.objects.filter(status=MeetingStatus.HELD, pairing__programme_id__in=ids)
        .values("pairing__programme_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("pairing__programme_id", "n")
    )
    for row in (
        Pairing.objects.filter(programme_id__in=ids)
        .values("programme_id")
        .annotate(
            active=Count("id", filter=Q(state=PairingState.ACTIVE)),
            completed=Count("id", filter=Q(state=PairingState.COMPLETED)),
            ended=Count("id", filter=Q(state=PairingState.ENDED)),
        )
        .order_by()
        .values_list("programme_id", "active", "completed", "ended")
    ):
        pairs[row[0]] = {
            **dict(zip(("active", "completed", "ended"), row[1:], strict=True)),
            "held": held.get(row[0], 0),
        }
    empty = {"active": 0, "completed": 0, "ended": 0, "held": 0}
    for p in programmes:
        counts = pairs.get(p.pk, empty)
        applications, mentors, mentees = recruitment.get(p.pk, (0, 0, 0))
        yield [
            p.name,
            str(states.get(p.state, p.state)),
            _yes_no(p.is_pilot),
            p.starts_on,
            p.ends_on,
            p.places,
            applications,
            mentors,
            mentees,
            counts["active"],
            counts["completed"],
            counts["ended"],
            counts["held"],
        ]


def _is_admin(person: Person) -> bool:
    return person.is_org_admin


def _runs_programmes(person: Person) -> bool:
    return can_manage_programmes(person.user)


# ---------------------------------------------------------------------------------------------
# The registry

TEAM_ONLY = _("the programme team and organisation admins")

KINDS: tuple[ExportKind, ...] = (
    ExportKind(
        slug="applications",
        title=_("Applications"),
        description=_(
            "One row per application: who applied, for which role, its status and dates, and "
            "the applicant's department and level. Motivations, answers to the application "
            "questions and internal notes are never included."
        ),
        scope=PROGRAMME,
        audience=TEAM_ONLY,
        columns=(
            Column("person", _("The applicant's name.")),
            Column("email", _("The applicant's work email address.")),
            Column("role", _("The role applied for: mentor or mentee.")),
            Column("status", _("Where the application stands: submitted, accepted and so on.")),
            Column("submitted_on", _("The day the application was sent."), DATE),
            Column("decided_on", _("The day the team decided, if it has."), DATE),
            Column("department", _("The applicant's department in the directory.")),
            Column("level", _("The applicant's level in the directory.")),
        ),
        rows=_application_rows,
        estimate=lambda p, _person: Application.objects.filter(programme=p).count(),
    ),
    ExportKind(
        slug="pairings",
        title=_("Pairings"),
        description=_(
            "One row per pairing, proposed or past: mentor, mentee, state, dates and how many "
            "meetings were held. Notes, messages, agendas, safety concerns and the reasons a "
            "pairing ended are never included."
        ),
        scope=PROGRAMME,
        audience=TEAM_ONLY,
        columns=(
            Column("mentor", _("The mentor's name.")),
            Column("mentee", _("The mentee's name.")),
            Column("state", _("Proposed, active, completed, ended or did not go ahead.")),
            Column("proposed_on", _("The day the pairing was proposed."), DATE),
            Column("started_on", _("The day the mentee accepted and the pairing began."), DATE),
            Column("closed_on", _("The day the pairing ended or was declined, if it has."), DATE),
            Column("meetings_held", _("Meetings recorded as held."), NUMBER),
            Column(
                "meetings_expected",
                _(
                    "Meetings an active pair should have held by today at its agreed rhythm, "
                    "after two weeks' grace. Empty for pairs that are not active."
                ),
                NUMBER,
            ),
            Column("meetings_missed", _("Meetings recorded as missed."), NUMBER),
            Column("minutes_held", _("Minutes of the meetings held, as recorded."), NUMBER),
            Column("last_met_on", _("The day of the latest meeting held."), DATE),
        ),
        rows=_pairing_rows,
        estimate=lambda p, _person: Pairing.objects.filter(programme=p).count(),
    ),
    ExportKind(
        slug="meeting-rhythm",
        title=_("Meeting rhythm"),
        description=_(
            "One row per pair per month, from the month the pair began until it closed: "
            "meetings held that month against the number the pair agreed to hold each month."
        ),
        scope=PROGRAMME,
        audience=TEAM_ONLY,
        columns=(
            Column("mentor", _("The mentor's name.")),
            Column("mentee", _("The mentee's name.")),
            Column("month", _("The calendar month, as YYYY-MM.")),
            Column("meetings_held", _("Meetings held in that month."), NUMBER),
            Column(
                "meetings_expected",
                _(
                    "Meetings a month in the pair's agreement, or the programme's rhythm when "
                    "the pair has not agreed one."
                ),
                NUMBER,
            ),
        ),
        rows=_rhythm_rows,
        estimate=_rhythm_estimate,
    ),
    ExportKind(
        slug="mentor-time",
        title=_("Mentor time"),
        description=_(
            "One row per mentor: the time they gave to the programme in meetings and events, "
            "as on the mentor time page."
        ),
        scope=PROGRAMME,
        audience=TEAM_ONLY,
        columns=(
            Column("mentor", _("The mentor's name.")),
            Column("sessions_held", _("Meetings the mentor recorded as held."), NUMBER),
            Column("meeting_minutes", _("Minutes of those meetings."), NUMBER),
            Column("events_attended", _("Programme events the mentor attended."), NUMBER),
            Column("event_minutes", _("Minutes of those events."), NUMBER),
            Column("total_minutes", _("Meeting and event minutes together."), NUMBER),
            Column("this_month_minutes", _("Minutes given this calendar month."), NUMBER),
            Column("monthly_cap_minutes", _("The programme's monthly time cap."), NUMBER),
            Column(
                "months_over_cap", _("Months in which the mentor gave more than the cap."), NUMBER
            ),
        ),
        rows=_mentor_time_rows,
        estimate=lambda p, _person: len(_mentor_ids(p)),
    ),
    ExportKind(
        slug="survey-aggregates",
        title=_("Survey results"),
        description=_(
            "One row per survey question (and per group where the outcomes page breaks it "
            "down): how many answered, shares and means, and the change from start to end with "
            "its 95% confidence interval. Groups too small to show are empty, exactly as on "
            "the outcomes page. No individual answer or comment is included."
        ),
        scope=PROGRAMME,
        audience=TEAM_ONLY,
        columns=(
            Column(
                "section",
                _(
                    "The kind of figure: paired (start and end), retrospective, post_only "
                    "or choice."
                ),
            ),
            Column("item_key", _("The question's key, the same in every cohort.")),
            Column("question", _("The question as asked.")),
            Column("comparison", _("What is compared, or the survey's title.")),
            Column("group", _("Everyone, or the group of a breakdown.")),
            Column("n", _("People counted. Empty when the group is too small to show."), NUMBER),
            Column("improved_percent", _("Share of people whose answer improved, in %."), NUMBER),
            Column("mean_change", _("Mean change from the first answer to the last."), NUMBER),
            Column("ci95_low", _("Lower end of the 95% confidence interval."), NUMBER),
            Column("ci95_high", _("Upper end of the 95% confidence interval."), NUMBER),
            Column(
                "top_two_start_percent",
                _("Share agreeing or strongly agreeing at the start, in %."),
                NUMBER,
            ),
            Column(
                "top_two_end_percent",
                _("Share agreeing or strongly agreeing at the end, in %."),
                NUMBER,
            ),
            Column("mean", _("Mean answer, for questions asked once."), NUMBER),
            Column("nps", _("Net promoter score, for 0 to 10 recommendation questions."), NUMBER),
        ),
        rows=_survey_rows,
        estimate=_survey_estimate,
    ),
    ExportKind(
        slug="people",
        title=_("People directory"),
        description=_(
            "Everyone in the directory, including people who have left: name, email, job title, "
            "department, level, team, manager, location and whether they are active. Optional "
            "answers about people (such as ethnicity) are never included."
        ),
        scope=ORGANISATION,
        audience=_("organisation admins"),
        columns=(
            Column("name", _("The person's full name.")),
            Column("email", _("Their work email address.")),
            Column("job_title", _("Their job title.")),
            Column("department", _("Their department.")),
            Column("level", _("Their level.")),
            Column("team", _("Their team.")),
            Column("manager", _("Their line manager's name.")),
            Column("location", _("Where they work.")),
            Column("start_date", _("The day they joined, if known."), DATE),
            Column("active", _("Whether they still work here: yes or no.")),
        ),
        rows=_people_rows,
        estimate=lambda org, _person: Person.objects.filter(organisation=org).count(),
        allowed=_is_admin,
    ),
    ExportKind(
        slug="programmes",
        title=_("Programmes"),
        description=_(
            "One row per programme you run (every programme for organisation admins) with its "
            "headline figures: applications, accepted people, pairs and meetings held."
        ),
        scope=ORGANISATION,
        audience=_("organisation admins, and programme managers for their own programmes"),
        columns=(
            Column("programme", _("The programme's name.")),
            Column("state", _("Draft, recruiting, matching, active, completed or archived.")),
            Column("pilot", _("Whether it is a pilot cohort: yes or no.")),
            Column("starts_on", _("The planned first day."), DATE),
            Column("ends_on", _("The planned last day."), DATE),
            Column("places", _("How many pairs the programme has room for."), NUMBER),
            Column("applications", _("Applications, not counting withdrawn ones."), NUMBER),
            Column("accepted_mentors", _("Mentors accepted who still work here."), NUMBER),
            Column("accepted_mentees", _("Mentees accepted who still work here."), NUMBER),
            Column("active_pairs", _("Pairs meeting now."), NUMBER),
            Column("completed_pairs", _("Pairs that completed the programme."), NUMBER),
            Column("ended_pairs", _("Pairs that ended early."), NUMBER),
            Column("meetings_held", _("Meetings recorded as held, across all pairs."), NUMBER),
        ),
        rows=_programme_rows,
        estimate=lambda org, person: _managed(person).count(),
        allowed=_runs_programmes,
    ),
)

_BY_SLUG = {kind.slug: kind for kind in KINDS}


def _mentor_ids(programme: Programme) -> set[int]:
    from upward.impact.selectors import mentor_ids_of

    return mentor_ids_of(programme)


def kinds_for(scope: str, person: Person) -> list[ExportKind]:
    return [k for k in KINDS if k.scope == scope and k.allowed(person)]


def get_kind(scope: str, slug: str, fmt: str, person: Person) -> ExportKind | None:
    """The kind, if it exists in this scope, the format is known and the person may have it."""
    kind = _BY_SLUG.get(slug)
    if kind is None or kind.scope != scope or fmt not in FORMATS or not kind.allowed(person):
        return None
    return kind


def may_open_organisation_exports(user: Any) -> Person | None:
    person = person_for(user)
    if person is None or not _runs_programmes(person):
        return None
    return person


# ---------------------------------------------------------------------------------------------
# Rendering


def _cell(value: Any) -> Any:
    return safe_cell(_number(value))


def build_dataset(kind: ExportKind, subject: Any, person: Person) -> tablib.Dataset:
    data = tablib.Dataset(headers=[c.name for c in kind.columns], title=str(kind.title)[:31])
    for row in kind.rows(subject, person):
        data.append([_cell(v) for v in row])
    return data


def dictionary_dataset(kinds: Iterable[ExportKind] = KINDS) -> tablib.Dataset:
    data = tablib.Dataset(headers=["export", "column", "type", "meaning"], title=str(_("Columns")))
    for kind in kinds:
        for column in kind.columns:
            data.append(
                [
                    _cell(kind.slug),
                    _cell(column.name),
                    _cell(column.type_label),
                    _cell(str(column.description)),
                ]
            )
    return data


def render(kind: ExportKind, subject: Any, person: Person, fmt: str) -> tuple[bytes, int]:
    """The file's bytes and how many rows it holds."""
    data = build_dataset(kind, subject, person)
    return render_dataset(data, fmt, dictionary=[kind]), data.height


def render_dataset(
    data: tablib.Dataset, fmt: str, *, dictionary: Sequence[ExportKind] = ()
) -> bytes:
    if fmt == "csv":
        # A byte order mark, so spreadsheet programs read names such as "Zoë" as UTF-8.
        return data.export("csv", **CSV_OPTIONS).encode("utf-8-sig")
    if fmt == "xlsx":
        sheets = [data]
        if dictionary:
            sheets.append(dictionary_dataset(dictionary))
        return tablib.Databook(sheets).export("xlsx")
    raise ValueError(f"Unknown export format {fmt!r}.")

"""The organisation overview: every programme and cohort over time, the pilot beside its later
cohorts, and who in the organisation is asked to take part (docs/insight.md, "Organisation
overview").

Reads only; a fixed number of aggregate queries whatever the number of programmes or people:
the programme list is paged and its figures are grouped by programme in the database.

Privacy (docs/privacy.md, "Small groups"):
- a rate about pairs (meetings per pair, completion) is hidden when a programme has fewer
  pairs than the minimum group, and an outcome change when fewer people answered both surveys;
- participation counts by department and by level go through `core.suppression`, with
  secondary suppression, and do not change with the filters: filters only choose which
  programme rows are listed, and a row's figures are the same under every filter, so two
  filtered views cannot be set side by side to work out a hidden cell;
- no total is shown that adds up hidden figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.utils.translation import gettext as _

from upward.core.suppression import hidden_cells, min_group, share, special_min_group
from upward.insight import charts
from upward.journey.models import Meeting, MeetingStatus
from upward.organisations.models import Department, Level, Organisation, Person
from upward.pairing.models import Pairing, PairingState
from upward.programmes.access import managed_programmes
from upward.programmes.models import Objective, Programme, State
from upward.recruitment.models import Application, Invitation
from upward.surveys import outcomes
from upward.surveys.models import (
    Answer,
    Question,
    QuestionKind,
    SuccessMeasure,
    SurveyState,
    Timing,
)

PAGE_SIZE = 20
FAMILY_PAGE_SIZE = 5
# Cohorts shown per family: the first cohort and the most recent ones. A long chain (a
# programme run every term for years) would otherwise put every programme of the organisation,
# with all their meetings and survey answers, on one page of families.
FAMILY_COHORTS = 6

# A pairing "went ahead" once both people said yes: active now, completed, or ended after it
# had started (a proposal that ended unanswered never became a pair).
WENT_AHEAD = Q(state__in=[PairingState.ACTIVE, PairingState.COMPLETED]) | Q(
    state=PairingState.ENDED, mentee_responded_at__isnull=False
)
FINISHED_STATES = (State.COMPLETED, State.ARCHIVED)


# ---------------------------------------------------------------------------------------------
# Scope and filters


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    objective: str = ""


@dataclass(frozen=True)
class ScopeEntry:
    pk: int
    name: str
    objective: str
    starts_on: dt.date
    is_pilot: bool
    previous_cohort_id: int | None


def scope_queryset(user: Any) -> QuerySet[Programme]:
    """The programmes the viewer runs: every programme of the organisation for an admin (bar
    those they take part in), their own for a programme manager."""
    return Programme.objects.filter(pk__in=managed_programmes(user).values("pk"))


def scope_entries(user: Any) -> list[ScopeEntry]:
    """One light row per programme in scope, for the filter choices and the cohort families."""
    return [
        ScopeEntry(*values)
        for values in scope_queryset(user)
        .order_by("starts_on", "pk")
        .values_list("pk", "name", "objective", "starts_on", "is_pilot", "previous_cohort_id")
    ]


def year_choices(entries: Iterable[ScopeEntry]) -> list[int]:
    return sorted({e.starts_on.year for e in entries}, reverse=True)


def objective_choices(entries: Iterable[ScopeEntry]) -> list[tuple[str, str]]:
    found = {e.objective for e in entries}
    return [(value, str(label)) for value, label in Objective.choices if value in found]


def filtered(qs: QuerySet[Programme], filters: Filters) -> QuerySet[Programme]:
    if filters.year is not None:
        qs = qs.filter(starts_on__year=filters.year)
    if filters.objective:
        qs = qs.filter(objective=filters.objective)
    return qs


# ---------------------------------------------------------------------------------------------
# Figures per programme


@dataclass(frozen=True)
class Engagement:
    pairs: int  # pairs that went ahead
    completed: int
    held: int  # meetings held by those pairs


@dataclass(frozen=True)
class Headline:
    """The change on the programme's success measure, start to end, of the same people."""

    item_key: str
    text: str
    n: int  # people who answered both
    change: outcomes.PairedChange | None  # None when hidden (fewer than the minimum group)


@dataclass
class ProgrammeRow:
    programme: Programme
    pairs: int
    meetings_per_pair: float | None  # hidden with small programmes
    completion: int | None  # per cent of pairs that completed; hidden with small programmes
    finished: bool  # completion means something only once the programme is over
    small: bool  # fewer pairs than the minimum group: rates are hidden
    headline: Headline | None  # None: no success measure tied to a survey item


def engagement(programme_ids: list[int]) -> dict[int, Engagement]:
    """Pairs, completed pairs and meetings held, per programme, in two grouped queries."""
    if not programme_ids:
        return {}
    pair_counts: dict[int, tuple[int, int]] = {
        programme_id: (n, done)
        for programme_id, n, done in Pairing.objects.filter(
            WENT_AHEAD, programme_id__in=programme_ids
        )
        .values("programme_id")
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(state=PairingState.COMPLETED)),
        )
        .order_by()
        .values_list("programme_id", "n", "done")
    }
    went_ahead = Pairing.objects.filter(WENT_AHEAD, programme_id__in=programme_ids)
    held = dict(
        Meeting.objects.filter(status=MeetingStatus.HELD, pairing__in=went_ahead)
        .values("pairing__programme_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("pairing__programme_id", "n")
    )
    return {
        pk: Engagement(
            pairs=pair_counts.get(pk, (0, 0))[0],
            completed=pair_counts.get(pk, (0, 0))[1],
            held=held.get(pk, 0),
        )
        for pk in programme_ids
    }


def item_changes(
    wanted: dict[int, set[str]],
) -> dict[tuple[int, str], tuple[int, outcomes.PairedChange | None]]:
    """Start-to-end change of agreement items, matched by item key (the survey library's key,
    shared by the start and end survey of a programme and by every programme built from the
    same library item). `wanted` maps programme id to the item keys needed. One query.

    People are paired by the survey pseudonym, as on the outcomes page; a change from fewer
    people than the minimum group is None (hidden), its count kept so the page can say so."""
    keys = {key for found in wanted.values() for key in found}
    if not keys:
        return {}
    answers = (
        Answer.objects.filter(
            question__survey__programme_id__in=list(wanted),
            question__kind=QuestionKind.LIKERT,
            question__item_key__in=sorted(keys),
            question__survey__timing__in=[Timing.START, Timing.END],
            number__isnull=False,
        )
        .exclude(question__survey__state=SurveyState.DRAFT)
        .values_list(
            "question__survey__programme_id",
            "question__item_key",
            "question__survey__timing",
            "response__pseudonym",
            "number",
        )
    )
    # (programme, key) -> timing -> pseudonym -> answer
    found: dict[tuple[int, str], dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for programme_id, key, timing, pseudonym, number in answers:
        if number is not None and key in wanted.get(programme_id, ()):
            found[(programme_id, key)][timing].setdefault(pseudonym, number)
    threshold = min_group()
    result: dict[tuple[int, str], tuple[int, outcomes.PairedChange | None]] = {}
    for cell, by_timing in found.items():
        start, end = by_timing.get(Timing.START, {}), by_timing.get(Timing.END, {})
        pairs = outcomes.pair_by_key(start, end)
        change = outcomes.paired_change(pairs) if len(pairs) >= threshold else None
        result[cell] = (len(pairs), change)
    return result


def headlines(programme_ids: list[int]) -> dict[int, Headline]:
    """Each programme's success measure (the survey item it chose) and its change."""
    measures = dict(
        SuccessMeasure.objects.filter(programme_id__in=programme_ids).values_list(
            "programme_id", "item_key"
        )
    )
    if not measures:
        return {}
    texts = {
        (pid, key): text
        for pid, key, text in Question.objects.filter(
            survey__programme_id__in=list(measures),
            survey__timing=Timing.START,
            item_key__in=set(measures.values()),
        ).values_list("survey__programme_id", "item_key", "text")
    }
    changes = item_changes({pid: {key} for pid, key in measures.items()})
    result = {}
    for pid, key in measures.items():
        n, change = changes.get((pid, key), (0, None))
        result[pid] = Headline(item_key=key, text=texts.get((pid, key), key), n=n, change=change)
    return result


def _row(programme: Programme, figures: Engagement, headline: Headline | None) -> ProgrammeRow:
    small = figures.pairs < min_group()
    return ProgrammeRow(
        programme=programme,
        pairs=figures.pairs,
        meetings_per_pair=None if small else round(figures.held / figures.pairs, 1),
        completion=None if small else share(figures.completed, figures.pairs),
        finished=programme.state in FINISHED_STATES,
        small=small,
        headline=headline,
    )


def programme_rows(programmes: list[Programme]) -> list[ProgrammeRow]:
    ids = [p.pk for p in programmes]
    figures = engagement(ids)
    heads = headlines(ids)
    return [_row(p, figures[p.pk], heads.get(p.pk)) for p in programmes]


def programme_page(user: Any, filters: Filters, page: Any) -> tuple[Page, list[ProgrammeRow]]:
    """One page of the programme list, newest first, with its figures."""
    qs = filtered(scope_queryset(user), filters).select_related("previous_cohort")
    page_obj = Paginator(qs.order_by("-starts_on", "name", "pk"), PAGE_SIZE).get_page(page)
    return page_obj, programme_rows(list(page_obj.object_list))


# ---------------------------------------------------------------------------------------------
# Cohort families: the pilot beside its later cohorts


@dataclass
class ComparedItem:
    item_key: str
    text: str


@dataclass
class CohortRow:
    row: ProgrammeRow
    # One per compared item: (item, (people who answered both, change or None when hidden)),
    # or (item, None) where the cohort did not ask the item.
    changes: list[tuple[ComparedItem, tuple[int, outcomes.PairedChange | None] | None]]


@dataclass
class Family:
    name: str  # the first cohort's name
    items: list[ComparedItem]
    cohorts: list[CohortRow] = field(default_factory=list)
    # Cohorts between the first and the most recent ones, not shown (FAMILY_COHORTS).
    not_shown: int = 0
    charts: list[charts.Chart] = field(default_factory=list)


def _family_charts(family: Family) -> list[charts.Chart]:
    """The same figures as the family's table, drawn: meetings per pair, and the change on each
    shared survey item. A hidden figure (None) draws no bar and reads "—" in the table."""
    names = [c.row.programme.name for c in family.cohorts]
    found = [
        charts.bar_chart(
            _("Meetings held per pair, by cohort"),
            _(
                "Meetings held on average by each pair that went ahead, for each cohort of "
                "%(name)s, oldest first. A cohort with too few pairs has no bar."
            )
            % {"name": family.name},
            names,
            [(_("Meetings held per pair"), [c.row.meetings_per_pair for c in family.cohorts])],
        )
    ]
    if family.items:
        series = [
            (
                item.text,
                [
                    round(cell[1].mean_change, 1) if cell is not None and cell[1] else None
                    for _item, cell in [c.changes[index] for c in family.cohorts]
                ],
            )
            for index, item in enumerate(family.items)
        ]
        found.append(
            charts.bar_chart(
                _("Change in the average answer, start to end, by cohort"),
                _(
                    "For each survey item the cohorts share, the change in the average answer "
                    "on a 1 to 5 scale among the people who answered at the start and the end. "
                    "A cohort that did not ask the item, or where too few answered both, has "
                    "no bar."
                ),
                names,
                series,
            )
        )
    return found


def _family_roots(entries: list[ScopeEntry]) -> dict[int, int]:
    """Programme id -> the first cohort of its family, following "follows on from" links within
    the viewer's scope (a link to a programme they do not run ends the chain there)."""
    by_pk = {e.pk: e for e in entries}
    roots: dict[int, int] = {}
    for entry in entries:
        seen = {entry.pk}
        current = entry
        while current.previous_cohort_id in by_pk and current.previous_cohort_id not in seen:
            current = by_pk[current.previous_cohort_id]  # type: ignore[index]
            seen.add(current.pk)
        roots[entry.pk] = current.pk
    return roots


def families(
    entries: list[ScopeEntry],
    filters: Filters,
    page: Any = 1,
    known: dict[int, ProgrammeRow] | None = None,
) -> tuple[Page, list[Family]]:
    """Programmes linked as cohorts ("follows on from"), two or more in the viewer's scope, each
    family oldest first, with the same engagement figures and the agreement items they share.

    The objective filter applies to whole families; the year filter does not split a family
    (the point is to see a pilot beside the cohorts that came after it). Paged, families with
    the most recent cohort first, so the figures and charts are made for a few families only.
    `known`: rows already worked out (the programme list's page), not worked out again (a row's
    figures are the same whatever the filters)."""
    roots = _family_roots(entries)
    members: dict[int, list[int]] = defaultdict(list)
    for entry in entries:  # already oldest first
        members[roots[entry.pk]].append(entry.pk)
    by_pk = {e.pk: e for e in entries}
    groups = [ids for ids in members.values() if len(ids) > 1]
    if filters.objective:
        groups = [
            ids for ids in groups if any(by_pk[i].objective == filters.objective for i in ids)
        ]
    if filters.year is not None:
        groups = [
            ids for ids in groups if any(by_pk[i].starts_on.year == filters.year for i in ids)
        ]
    groups.sort(key=lambda ids: (by_pk[ids[-1]].starts_on, ids[-1]), reverse=True)
    page_obj = Paginator(groups, FAMILY_PAGE_SIZE).get_page(page)
    groups = list(page_obj.object_list)
    if not groups:
        return page_obj, []
    # Only the first cohort and the most recent ones of a long family are shown, and their
    # figures are worked out for those cohorts only.
    not_shown = {ids[0]: max(len(ids) - FAMILY_COHORTS, 0) for ids in groups}
    groups = [
        ids if len(ids) <= FAMILY_COHORTS else [ids[0], *ids[len(ids) - FAMILY_COHORTS + 1 :]]
        for ids in groups
    ]
    all_ids = [pk for ids in groups for pk in ids]
    rows = dict(known or {})
    missing = [pk for pk in all_ids if pk not in rows]
    programmes = {p.pk: p for p in Programme.objects.filter(pk__in=missing)}
    rows.update((r.programme.pk, r) for r in programme_rows([programmes[pk] for pk in missing]))
    # The agreement items asked at the start of each cohort, matched by item key.
    asked: dict[int, dict[str, str]] = defaultdict(dict)
    for pid, key, text in (
        Question.objects.filter(
            survey__programme_id__in=all_ids,
            survey__timing=Timing.START,
            kind=QuestionKind.LIKERT,
        )
        .exclude(item_key="")
        .order_by("survey__programme_id", "survey__created_at", "position", "pk")
        .values_list("survey__programme_id", "item_key", "text")
    ):
        asked[pid].setdefault(key, text)
    wanted: dict[int, set[str]] = {}
    found = []
    for ids in groups:
        counts: dict[str, int] = defaultdict(int)
        texts: dict[str, str] = {}
        for pid in ids:
            for key, text in asked[pid].items():
                counts[key] += 1
                texts.setdefault(key, text)
        # Items asked by at least two cohorts can be compared.
        items = [ComparedItem(key, texts[key]) for key in sorted(counts) if counts[key] > 1]
        for pid in ids:
            wanted[pid] = {i.item_key for i in items if i.item_key in asked[pid]}
        found.append((ids, items))
    changes = item_changes(wanted)
    result = []
    for ids, items in found:
        family = Family(name=by_pk[ids[0]].name, items=items, not_shown=not_shown[ids[0]])
        for pid in ids:
            family.cohorts.append(
                CohortRow(
                    row=rows[pid],
                    changes=[
                        (
                            i,
                            changes.get((pid, i.item_key), (0, None))
                            if i.item_key in wanted[pid]
                            else None,
                        )
                        for i in items
                    ],
                )
            )
        family.charts = _family_charts(family)
        result.append(family)
    return page_obj, result


# ---------------------------------------------------------------------------------------------
# Participation by department and by level

COLUMNS = ("directory", "asked", "invited", "applied", "mentored", "mentee")


@dataclass
class ParticipationRow:
    label: str
    cells: dict[str, int | None]  # None: hidden
    never_asked: bool


@dataclass
class Participation:
    title: str
    rows: list[ParticipationRow]
    totals: dict[str, int | None]
    threshold: int  # of the ask columns (the directory column uses the minimum group)


def _ask_conditions(programme_ids: list[int]) -> dict[str, Q]:
    """Who was asked, as `pk IN (subquery)` conditions on Person: each subquery runs once, not
    once per person (a correlated EXISTS per person took seconds on a large directory)."""
    went_ahead = Pairing.objects.filter(WENT_AHEAD, programme_id__in=programme_ids)
    return {
        "invited": Q(
            pk__in=Invitation.objects.filter(programme_id__in=programme_ids).values("person_id")
        ),
        "applied": Q(
            pk__in=Application.objects.filter(programme_id__in=programme_ids).values("person_id")
        ),
        "mentored": Q(pk__in=went_ahead.values("mentor_id")),
        "mentee": Q(pk__in=went_ahead.values("mentee_id")),
    }


def _counts_by(
    organisation: Organisation, programme_ids: list[int]
) -> tuple[dict[int | None, dict[str, int]], dict[int | None, dict[str, int]]]:
    """The counts by department and by level, from one query grouped by department, level and
    the four kinds of ask (so each `pk IN (subquery)` is tested once per person: a handful of
    rows per department and level at most), added up here."""
    flags = _ask_conditions(programme_ids)
    kinds = list(flags)
    rows = (
        Person.objects.filter(organisation=organisation, is_active=True)
        .annotate(
            **{
                f"is_{name}": ExpressionWrapper(condition, output_field=BooleanField())
                for name, condition in flags.items()
            }
        )
        .values("department_id", "level_id", *(f"is_{name}" for name in kinds))
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("department_id", "level_id", *(f"is_{name}" for name in kinds), "n")
    )
    by_department: dict[int | None, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    by_level: dict[int | None, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    for department_id, level_id, *found in rows:
        *marks, n = found
        figures = {"directory": n, "asked": n if any(marks) else 0}
        figures.update({name: n if mark else 0 for name, mark in zip(kinds, marks, strict=True)})
        for column in COLUMNS:
            by_department[department_id][column] += figures[column]
            by_level[level_id][column] += figures[column]
    return dict(by_department), dict(by_level)


def _breakdown(
    title: str,
    labels: list[tuple[int | None, str]],
    counts: dict[int | None, dict[str, int]],
    *,
    ask_threshold: int,
) -> Participation:
    threshold = min_group()
    zero = dict.fromkeys(COLUMNS, 0)
    shown = [(key, label, counts.get(key, zero)) for key, label in labels]
    # "Never asked" is the point of this table: a group of at least the minimum size where
    # nobody was invited, applied or paired. Its zeros are shown, so they are known, and they
    # stay out of secondary suppression (which must not count on them to hide another cell).
    never = {key for key, _label, c in shown if c["asked"] == 0 and c["directory"] >= threshold}
    limits = {col: threshold if col == "directory" else ask_threshold for col in COLUMNS}
    hidden: dict[str, set[int | None]] = {}
    for column in COLUMNS:
        cells = {key: c[column] for key, _label, c in shown if key not in never}
        if column == "directory":
            cells = {key: c[column] for key, _label, c in shown}
        hidden[column] = hidden_cells(cells, threshold=limits[column], total_shown=True)
    rows = [
        ParticipationRow(
            label=label,
            cells={col: None if key in hidden[col] else c[col] for col in COLUMNS},
            never_asked=key in never,
        )
        for key, label, c in shown
    ]
    # A total below the minimum group is itself a small group: hidden like a cell (its
    # cells are all smaller still, so all hidden already).
    totals: dict[str, int | None] = {}
    for col in COLUMNS:
        total = sum(c[col] for _k, _l, c in shown)
        totals[col] = total if total >= limits[col] else None
    return Participation(title=title, rows=rows, totals=totals, threshold=ask_threshold)


def participation(
    organisation: Organisation, *, programme_ids: list[int], inclusion_in_scope: bool
) -> list[Participation]:
    """Everyone in the directory now, by department and by level: how many were ever asked
    (invited, applied or paired), in the programmes the viewer runs (`programme_ids`, from
    `scope_entries`). Three queries.

    Being asked to mentor in an inclusion programme can say that someone belongs to the group
    it is for (as on the "who is asked to mentor" page). So when the viewer runs an inclusion
    programme, the ask columns use the special-category threshold (10) instead of 5."""
    ask_threshold = special_min_group() if inclusion_in_scope else min_group()
    by_department, by_level = _counts_by(organisation, programme_ids)
    departments: list[tuple[int | None, str]] = list(
        Department.objects.filter(organisation=organisation)
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    levels: list[tuple[int | None, str]] = [
        (pk, name)
        for pk, name in Level.objects.filter(organisation=organisation)
        .order_by("rank")
        .values_list("pk", "name")
    ]
    if None in by_department:
        departments.append((None, _("No department")))
    if None in by_level:
        levels.append((None, _("No level")))
    return [
        _breakdown(_("By department"), departments, by_department, ask_threshold=ask_threshold),
        _breakdown(_("By level"), levels, by_level, ask_threshold=ask_threshold),
    ]

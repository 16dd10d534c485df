"""The inclusion report: who takes part, and what changes for them, by "About you" group.

Only answers given with consent to reporting under words that cover it count
(`consent.selectors.participation_answers_for`); everyone else is "Not stated", so every
breakdown counts every participation once and all breakdowns share one total. Only programmes
that switched `special_category_reporting` on are read.

Every figure goes through `core.suppression.protect` at the special-category threshold (10),
with all the figures a reader could combine described as sums:

- per programme and group: applied = not matched + matched, matched = still going + completed
  ("not matched" and "still going" are never shown, but a reader can subtract, so they are
  unpublished figures that must stay unknown when they hold 1 to 9 people);
- per programme: the groups add up to the programme's totals (shown, as on the programme's
  own pages, so they are pinned);
- per group: the programmes add up to the organisation's figure, so the organisation view and
  every programme view are protected together, and switching the filter between them gives
  nothing back.

A participation is one application: someone who applied to two programmes counts once in each
and twice in the organisation's figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from upward.consent import selectors as consent_selectors
from upward.consent.categories import CATEGORIES, LIVED_EXPERIENCE, LIVED_EXPERIENCE_LABEL
from upward.core.suppression import Sum, protect, share, special_min_group
from upward.organisations.models import Organisation
from upward.pairing.models import Pairing, PairingState
from upward.programmes.models import Programme
from upward.recruitment.models import Application, Role
from upward.surveys import selectors as survey_selectors

MEASURES = ("applied", "matched", "completed")
# Never shown; a reader finds them by subtraction.
_UNPUBLISHED = ("unmatched", "ongoing")
_ALL = "all"
_EVERYONE = "*"
_NOT_STATED = ""
# Pairings that went ahead (an ended one was still a match).
_MATCHED = (PairingState.ACTIVE, PairingState.COMPLETED, PairingState.ENDED)


@dataclass(frozen=True)
class Row:
    label: str
    applied: int | None
    matched: int | None
    completed: int | None

    @property
    def matched_share(self) -> int | None:
        return share(self.matched, self.applied)

    @property
    def completed_share(self) -> int | None:
        return share(self.completed, self.matched)

    @property
    def hidden(self) -> bool:
        return self.applied is None or self.matched is None or self.completed is None


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    rows: list[Row]
    everyone: Row

    @property
    def any_hidden(self) -> bool:
        return any(r.hidden for r in self.rows)


@dataclass(frozen=True)
class OutcomeGroup:
    label: str
    n_hidden: bool
    change: Any  # surveys.outcomes.PairedChange | None


@dataclass(frozen=True)
class OutcomeTable:
    text: str
    comparison: str
    title: str
    n: int
    groups: list[OutcomeGroup]


@dataclass
class InclusionReport:
    programmes: list[Programme]
    scope: Programme | None
    threshold: int
    tables: list[Table] = field(default_factory=list)
    # Questions too few people counted have answered: no table, only their names.
    unanswered: list[str] = field(default_factory=list)
    outcomes: list[OutcomeTable] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return bool(self.programmes)


def reporting_programmes(organisation: Organisation) -> list[Programme]:
    return list(
        Programme.objects.filter(
            organisation=organisation, special_category_reporting=True
        ).order_by("name", "pk")
    )


def _stages(programmes: list[Programme]) -> list[tuple[int, int, str]]:
    """(programme id, person id, stage) per application: stage is "unmatched", "ongoing" or
    "completed". Two queries."""
    ids = [p.pk for p in programmes]
    matched: dict[tuple[int, int, str], bool] = {}  # (programme, person, role) → completed
    for programme_id, mentor_id, mentee_id, state in Pairing.objects.filter(
        programme_id__in=ids, state__in=_MATCHED
    ).values_list("programme_id", "mentor_id", "mentee_id", "state"):
        done = state == PairingState.COMPLETED
        for side in (
            (programme_id, mentor_id, str(Role.MENTOR)),
            (programme_id, mentee_id, str(Role.MENTEE)),
        ):
            matched[side] = matched.get(side, False) or done
    stages = []
    for programme_id, person_id, role in Application.objects.filter(
        programme_id__in=ids
    ).values_list("programme_id", "person_id", "role"):
        key = (programme_id, person_id, role)
        stage = "unmatched"
        if key in matched:
            stage = "completed" if matched[key] else "ongoing"
        stages.append((programme_id, person_id, stage))
    return stages


def _protected_table(
    groups: list[str],
    code_of: Callable[[int], str],
    stages: list[tuple[int, int, str]],
    programme_ids: list[int],
    threshold: int,
    *,
    never_shown: str | None = None,
) -> dict[tuple[Hashable, str, str], int | None]:
    """Every figure of one breakdown, for every programme and the organisation, protected
    together: {(programme id or "all", group code or "*", measure): count or None}.

    `groups` must split everyone (`code_of` gives each person's group). The `never_shown`
    group (everyone without a lived experience) is left off the page but can be found by
    subtraction: it must stay unknown when it holds fewer than the threshold, none included
    ("everyone in the programme has this lived experience" tells about each of them)."""
    counts: dict[tuple[Any, str, str], int] = defaultdict(int)
    for programme_id, person_id, stage in stages:
        code = code_of(person_id)
        for p in (programme_id, _ALL):
            for g in (code, _EVERYONE):
                counts[(p, g, stage)] += 1
    scopes: list[Any] = [*programme_ids, _ALL]
    values: dict[Hashable, int] = {}
    for p in scopes:
        for g in [*groups, _EVERYONE]:
            unmatched = counts[(p, g, "unmatched")]
            ongoing = counts[(p, g, "ongoing")]
            completed = counts[(p, g, "completed")]
            values[(p, g, "unmatched")] = unmatched
            values[(p, g, "ongoing")] = ongoing
            values[(p, g, "completed")] = completed
            values[(p, g, "matched")] = ongoing + completed
            values[(p, g, "applied")] = unmatched + ongoing + completed
    sums: list[Sum] = []
    for p in scopes:
        for g in [*groups, _EVERYONE]:
            t = 0 if g == _EVERYONE else threshold
            sums.append(Sum(((p, g, "ongoing"), (p, g, "completed")), (p, g, "matched"), t))
            sums.append(Sum(((p, g, "unmatched"), (p, g, "matched")), (p, g, "applied"), t))
        for m in (*MEASURES, *_UNPUBLISHED):
            sums.append(Sum(tuple((p, g, m) for g in groups), (p, _EVERYONE, m), threshold))
    for g in [*groups, _EVERYONE]:
        t = 0 if g == _EVERYONE else threshold
        for m in (*MEASURES, *_UNPUBLISHED):
            sums.append(Sum(tuple((p, g, m) for p in programme_ids), (_ALL, g, m), t))
    # The differences of the totals are known from the pinned totals: only the groups' count.
    unpublished = [
        k
        for k in values
        if (k[2] in _UNPUBLISHED and k[1] != _EVERYONE) or k[1] == never_shown  # type: ignore[index]
    ]
    # A difference of nobody is fine to know ("no one in this group was left unmatched"); a
    # difference of 1 to 9 people is not, nor a group left off the page holding under ten of a
    # non-empty total.
    sensitive = [k for k in unpublished if 0 < values[k] < threshold]
    sensitive += [
        k
        for k in unpublished
        if k[1] == never_shown  # type: ignore[index]
        and values[k] == 0
        and values[(k[0], _EVERYONE, k[2])] > 0  # type: ignore[index]
    ]
    hidden = protect(
        values,
        sums,
        unpublished=unpublished,
        sensitive=sensitive,
        pinned=[(p, _EVERYONE, m) for p in scopes for m in (*MEASURES, *_UNPUBLISHED)],
    )
    return {
        k: (None if k in hidden else v)  # type: ignore[misc]
        for k, v in values.items()
        if k[2] in MEASURES  # type: ignore[index]
    }


def inclusion_report(
    organisation: Organisation,
    *,
    scope: Programme | None,
    programmes: list[Programme] | None = None,
) -> InclusionReport:
    """The figures of the inclusion page for the organisation (scope None) or one programme
    (which must be one of `reporting_programmes`). A fixed number of queries whatever the size:
    programmes, applications, pairings, consented answers, and for a programme its outcomes."""
    if programmes is None:
        programmes = reporting_programmes(organisation)
    threshold = special_min_group()
    report = InclusionReport(programmes=programmes, scope=scope, threshold=threshold)
    if not programmes:
        return report
    stages = _stages(programmes)
    answers = consent_selectors.participation_answers_for({person for _p, person, _s in stages})
    programme_ids = [p.pk for p in programmes]
    where: Hashable = scope.pk if scope is not None else _ALL
    for category in CATEGORIES:
        # A table shows only once at least `threshold` people counted have answered, decided
        # over the whole organisation (the same for every filter): the table's presence must
        # not tell that one or two people answered, nor a table missing from one view tell
        # about that view.
        if sum(1 for a in answers.values() if category.key in a) < threshold:
            report.unanswered.append(str(category.label))
            continue
        shown = _protected_table(
            [code for code, _label in category.options] + [_NOT_STATED],
            _answer_of(answers, category.key),
            stages,
            programme_ids,
            threshold,
        )

        def row(label: str, g: str, shown: dict[Any, int | None] = shown) -> Row:
            return Row(label, *(shown[(where, g, m)] for m in MEASURES))

        report.tables.append(
            Table(
                key=category.key,
                title=str(category.label),
                rows=[row(str(label), code) for code, label in category.options]
                + [row(_("Not stated"), _NOT_STATED)],
                everyone=row(_("Everyone"), _EVERYONE),
            )
        )
    lived = _lived_table(organisation, stages, answers, programme_ids, threshold, where)
    if lived is not None:
        report.tables.append(lived)
    else:
        report.unanswered.append(str(LIVED_EXPERIENCE_LABEL))
    if scope is not None:
        report.outcomes = _outcomes(scope)
    return report


def _answer_of(answers: dict[int, dict[str, Any]], key: str) -> Callable[[int], str]:
    def code(person_id: int) -> str:
        return str(answers.get(person_id, {}).get(key, _NOT_STATED))

    return code


def _has_topic(answers: dict[int, dict[str, Any]], topic_id: int) -> Callable[[int], str]:
    def code(person_id: int) -> str:
        found = topic_id in answers.get(person_id, {}).get(LIVED_EXPERIENCE, ())
        return str(topic_id) if found else _NOT_STATED

    return code


def _lived_table(
    organisation: Organisation,
    stages: list[tuple[int, int, str]],
    answers: dict[int, dict[str, Any]],
    programme_ids: list[int],
    threshold: int,
    where: Hashable,
) -> Table | None:
    """One row per lived-experience topic. A person may name several, so each topic is its
    own split (the topic, and everyone else, never shown) protected on its own."""
    holders: dict[int, int] = defaultdict(int)
    for a in answers.values():
        for t in a.get(LIVED_EXPERIENCE, ()):
            holders[t] += 1
    # As for a question's table: a topic's row shows once `threshold` people counted share it.
    topic_ids = sorted(t for t, n in holders.items() if n >= threshold)
    if not topic_ids:
        return None
    names = consent_selectors.experience_topic_names(organisation, topic_ids)
    rows = []
    everyone: Row | None = None
    for topic_id, name in sorted(names.items(), key=lambda item: item[1]):
        mark = str(topic_id)
        shown = _protected_table(
            [mark, _NOT_STATED],
            _has_topic(answers, topic_id),
            stages,
            programme_ids,
            threshold,
            never_shown=_NOT_STATED,
        )
        rows.append(Row(name, *(shown[(where, mark, m)] for m in MEASURES)))
        everyone = Row(_("Everyone"), *(shown[(where, _EVERYONE, m)] for m in MEASURES))
    if everyone is None:
        return None
    return Table(
        key=LIVED_EXPERIENCE, title=str(LIVED_EXPERIENCE_LABEL), rows=rows, everyone=everyone
    )


def _outcomes(programme: Programme) -> list[OutcomeTable]:
    """Change in the same people by "About you" group, from anonymous survey answers counted
    with consent; the surveys app protects these breakdowns together (threshold 10)."""
    tables = []
    for item in survey_selectors.paired_outcomes(programme):
        if item.change is None:
            continue
        for b in item.breakdowns:
            if b.category and b.category in {c.key for c in CATEGORIES}:
                tables.append(
                    OutcomeTable(
                        text=item.text,
                        comparison=item.comparison,
                        title=b.title,
                        n=item.n,
                        groups=[OutcomeGroup(c.label, c.hidden, c.change) for c in b.cells],
                    )
                )
    return tables

"""Reads for the match review at scale: filter, search, sort and page a run's proposal, and
find the run's people for the person picker. A run of 500 pairs is reviewed a page at a time;
the run's summary figures stay those of the whole run."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matching import Constraints, MenteeProfile, MentorProfile, Weights, WhatIf, score_pairs
from upward.core.errors import DomainError
from upward.core.forms import UnknownFilter, unknown_filter
from upward.organisations.models import Department, Person
from upward.pairing.models import MatchRun
from upward.pairing.selectors import (
    RULE_LABELS,
    MatchInputs,
    PairRow,
    RunReview,
    UnmatchedRow,
    topic_relations,
)
from upward.programmes.models import Programme
from upward.recruitment.models import Application, Role

PAGE_SIZES = (25, 50)
# At most this many people answer a picker search: enough to choose from, small to send.
PICKER_LIMIT = 20

SHOW_CHOICES = (
    ("", gettext_lazy("Every proposed pair")),
    ("low", gettext_lazy("Low scores (lowest quarter)")),
    ("pinned", gettext_lazy("Pinned pairs")),
    ("unmatched", gettext_lazy("People without a partner")),
)
SORT_CHOICES = (
    ("score_desc", gettext_lazy("Score, highest first")),
    ("score_asc", gettext_lazy("Score, lowest first")),
    ("mentee", gettext_lazy("Mentee's name")),
    ("mentor", gettext_lazy("Mentor's name")),
)
# Picker fields: the name the chosen id is posted under, and the side it is chosen from.
PICKER_FIELDS = {
    "mentee": Role.MENTEE,
    "mentor": Role.MENTOR,
    "mentee_a": Role.MENTEE,
    "mentee_b": Role.MENTEE,
}
# Swaps are between two mentees the run paired.
PAIRED_ONLY_FIELDS = frozenset({"mentee_a", "mentee_b"})


@dataclass(frozen=True)
class ReviewFilters:
    q: str = ""
    show: str = ""
    department: int | None = None
    sort: str = "score_desc"
    per_page: int = PAGE_SIZES[0]
    unknown: list[UnknownFilter] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.q or self.show or self.department)


def review_filters(data: Mapping[str, str], departments: Sequence[Department]) -> ReviewFilters:
    """The review's filters from the address. Unknown values are left out and named, so a
    shared or hand-edited address still shows a page."""
    unknown: list[UnknownFilter] = []
    q = " ".join((data.get("q") or "").split())[:100]
    show = data.get("show") or ""
    if show not in dict(SHOW_CHOICES):
        unknown.append(unknown_filter(_("Show"), show))
        show = ""
    sort = data.get("sort") or "score_desc"
    if sort not in dict(SORT_CHOICES):
        unknown.append(unknown_filter(_("Sort"), sort))
        sort = "score_desc"
    department: int | None = None
    raw = data.get("department") or ""
    if raw:
        known = {d.pk for d in departments}
        if raw.isdigit() and int(raw) in known:
            department = int(raw)
        else:
            unknown.append(unknown_filter(_("Department"), raw))
    per_page = PAGE_SIZES[0]
    raw = data.get("per_page") or ""
    if raw:
        if raw.isdigit() and int(raw) in PAGE_SIZES:
            per_page = int(raw)
        else:
            unknown.append(unknown_filter(_("Per page"), raw))
    return ReviewFilters(
        q=q, show=show, department=department, sort=sort, per_page=per_page, unknown=unknown
    )


def low_score_threshold(pairs: Sequence[PairRow]) -> float | None:
    """The score at the top of the run's lowest quarter (nearest rank): a pair scoring this or
    less is "low". Relative to the run, because scores depend on the weights chosen."""
    if not pairs:
        return None
    scores = sorted(row.score for row in pairs)
    return scores[max(0, math.ceil(len(scores) * 0.25) - 1)]


def _matches(person: Person, words: Sequence[str]) -> bool:
    """Every word typed is in the name: "sam sen" finds Sam Senior (as the picker does)."""
    name = person.full_name.casefold()
    return all(word in name for word in words)


def _in_department(person: Person, department: int | None) -> bool:
    return department is None or person.department_id == department


def filter_pairs(review: RunReview, filters: ReviewFilters) -> list[PairRow]:
    rows = list(review.pairs)
    if filters.show == "low":
        threshold = low_score_threshold(review.pairs)
        rows = [r for r in rows if threshold is not None and r.score <= threshold]
    elif filters.show == "pinned":
        rows = [r for r in rows if r.pinned]
    if filters.q:
        words = filters.q.casefold().split()
        rows = [r for r in rows if _matches(r.mentee, words) or _matches(r.mentor, words)]
    if filters.department is not None:
        rows = [
            r
            for r in rows
            if _in_department(r.mentee, filters.department)
            or _in_department(r.mentor, filters.department)
        ]
    if filters.sort == "score_asc":
        rows.sort(key=lambda r: (r.score, r.mentee.full_name.casefold(), r.mentee.pk))
    elif filters.sort == "mentee":
        rows.sort(key=lambda r: (r.mentee.full_name.casefold(), r.mentee.pk))
    elif filters.sort == "mentor":
        rows.sort(key=lambda r: (r.mentor.full_name.casefold(), r.mentor.pk, r.mentee.pk))
    else:
        rows.sort(key=lambda r: (-r.score, r.mentee.full_name.casefold(), r.mentee.pk))
    return rows


@dataclass(frozen=True)
class WithoutPartner:
    """Someone a run leaves without a partner, for the "without a partner" view."""

    person: Person
    role: str
    reason: str
    can_include: bool = False

    @property
    def role_label(self) -> str:
        return str(_("Mentee")) if self.role == Role.MENTEE else str(_("Mentor"))


def without_partner(review: RunReview, run: MatchRun) -> list[WithoutPartner]:
    """Unplaced mentees, idle mentors and the people the run left out, in one list."""
    roles = {
        int(x["person_id"]): x.get("role", "") for x in (run.results or {}).get("left_out", [])
    }
    idle = str(_("More mentors than mentees could be placed: available for a later run."))
    rows = [WithoutPartner(u.person, Role.MENTEE, u.reason) for u in review.unmatched]
    rows += [WithoutPartner(p, Role.MENTOR, idle) for p in review.idle_mentors]
    rows += [_left_out_row(u, roles) for u in review.left_out]
    return rows


def _left_out_row(row: UnmatchedRow, roles: Mapping[int, str]) -> WithoutPartner:
    return WithoutPartner(row.person, roles.get(row.person.pk, ""), row.reason, row.can_include)


def filter_people(rows: Sequence[WithoutPartner], filters: ReviewFilters) -> list[WithoutPartner]:
    out = list(rows)
    if filters.q:
        words = filters.q.casefold().split()
        out = [r for r in out if _matches(r.person, words)]
    if filters.department is not None:
        out = [r for r in out if _in_department(r.person, filters.department)]
    out.sort(key=lambda r: (r.person.full_name.casefold(), r.person.pk))
    return out


def review_departments(review: RunReview) -> list[Department]:
    """The departments of the run's people, by name, for the department filter (no query:
    run_review loaded each person with their department)."""
    people: list[Person] = [p for row in review.pairs for p in (row.mentee, row.mentor)]
    people += [u.person for u in review.unmatched] + list(review.idle_mentors)
    people += [u.person for u in review.left_out]
    departments = {p.department.pk: p.department for p in people if p.department is not None}
    return sorted(departments.values(), key=lambda d: (d.name.casefold(), d.pk))


def run_people_ids(run: MatchRun, role: str, *, paired_only: bool = False) -> set[int]:
    """Who a run is about on one side: the people a pin, exclusion or swap chosen on its page
    may name. Read from the run's stored results, so no person outside the run can be named."""
    results = run.results or {}
    key = "mentee" if role == Role.MENTEE else "mentor"
    ids = {int(p[key]) for p in results.get("pairs", [])}
    if paired_only:
        return ids
    if role == Role.MENTEE:
        ids |= {int(u["mentee"]) for u in results.get("unmatched", [])}
    else:
        ids |= {int(m) for m in results.get("unmatched_mentors", [])}
    ids |= {int(x["person_id"]) for x in results.get("left_out", []) if x.get("role", "") == role}
    return ids


@dataclass(frozen=True)
class PickerAnswer:
    people: list[Person]
    more: bool  # more people match than are shown: type more of the name


def pick_people(
    run: MatchRun, *, role: str, q: str, paired_only: bool = False, limit: int = PICKER_LIMIT
) -> PickerAnswer:
    """Up to `limit` of the run's people on one side whose name has every word of `q`."""
    ids = run_people_ids(run, role, paired_only=paired_only)
    return _pick(Q(pk__in=ids) if ids else None, q, limit)


def pick_participants(
    programme: Programme, *, role: str, q: str, limit: int = PICKER_LIMIT
) -> PickerAnswer:
    """The same, among the programme's accepted participants on one side (the matching page,
    where a rule may name anyone accepted)."""
    accepted = Application.objects.filter(
        programme=programme, role=role, status=Application.Status.ACCEPTED
    ).values("person_id")
    return _pick(Q(pk__in=accepted, is_active=True), q, limit)


def _pick(among: Q | None, q: str, limit: int) -> PickerAnswer:
    words = q.split()
    if among is None or not words:
        return PickerAnswer([], False)
    condition = among
    for word in words[:5]:
        condition &= Q(full_name__icontains=word)
    found = list(
        Person.objects.filter(condition)
        .select_related("department")
        .order_by("full_name", "pk")[: limit + 1]
    )
    return PickerAnswer(found[:limit], len(found) > limit)


# ---------------------------------------------------------------------------------------------
# A swap's what-if preview


@dataclass(frozen=True)
class SwapPair:
    """One of the two pairs a swap changes: the mentee, the mentor they have and would have."""

    mentee: Person
    old_mentor: Person
    new_mentor: Person
    old_score: float
    new_score: float
    broken_rules: list[str]  # hard rules the new pair breaks, in words (empty: allowed)

    @property
    def change(self) -> float:
        return self.new_score - self.old_score


@dataclass(frozen=True)
class SwapPreview:
    first: SwapPair
    second: SwapPair
    run_total: float  # the proposal's total as it stands

    @property
    def pairs(self) -> tuple[SwapPair, SwapPair]:
        return (self.first, self.second)

    @property
    def old_total(self) -> float:
        return self.first.old_score + self.second.old_score

    @property
    def new_total(self) -> float:
        return self.first.new_score + self.second.new_score

    @property
    def change(self) -> float:
        return self.new_total - self.old_total

    @property
    def new_run_total(self) -> float:
        """The proposal's total if every other pair stays as it is."""
        return self.run_total + self.change

    @property
    def possible(self) -> bool:
        return not (self.first.broken_rules or self.second.broken_rules)


def swap_preview(
    run: MatchRun, inputs: MatchInputs | None, *, mentee_a: object, mentee_b: object
) -> SwapPreview:
    """What swapping two mentees' mentors would do to both pairs' scores, computed by the
    engine's own scorer (`matching.score_pairs`) over the cohort as a run started now would see
    it: after the swap the next run gives the two pinned pairs exactly these scores. Refuses,
    with a message, what `swap_mentors` would refuse."""
    try:
        a, b = int(str(mentee_a)), int(str(mentee_b))
    except ValueError as exc:
        raise DomainError(_("Choose two mentees from this run.")) from exc
    if a == b:
        raise DomainError(_("Choose two different mentees to swap."))
    if inputs is None:
        raise DomainError(_("This proposal is no longer in review, so nothing can be swapped."))
    results = run.results or {}
    mentor_of = {int(p["mentee"]): int(p["mentor"]) for p in results.get("pairs", [])}
    if a not in mentor_of or b not in mentor_of:
        raise DomainError(_("Both mentees must have a partner in this run to swap them."))
    ids = {a, b, mentor_of[a], mentor_of[b]}
    people = Person.objects.in_bulk(list(ids))
    in_run = {p.id for p in inputs.mentees} | {p.id for p in inputs.mentors}
    gone = [people[i].full_name for i in sorted(ids) if i in people and str(i) not in in_run]
    if gone or len(people) < len(ids):
        raise DomainError(
            _("%(names)s can no longer be paired in this run: run matching again first.")
            % {"names": ", ".join(gone) or _("Someone")}
        )
    new_pairs = {(str(a), str(mentor_of[b])), (str(b), str(mentor_of[a]))}
    # As add_match_rule does: the swap's pins replace the mentees' pins, and an exclusion of a
    # new pair; every other rule stays.
    constraints = replace(
        inputs.constraints,
        pins=frozenset(),
        exclusions=inputs.constraints.exclusions - new_pairs,
    )
    asked = [
        (str(a), str(mentor_of[a])),
        (str(b), str(mentor_of[b])),
        (str(a), str(mentor_of[b])),
        (str(b), str(mentor_of[a])),
    ]
    scored = score_pairs(
        inputs.mentees,
        inputs.mentors,
        asked,
        objective=inputs.objective,
        weights=Weights(**run.weights),
        constraints=constraints,
        focus=inputs.focus,
        topic_relations=inputs.topic_relations,
    )
    old_a, old_b, new_a, new_b = scored

    def broken(what: WhatIf) -> list[str]:
        return [str(RULE_LABELS.get(r, r)) for r in what.rules_failed]

    first = SwapPair(
        people[a],
        people[mentor_of[a]],
        people[mentor_of[b]],
        old_a.explanation.score,
        new_a.explanation.score,
        broken(new_a),
    )
    second = SwapPair(
        people[b],
        people[mentor_of[b]],
        people[mentor_of[a]],
        old_b.explanation.score,
        new_b.explanation.score,
        broken(new_b),
    )
    run_total = sum(float(p.get("score") or 0) for p in results.get("pairs", []))
    return SwapPreview(first, second, run_total)


def page_inputs(run: MatchRun, rows: Sequence[PairRow]) -> MatchInputs:
    """Profiles of the people of a page of pairs from their applications, for a run no longer
    in review (published or replaced), whose people `build_match_inputs` no longer reads: what
    each offers, wants, likes and when they are free, with the topic names and relations the
    words need (five queries, whatever the page). Lived experience is not read: the words never
    name it."""
    ids = {p.pk for row in rows for p in (row.mentee, row.mentor)}
    applications = (
        Application.objects.filter(programme_id=run.programme_id, person_id__in=ids)
        .prefetch_related("offered_topics", "wanted_topics", "interests")
        .order_by("person_id", "-pk")
    )
    mentees: dict[str, MenteeProfile] = {}
    mentors: dict[str, MentorProfile] = {}
    names: dict[str, str] = {}
    for a in applications:
        topics = {
            attr: frozenset(str(t.pk) for t in getattr(a, attr).all())
            for attr in ("offered_topics", "wanted_topics", "interests")
        }
        for attr in topics:
            names.update({str(t.pk): t.name for t in getattr(a, attr).all()})
        common: dict[str, Any] = {
            "id": str(a.person_id),
            "level": 0,  # not used by the words
            "offers": topics["offered_topics"],
            "wants": topics["wanted_topics"],
            "interests": topics["interests"],
            "availability": frozenset(a.availability or ()),
        }
        if a.role == Role.MENTEE:
            mentees.setdefault(common["id"], MenteeProfile(**common))
        else:
            mentors.setdefault(common["id"], MentorProfile(**common))
    return MatchInputs(
        mentees=tuple(mentees.values()),
        mentors=tuple(mentors.values()),
        objective=run.programme.objective,
        focus=frozenset(),
        topic_relations=topic_relations(run.programme.organisation_id) if ids else {},
        constraints=Constraints(),
        topic_names=names,
    )

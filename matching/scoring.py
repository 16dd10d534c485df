"""Pair scores and hard constraints from plain profiles.

The Django side builds these frozen dataclasses (selectors) and calls
``match_profiles`` (matching.service) or ``ProfileScorer`` directly.

Every criterion is a number in [0, 1] multiplied by its weight; each one is a
bilinear form ``mentee_features @ mentor_features`` so that a block of scores is
one matrix product (no per-pair Python, no dense n x n on the hot path).

Criteria (each in [0, 1]):

* ``topics``: mean over the mentee's wanted topics of the best credit the mentor
  offers (1 for the same topic, ``Weights.related_credit`` for a related one).
  The mentor offers their skills, plus their lived experience if they consented.
* ``reciprocity``: the same, for what the mentor wants and the mentee offers.
* ``interests`` / ``availability``: cosine overlap of the two sets.
* ``timezone``: overlap of 09:00-17:00 working days, from UTC offsets.
* ``department``: 1 when both departments are known and differ.
* ``objective``: share of the programme's focus topics the mentor brings; for an
  inclusion programme only consented lived experience counts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

__all__ = [
    "CRITERIA",
    "OBJECTIVES",
    "Constraints",
    "MenteeProfile",
    "MentorProfile",
    "ProfileScorer",
    "Weights",
    "default_weights",
    "effective_capacity",
    "timezone_overlap",
]

OBJECTIVES = ("digital_skills", "inclusion", "generational", "leadership", "retention", "custom")
CRITERIA = ("topics", "reciprocity", "interests", "availability", "timezone", "department",
            "objective")


@dataclass(frozen=True)
class MentorProfile:
    """A (junior) mentor. ``manager_chain``: ids of their managers, nearest first."""

    id: str
    level: int
    department: str = ""
    team: str = ""
    manager_chain: tuple[str, ...] = ()
    offers: frozenset[str] = frozenset()
    wants: frozenset[str] = frozenset()
    interests: frozenset[str] = frozenset()
    availability: frozenset[str] = frozenset()
    utc_offset: float = 0.0
    capacity: int = 1
    active_pairings: int = 0
    max_concurrent: int | None = None
    lived_experience: frozenset[str] = frozenset()
    lived_experience_consent: bool = False
    works_with: frozenset[str] = frozenset()
    previous_partners: frozenset[str] = frozenset()
    group: str | None = None
    group_consent: bool = False
    name: str = ""


@dataclass(frozen=True)
class MenteeProfile:
    """A (senior) mentee."""

    id: str
    level: int
    department: str = ""
    team: str = ""
    manager_chain: tuple[str, ...] = ()
    wants: frozenset[str] = frozenset()
    offers: frozenset[str] = frozenset()
    interests: frozenset[str] = frozenset()
    availability: frozenset[str] = frozenset()
    utc_offset: float = 0.0
    works_with: frozenset[str] = frozenset()
    previous_partners: frozenset[str] = frozenset()
    group: str | None = None
    group_consent: bool = False
    name: str = ""


@dataclass(frozen=True)
class Weights:
    topics: float = 1.0
    reciprocity: float = 1.0
    interests: float = 1.0
    availability: float = 1.0
    timezone: float = 1.0
    department: float = 1.0
    objective: float = 0.0
    related_credit: float = 0.5  # credit for a related (not identical) topic, in [0, 1]

    def __post_init__(self) -> None:
        for name in (*CRITERIA, "related_credit"):
            value = getattr(self, name)
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"weight {name} must be a finite number >= 0, got {value!r}")
        if self.related_credit > 1:
            raise ValueError("related_credit must be between 0 and 1")


_DEFAULTS = {
    "digital_skills": Weights(topics=4, reciprocity=1, interests=1, availability=1, timezone=1,
                              department=0.5, objective=2),
    "inclusion": Weights(topics=2, reciprocity=1.5, interests=1, availability=1, timezone=1,
                         department=0.5, objective=4),
    "generational": Weights(topics=2, reciprocity=2, interests=2, availability=1, timezone=1,
                            department=0.5, objective=1),
    "leadership": Weights(topics=2, reciprocity=3, interests=1, availability=1, timezone=1,
                          department=1, objective=1),
    "retention": Weights(topics=2, reciprocity=3, interests=1.5, availability=1, timezone=1,
                         department=1, objective=1),
    "custom": Weights(),
}


def default_weights(objective: str) -> Weights:
    """Sensible weights for a programme objective (one of ``OBJECTIVES``)."""
    try:
        return _DEFAULTS[objective]
    except KeyError:
        raise ValueError(f"unknown objective {objective!r}; expected one of {OBJECTIVES}") from None


@dataclass(frozen=True)
class Constraints:
    """Hard rules.  ``exclusions``/``pins`` hold (mentee_id, mentor_id) pairs."""

    min_level_gap: int = 1  # mentee.level - mentor.level must be at least this
    exclude_same_team: bool = True
    exclude_work_together: bool = True
    exclude_previous_partners: bool = False  # set when rematching
    exclusions: frozenset[tuple[str, str]] = frozenset()
    pins: frozenset[tuple[str, str]] = frozenset()


def effective_capacity(mentor: MentorProfile) -> int:
    """Places left: programme capacity, capped by the concurrent-pairings cap."""
    cap = mentor.capacity
    if mentor.max_concurrent is not None:
        cap = min(cap, mentor.max_concurrent - mentor.active_pairings)
    return max(cap, 0)


def timezone_overlap(a: float, b: float) -> float:
    """Share of an 8-hour working day two people have in common."""
    d = abs(a - b) % 24
    d = min(d, 24 - d)
    return max(0.0, 8.0 - d) / 8.0


# --------------------------------------------------------------------------- features


def _vocab(*sets: Iterable[Iterable[str]]) -> dict[str, int]:
    words = sorted({w for group in sets for s in group for w in s})
    return {w: i for i, w in enumerate(words)}


def _onehot(items: Sequence[Collection[str]], vocab: Mapping[str, int]) -> np.ndarray:
    out = np.zeros((len(items), len(vocab)))
    sizes = np.fromiter(map(len, items), dtype=np.int64, count=len(items))
    cols = np.fromiter((vocab[w] for s in items for w in s), dtype=np.int64,
                       count=int(sizes.sum()))
    if len(cols):
        out[np.repeat(np.arange(len(items)), sizes), cols] = 1.0
    return out


def _relation_matrix(vocab: Mapping[str, int], relations: Mapping[str, Iterable[str]] | None,
                     credit: float) -> np.ndarray:
    rel = np.eye(len(vocab))
    for topic, related in (relations or {}).items():
        if topic not in vocab:
            continue
        for other in related:
            if other in vocab and other != topic:
                a, b = vocab[topic], vocab[other]
                rel[a, b] = rel[b, a] = max(rel[a, b], credit)
    return rel


def _best_credit(have: np.ndarray, rel: np.ndarray) -> np.ndarray:
    """For each person and topic: the best credit any of their topics gives it.

    ``have`` is 0/1; ``rel`` has 1 on the diagonal and a credit on related
    topics.  One matrix product per distinct credit value instead of a loop
    (float32 is exact here: the products count topics)."""
    out = np.zeros_like(have)
    have32 = have.astype(np.float32)
    for value in np.unique(rel[rel > 0]):  # ascending: a higher credit overwrites
        out[(have32 @ (rel == value).astype(np.float32)) > 0] = value
    return out


def _on_grid(x: np.ndarray, grid: float) -> np.ndarray:
    """``round(x / grid) * grid``, computed in place in ``x`` (a fresh array)."""
    x /= grid
    np.round(x, out=x)
    x *= grid
    return x


def _stack32(parts: Sequence[np.ndarray], n_rows: int) -> np.ndarray:
    """Columns side by side in one contiguous float32 matrix (one copy per part)."""
    out = np.empty((n_rows, sum(p.shape[1] for p in parts)), dtype=np.float32)
    at = 0
    for p in parts:
        out[:, at:at + p.shape[1]] = p
        at += p.shape[1]
    return out


def _mean_rows(x: np.ndarray) -> np.ndarray:
    n = x.sum(axis=1, keepdims=True)
    return np.divide(x, n, out=np.zeros_like(x), where=n > 0)


def _unit_rows(x: np.ndarray) -> np.ndarray:
    n = np.sqrt((x * x).sum(axis=1, keepdims=True))
    return np.divide(x, n, out=np.zeros_like(x), where=n > 0)


@dataclass
class _Criterion:
    name: str
    weight: float
    mentee: np.ndarray
    mentor: np.ndarray
    mentee_q: np.ndarray = field(default_factory=lambda: np.zeros(0))
    mentor_q: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass
class ProfileScorer:
    """Scores and allowed mask for profiles, served a block of mentees at a time.

    Implements the ``BlockScorer`` protocol of matching.engine.  ``blocked_mentees``
    (indices) get no allowed pair: used for pinned mentees, already placed.
    """

    mentees: Sequence[MenteeProfile]
    mentors: Sequence[MentorProfile]
    weights: Weights = field(default_factory=Weights)
    constraints: Constraints = field(default_factory=Constraints)
    objective: str = "custom"
    focus: frozenset[str] = frozenset()
    topic_relations: Mapping[str, Iterable[str]] | None = None
    blocked_mentees: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if self.objective not in OBJECTIVES:
            raise ValueError(f"unknown objective {self.objective!r}; expected one of {OBJECTIVES}")
        _check_ids(self.mentees, "mentee")
        _check_ids(self.mentors, "mentor")
        self.mentee_index = {p.id: i for i, p in enumerate(self.mentees)}
        self.mentor_index = {p.id: j for j, p in enumerate(self.mentors)}
        self.capacity = np.array([effective_capacity(p) for p in self.mentors], dtype=np.int64)
        self._build_features()
        self._build_rules()

    # -- protocol
    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.mentees), len(self.mentors))

    def block(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """float32 scores (exact on the feature grid) and the allowed mask."""
        rows = np.asarray(rows, dtype=np.int64)
        scores = self._a[rows] @ self._b.T
        return scores, self._allowed(rows)

    def block_masked(self, rows: np.ndarray) -> np.ndarray:
        """float32 scores with every forbidden cell at or below ``forbid_below``.

        The level rule rides in the matrix product (penalty features, exact zero
        for allowed pairs); the sparse rules (same team, reporting lines, declared
        links, exclusions, pinned mentees) are written in afterwards.  Used by the
        engine's fast passes; ``block`` (scores plus a separate mask) stays the
        independent reference that ``verify`` uses."""
        rows = np.asarray(rows, dtype=np.int64)
        s = self._ap[rows] @ self._bp.T
        if len(self._m_rows) and len(rows):
            lo = np.searchsorted(self._m_rows, rows[0])
            hi = np.searchsorted(self._m_rows, rows[-1], side="right")
            fr, fc = self._m_rows[lo:hi], self._m_cols[lo:hi]
            loc = np.minimum(np.searchsorted(rows, fr), len(rows) - 1)
            hit = rows[loc] == fr
            s[loc[hit], fc[hit]] = -np.inf
        s[self._blocked[rows]] = -np.inf
        return s

    def cols_masked(self, cols: np.ndarray) -> np.ndarray:
        """Every mentee against the mentors ``cols``, forbidden cells at or below
        ``forbid_below`` (as ``block_masked``, by column)."""
        cols = np.asarray(cols, dtype=np.int64)
        s = self._ap @ self._bp[cols].T
        if len(self._m_rows) and len(cols):
            hit = np.isin(self._m_cols, cols)
            fr, fc = self._m_rows[hit], self._m_cols[hit]
            s[fr, np.searchsorted(cols, fc)] = -np.inf
        s[self._blocked] = -np.inf
        return s

    # -- features
    def _build_features(self) -> None:
        me, mo, w = self.mentees, self.mentors, self.weights
        consent = [p.lived_experience_consent for p in mo]
        mentor_brings = [p.offers | (p.lived_experience if c else frozenset())
                         for p, c in zip(mo, consent, strict=True)]
        topic_vocab = _vocab([p.wants for p in me], [p.offers for p in me],
                             [p.wants for p in mo], mentor_brings, [self.focus])
        rel = _relation_matrix(topic_vocab, self.topic_relations, w.related_credit)
        crit: list[_Criterion] = []
        crit.append(_Criterion(
            "topics", w.topics,
            _mean_rows(_onehot([p.wants for p in me], topic_vocab)),
            _best_credit(_onehot(mentor_brings, topic_vocab), rel)))
        crit.append(_Criterion(
            "reciprocity", w.reciprocity,
            _best_credit(_onehot([p.offers for p in me], topic_vocab), rel),
            _mean_rows(_onehot([p.wants for p in mo], topic_vocab))))
        iv = _vocab([p.interests for p in me], [p.interests for p in mo])
        crit.append(_Criterion("interests", w.interests,
                               _unit_rows(_onehot([p.interests for p in me], iv)),
                               _unit_rows(_onehot([p.interests for p in mo], iv))))
        sv = _vocab([p.availability for p in me], [p.availability for p in mo])
        crit.append(_Criterion("availability", w.availability,
                               _unit_rows(_onehot([p.availability for p in me], sv)),
                               _unit_rows(_onehot([p.availability for p in mo], sv))))
        people: list[MenteeProfile | MentorProfile] = [*me, *mo]
        offsets = sorted({float(p.utc_offset) for p in people})
        ov = {str(o): i for i, o in enumerate(offsets)}
        table = np.array([[timezone_overlap(a, b) for b in offsets] for a in offsets])
        tz_me = _onehot([[str(float(p.utc_offset))] for p in me], ov)
        tz_mo = _onehot([[str(float(p.utc_offset))] for p in mo], ov)
        crit.append(_Criterion("timezone", w.timezone, tz_me @ table if len(offsets) else tz_me,
                               tz_mo))
        dv = _vocab([[p.department] for p in people if p.department])
        known_me = np.array([[1.0 if p.department else 0.0] for p in me]).reshape(len(me), 1)
        known_mo = np.array([[1.0 if p.department else 0.0] for p in mo]).reshape(len(mo), 1)
        d_me = _onehot([[p.department] if p.department else [] for p in me], dv)
        d_mo = _onehot([[p.department] if p.department else [] for p in mo], dv)
        crit.append(_Criterion("department", w.department, np.hstack([known_me, -d_me]),
                               np.hstack([known_mo, d_mo])))
        if self.focus:
            focus_row = _mean_rows(_onehot([self.focus], topic_vocab))
            if self.objective == "inclusion":
                sources = [p.lived_experience if c else frozenset()
                           for p, c in zip(mo, consent, strict=True)]
            else:
                sources = mentor_brings
            value = _best_credit(_onehot(sources, topic_vocab), rel) @ focus_row[0]
        else:
            value = np.zeros(len(mo))
        crit.append(_Criterion("objective", w.objective, np.ones((len(me), 1)),
                               value.reshape(len(mo), 1)))
        # Features go on a dyadic grid (2**-g) small enough that every product sum
        # is exact in float32: a block of scores is then the same number whatever
        # the BLAS kernel, block shape or summation order (needed for exact pricing
        # and verification across passes), and float32 halves the scoring cost.
        # (Per criterion, in place: the full-width float64 copies cost more than
        # the arithmetic at tens of thousands of people.)
        row_abs = np.zeros(len(me))
        b_abs = 0.0
        for c in crit:
            row_abs += np.abs(c.weight * c.mentee).sum(axis=1)
            b_abs = max(b_abs, float(np.abs(c.mentor).max(initial=0)))
        bound = float(row_abs.max(initial=0)) * b_abs
        g = max(1, min(12, int(np.floor((23 - np.log2(max(bound, 1.0))) / 2))))
        self.grid = 2.0**-g
        for c in crit:
            c.mentee_q = _on_grid(c.weight * c.mentee, self.grid)
            c.mentor_q = _on_grid(c.mentor.copy(), self.grid)
        self._criteria = crit
        self._a = _stack32([c.mentee_q for c in crit], len(me))
        self._b = _stack32([c.mentor_q for c in crit], len(mo))
        # Bound on |score| from the quantised features (picks the engine's grid).
        self.score_bound = (float(np.abs(self._a).sum(axis=1).max(initial=0))
                            * float(np.abs(self._b).max(initial=0)))
        # Level rule as penalty features: a mentee's level (one-hot) meets -big on
        # every mentor too senior for it.  big dwarfs any score, so a forbidden
        # cell lands far below forbid_below; an allowed cell adds exact zeros.
        big = 2.0 ** (int(np.ceil(np.log2(max(bound, 1.0)))) + 4)
        self.forbid_below = -big / 2
        me_level = np.array([p.level for p in me], dtype=np.int64)
        mo_level = np.array([p.level for p in mo], dtype=np.int64)
        levels = np.unique(me_level)
        pen_me = (me_level[:, None] == levels[None, :]).astype(np.float32)
        gap = self.constraints.min_level_gap
        pen_mo = np.where(mo_level[:, None] > levels[None, :] - gap, -big, 0.0)
        self._ap = _stack32([self._a, pen_me], len(me))
        self._bp = _stack32([self._b, pen_mo], len(mo))

    def components(self, mentees: np.ndarray, mentors: np.ndarray) -> dict[str, np.ndarray]:
        """Raw value (in [0, 1], before weighting) of each criterion for given pairs."""
        i = np.asarray(mentees, dtype=np.int64)
        j = np.asarray(mentors, dtype=np.int64)
        return {c.name: np.einsum("pk,pk->p", c.mentee[i], c.mentor[j]) for c in self._criteria}

    def points(self, mentees: np.ndarray, mentors: np.ndarray) -> dict[str, np.ndarray]:
        """Weighted contribution of each criterion; they add up exactly to the score."""
        i = np.asarray(mentees, dtype=np.int64)
        j = np.asarray(mentors, dtype=np.int64)
        return {c.name: np.einsum("pk,pk->p", c.mentee_q[i], c.mentor_q[j])
                for c in self._criteria}

    def criterion_weights(self) -> dict[str, float]:
        return {c.name: c.weight for c in self._criteria}

    # -- hard constraints
    def _build_rules(self) -> None:
        me, mo, con = self.mentees, self.mentors, self.constraints
        self._mentee_level = np.array([p.level for p in me], dtype=np.int64)
        self._mentor_level = np.array([p.level for p in mo], dtype=np.int64)
        people: list[MenteeProfile | MentorProfile] = [*me, *mo]
        teams = _vocab([[p.team] for p in people if p.team])
        self._mentee_team = np.array([teams.get(p.team, -1) if p.team else -1 for p in me])
        self._mentor_team = np.array([teams.get(p.team, -2) if p.team else -2 for p in mo])
        # Sparse forbidden pairs, with the rule that forbids them.
        pairs: dict[tuple[int, int], str] = {}
        mi, mj = self.mentee_index, self.mentor_index

        def forbid(i: int | None, j: int | None, rule: str) -> None:
            if i is not None and j is not None:
                pairs.setdefault((i, j), rule)

        for i, p in enumerate(me):
            forbid(i, mj.get(p.id), "same_person")
            for a in p.manager_chain:
                forbid(i, mj.get(a), "reporting_line")
            if con.exclude_work_together:
                for other in p.works_with:
                    forbid(i, mj.get(other), "work_together")
            if con.exclude_previous_partners:
                for other in p.previous_partners:
                    forbid(i, mj.get(other), "previous_partner")
        for j, q in enumerate(mo):
            for a in q.manager_chain:
                forbid(mi.get(a), j, "reporting_line")
            if con.exclude_work_together:
                for other in q.works_with:
                    forbid(mi.get(other), j, "work_together")
            if con.exclude_previous_partners:
                for other in q.previous_partners:
                    forbid(mi.get(other), j, "previous_partner")
        for a, b in con.exclusions:
            forbid(mi.get(a), mj.get(b), "manager_exclusion")
        keys = sorted(pairs)
        self._forbidden_rule = {k: pairs[k] for k in keys}
        self._f_rows = np.array([k[0] for k in keys], dtype=np.int64)
        self._f_cols = np.array([k[1] for k in keys], dtype=np.int64)
        self._blocked = np.zeros(len(me), dtype=bool)
        self._blocked[list(self.blocked_mentees)] = True
        # For block_masked: the sparse rules plus same-team pairs, sorted by row.
        mr, mc = [self._f_rows], [self._f_cols]
        if con.exclude_same_team:
            te, tm = self._mentee_team, self._mentor_team
            oe, om = np.argsort(te, kind="stable"), np.argsort(tm, kind="stable")
            se, sm = te[oe], tm[om]
            for t in np.intersect1d(se[se >= 0], sm[sm >= 0]):
                ge = oe[np.searchsorted(se, t):np.searchsorted(se, t, side="right")]
                go = om[np.searchsorted(sm, t):np.searchsorted(sm, t, side="right")]
                mr.append(np.repeat(ge, len(go)))
                mc.append(np.tile(go, len(ge)))
        r_all = np.concatenate(mr).astype(np.int64)
        c_all = np.concatenate(mc).astype(np.int64)
        order = np.lexsort((c_all, r_all))
        self._m_rows, self._m_cols = r_all[order], c_all[order]

    def _allowed(self, rows: np.ndarray) -> np.ndarray:
        con = self.constraints
        ok = self._mentor_level[None, :] <= self._mentee_level[rows][:, None] - con.min_level_gap
        if con.exclude_same_team:
            ok &= self._mentee_team[rows][:, None] != self._mentor_team[None, :]
        ok[self._blocked[rows]] = False
        if len(self._f_rows) and len(rows):
            lo = np.searchsorted(self._f_rows, rows[0])
            hi = np.searchsorted(self._f_rows, rows[-1], side="right")
            fr, fc = self._f_rows[lo:hi], self._f_cols[lo:hi]
            loc = np.searchsorted(rows, fr)
            loc = np.minimum(loc, len(rows) - 1)
            hit = rows[loc] == fr
            ok[loc[hit], fc[hit]] = False
        return ok

    def rules_failed(self, i: int, j: int) -> list[str]:
        """Names of the hard rules that forbid the pair (empty if allowed)."""
        con = self.constraints
        out = []
        if self.mentors[j].level > self.mentees[i].level - con.min_level_gap:
            out.append("level_gap")
        if con.exclude_same_team and self._mentee_team[i] == self._mentor_team[j]:
            out.append("same_team")
        rule = self._forbidden_rule.get((i, j))
        if rule:
            out.append(rule)
        if self._blocked[i]:
            out.append("pinned")
        return out

    def rules_checked(self) -> list[str]:
        """The hard rules every allowed pair has passed."""
        con = self.constraints
        out = [f"mentor at least {con.min_level_gap} level(s) below the mentee",
               "neither is in the other's reporting line"]
        if con.exclude_same_team:
            out.append("not in the same team")
        if con.exclude_work_together:
            out.append("no declared regular working together")
        if con.exclude_previous_partners:
            out.append("not previous partners")
        if con.exclusions:
            out.append("not excluded by the programme manager")
        out.append("mentor has a free place (capacity and concurrent-pairings cap)")
        return out

    def with_blocked(self, blocked: Iterable[int]) -> ProfileScorer:
        return replace(self, blocked_mentees=frozenset(blocked))


def _check_ids(people: Sequence[MenteeProfile] | Sequence[MentorProfile], role: str) -> None:
    seen: set[str] = set()
    for p in people:
        if p.id in seen:
            raise ValueError(f"duplicate {role} id {p.id!r}")
        seen.add(p.id)

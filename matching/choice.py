"""Participant choice: shortlists, and everyone's ranked choices resolved together, exactly.

Pure Python + numpy, like the rest of ``matching``; no Django.

``shortlist`` gives each chooser their best allowed partners by score.  ``resolve_choices``
takes the score matrix, the allowed mask, the mentor capacities and the rankings of either
side (or both) and returns the best assignment for this objective, **lexicographic**:

1. the most matched mentees (exactly as ``solve_assignment``: nobody is stranded to honour a
   choice, and an allowed pair nobody ranked is still used when it places someone);
2. then the most *satisfied choices*: each pair counts 1 for the mentee if the mentee ranked
   that mentor, and 1 for the mentor if the mentor ranked that mentee;
3. then the most *rank points*: a choice ranked ``r`` earns ``R + 1 - r`` points, where ``R`` is
   the longest ranking given (so with rankings of 3: 1st = 3, 2nd = 2, 3rd = 1; unranked = 0),
   summed over both sides of every pair;
4. then the highest total compatibility score, compared on a grid of ``score_resolution``
   (the score range divided by a power of two, at most 2**20; see ``ChoiceResult``).

Level 2 before level 3 means two people each getting their 3rd choice beat one person getting
their 1st and another getting none of theirs.

How: the four levels are folded into one integer matrix, ``objective = w * M + q`` with
``w = S * satisfied + points`` and ``q`` the score on its grid, where ``S`` exceeds the most
rank points any matching can collect and ``M`` exceeds the most ``q`` any matching can collect
(both bounded row by row).  So one more satisfied choice outweighs any rank points, one more
rank point outweighs any score, and ``solve_assignment`` (most matched first, then the highest
total) solves exactly this objective.  Every entry is an integer small enough for the engine's
exact grid, so its certificate proves the result optimal for ``objective``:
``ChoiceResult.verify()`` runs ``verify`` on it with a tolerance below one grid unit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from matching.engine import Assignment, solve_assignment, verify

__all__ = ["ChoiceResult", "SideSummary", "resolve_choices", "shortlist"]

# Finest grid for the compatibility score (level 4): 2**20 steps over the score range.
MAX_SCORE_STEPS = 2**20

Rankings = Sequence[Sequence[int]] | Mapping[int, Sequence[int]] | None


@dataclass(frozen=True)
class SideSummary:
    """How one side's choosers fared. A chooser is someone who ranked at least one partner."""

    choosers: int
    first: int  # got their 1st choice
    top3: int  # got one of their first three choices
    any: int  # got one of their choices
    none: int  # got none of their choices (another partner, or nobody)
    unmatched: int  # of the choosers, left without a partner


@dataclass(frozen=True, eq=False)
class ChoiceResult:
    """The resolved choices.

    ``assignment`` is the engine's certified result on ``objective`` (its ``total`` is in
    objective units, not scores).  Per pair of ``assignment.pairs``: ``mentee_rank`` is the
    rank the mentee gave that mentor and ``mentor_rank`` the rank the mentor gave that mentee
    (1 = first choice), None when unranked.  ``score_total`` is the pairs' total of the
    original scores; ``score_resolution`` the grid step on which scores broke ties (0 when
    every allowed pair has the same score).
    """

    assignment: Assignment
    objective: np.ndarray
    allowed: np.ndarray
    capacity: np.ndarray
    mentee_rank: tuple[int | None, ...]
    mentor_rank: tuple[int | None, ...]
    satisfied: int
    rank_points: int
    score_total: float
    score_resolution: float
    mentees: SideSummary
    mentors: SideSummary

    @property
    def pairs(self) -> tuple[tuple[int, int], ...]:
        return self.assignment.pairs

    def verify(self) -> bool:
        """The engine's independent check, with a tolerance below one objective unit."""
        n = self.assignment.n_mentees
        biggest = float(np.abs(self.objective).max(initial=0.0))
        rtol = 1.0 / (4.0 * (n + 1) * max(1.0, biggest))
        return verify(self.assignment, self.objective, allowed=self.allowed,
                      capacity=self.capacity, rtol=rtol)


# --------------------------------------------------------------------------- validation


def _check_inputs(scores: object, allowed: object, capacity: object
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    s = np.asarray(scores)
    if s.dtype == object or s.dtype.kind not in "iuf":
        raise ValueError(f"scores must be a numeric (int or float) array, got dtype {s.dtype}")
    if s.ndim != 2:
        raise ValueError(f"scores must be 2-dimensional (mentees x mentors), got ndim={s.ndim}")
    s = s.astype(np.float64)
    if not np.isfinite(s).all():
        raise ValueError("scores contain NaN or infinite values; use `allowed` to forbid pairs")
    n, m = s.shape
    if allowed is None:
        a = np.ones((n, m), dtype=bool)
    else:
        a = np.asarray(allowed)
        if a.dtype != np.bool_:
            raise ValueError(f"allowed must be a bool array, got dtype {a.dtype}")
        if a.shape != s.shape:
            raise ValueError(f"allowed has shape {a.shape}, expected {s.shape} (same as scores)")
        a = a.copy()
    if capacity is None:
        cap = np.ones(m, dtype=np.int64)
    else:
        cap = np.asarray(capacity)
        if cap.dtype == object or cap.dtype.kind not in "iu":
            raise ValueError(f"capacity must be an integer array, got dtype {cap.dtype}")
        if cap.ndim != 1 or cap.shape[0] != m:
            raise ValueError(f"capacity must have shape ({m},), got {cap.shape}")
        if (cap < 0).any():
            raise ValueError("capacity must not be negative")
        cap = cap.astype(np.int64)
    return s, a, cap


def _check_rankings(ranks: Rankings, owners: int, others: int, *, side: str,
                    allowed_of: np.ndarray) -> list[list[int]]:
    """Rankings as one list per person, best first; checked against the allowed mask.

    ``allowed_of[owner, other]`` tells whether the pair may be made."""
    other_side = "mentor" if side == "mentee" else "mentee"
    out: list[list[int]] = [[] for _ in range(owners)]
    if ranks is None:
        return out
    if isinstance(ranks, Mapping):
        items = list(ranks.items())
    elif isinstance(ranks, str | bytes) or not isinstance(ranks, Sequence | np.ndarray):
        raise ValueError(f"{side}_ranks must be a sequence of rankings or a mapping")
    else:
        if len(ranks) != owners:
            raise ValueError(f"{side}_ranks has {len(ranks)} rankings, expected {owners} "
                             f"(one per {side}, empty when they did not choose)")
        items = list(enumerate(ranks))
    for owner, ranking in items:
        if not _is_index(owner) or not 0 <= int(owner) < owners:
            raise ValueError(f"{side}_ranks names unknown {side} {owner!r}")
        if isinstance(ranking, str | bytes) or not isinstance(ranking, Sequence | np.ndarray):
            raise ValueError(f"the ranking of {side} {owner} must be a sequence of indices")
        seen: set[int] = set()
        for other in ranking:
            if not _is_index(other) or not 0 <= int(other) < others:
                raise ValueError(f"{side} {owner} ranks unknown {other_side} {other!r}")
            other = int(other)
            if other in seen:
                raise ValueError(f"{side} {owner} ranks {other_side} {other} more than once")
            if not allowed_of[int(owner), other]:
                raise ValueError(f"{side} {owner} ranks {other_side} {other}, a pair `allowed` "
                                 "forbids; leave forbidden pairs out of the rankings")
            seen.add(other)
        out[int(owner)] = [int(x) for x in ranking]
    return out


def _is_index(x: object) -> bool:
    return isinstance(x, int | np.integer) and not isinstance(x, bool | np.bool_)


# --------------------------------------------------------------------------- shortlists


def shortlist(scores: np.ndarray, *, allowed: np.ndarray | None = None,
              capacity: np.ndarray | None = None, k: int = 5, side: str = "mentee"
              ) -> tuple[tuple[int, ...], ...]:
    """Each chooser's ``k`` best partners by score, best first.

    ``side="mentee"``: one tuple per mentee, of mentor indices; ``side="mentor"``: one tuple
    per mentor, of mentee indices.  Only allowed pairs with a mentor who has a place
    (capacity > 0) are offered; a mentor without a place gets an empty shortlist.  Equal
    scores are listed in index order, so the same input always gives the same lists.
    """
    s, a, cap = _check_inputs(scores, allowed, capacity)
    if side not in ("mentee", "mentor"):
        raise ValueError(f"side must be 'mentee' or 'mentor', got {side!r}")
    if not _is_index(k) or k < 1:
        raise ValueError(f"k must be a whole number of at least 1, got {k!r}")
    usable = a & (cap > 0)[None, :]
    if side == "mentor":
        s, usable = s.T, usable.T
    out = []
    for row, ok in zip(s, usable, strict=True):
        idx = np.flatnonzero(ok)
        order = np.lexsort((idx, -row[idx]))  # highest score first, then lowest index
        out.append(tuple(int(x) for x in idx[order][:k]))
    return tuple(out)


# --------------------------------------------------------------------------- resolution


def _engine_limit(n: int, m: int) -> float:
    # Half the engine's own exact-grid limit (min(2**40, 2**52 / (nodes + 2)), see
    # docs/matching.md), so the engine maps every objective value onto its grid unchanged.
    return min(2.0**39, 2.0**51 / (n + m + 2))


def resolve_choices(scores: np.ndarray, *, allowed: np.ndarray | None = None,
                    capacity: np.ndarray | None = None, mentee_ranks: Rankings = None,
                    mentor_ranks: Rankings = None) -> ChoiceResult:
    """Resolve everyone's choices together (objective in the module docstring).

    ``scores`` (n_mentees, n_mentors), ``allowed`` and ``capacity`` as in ``solve_assignment``.
    ``mentee_ranks``: for each mentee, mentor indices best first (empty or missing = did not
    choose); a sequence of length n_mentees or a mapping {mentee: ranking}.  ``mentor_ranks``
    likewise for each mentor, of mentee indices.  Ranked pairs must be allowed.  Raises
    ValueError on malformed input.  Deterministic.
    """
    s, a, cap = _check_inputs(scores, allowed, capacity)
    n, m = s.shape
    by_mentee = _check_rankings(mentee_ranks, n, m, side="mentee", allowed_of=a)
    by_mentor = _check_rankings(mentor_ranks, m, n, side="mentor", allowed_of=a.T)

    longest = max((len(r) for r in (*by_mentee, *by_mentor)), default=0)
    mentee_rank = np.zeros((n, m), dtype=np.int64)  # 0 = not ranked
    mentor_rank = np.zeros((n, m), dtype=np.int64)
    for i, ranking in enumerate(by_mentee):
        for r, j in enumerate(ranking, start=1):
            mentee_rank[i, j] = r
    for j, ranking in enumerate(by_mentor):
        for r, i in enumerate(ranking, start=1):
            mentor_rank[i, j] = r

    def points_of(rank: np.ndarray) -> np.ndarray:
        return np.where(rank > 0, longest + 1 - rank, 0)

    satisfied = (mentee_rank > 0).astype(np.int64) + (mentor_rank > 0)
    points = points_of(mentee_rank) + points_of(mentor_rank)
    # Each mentee is in one pair at most, so the best entry of each row bounds any matching.
    points_bound = int(np.where(a, points, 0).max(axis=1, initial=0).sum())
    w = satisfied * (points_bound + 1) + points
    w = np.where(a, w, 0)

    rows_in_play = int(a.any(axis=1).sum())
    limit = _engine_limit(n, m)
    w_max = int(w.max(initial=0))
    room = (limit - w_max) / (w_max * rows_in_play + 1)
    if room < 1:
        raise ValueError(f"too many people and choices to resolve exactly ({n} mentees, "
                         f"{m} mentors, rankings up to {longest} long)")
    steps = int(min(MAX_SCORE_STEPS, 2 ** math.floor(math.log2(room))))
    if a.any():
        lo, hi = float(s[a].min()), float(s[a].max())
    else:
        lo = hi = 0.0
    spread = hi - lo
    if spread > 0:
        q = np.rint((s - lo) / spread * steps).astype(np.int64)
        resolution = spread / steps
    else:
        q = np.zeros((n, m), dtype=np.int64)
        resolution = 0.0
    q = np.where(a, q, 0)
    big = int(q.max(axis=1, initial=0).sum()) + 1
    objective = np.where(a, w * big + q, 0).astype(np.float64)

    assignment = solve_assignment(objective, allowed=a, capacity=cap)
    pairs = assignment.pairs
    pi = np.array([p[0] for p in pairs], dtype=np.int64)
    pj = np.array([p[1] for p in pairs], dtype=np.int64)
    mentee_got = tuple(int(r) or None for r in mentee_rank[pi, pj])
    mentor_got = tuple(int(r) or None for r in mentor_rank[pi, pj])

    mentee_best: dict[int, int | None] = {}
    mentor_best: dict[int, int | None] = {}
    for (i, j), r_e, r_o in zip(pairs, mentee_got, mentor_got, strict=True):
        mentee_best[i] = r_e
        if j not in mentor_best or _better(r_o, mentor_best[j]):
            mentor_best[j] = r_o
    return ChoiceResult(
        assignment=assignment,
        objective=objective,
        allowed=a,
        capacity=cap,
        mentee_rank=mentee_got,
        mentor_rank=mentor_got,
        satisfied=int(satisfied[pi, pj].sum()),
        rank_points=int(points[pi, pj].sum()),
        score_total=math.fsum(s[pi, pj].tolist()),
        score_resolution=resolution,
        mentees=_summary(by_mentee, mentee_best),
        mentors=_summary(by_mentor, mentor_best),
    )


def _better(rank: int | None, than: int | None) -> bool:
    if rank is None:
        return False
    return than is None or rank < than


def _summary(rankings: list[list[int]], best: Mapping[int, int | None]) -> SideSummary:
    choosers = [k for k, r in enumerate(rankings) if r]
    got = [best.get(k) for k in choosers]
    return SideSummary(
        choosers=len(choosers),
        first=sum(1 for r in got if r == 1),
        top3=sum(1 for r in got if r is not None and r <= 3),
        any=sum(1 for r in got if r is not None),
        none=sum(1 for r in got if r is None),
        unmatched=sum(1 for k in choosers if k not in best),
    )

"""One call from profiles to explained, certified pairs: ``match_profiles``."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from matching.engine import (
    _ALL_PAIRS_LIMIT,
    Assignment,
    _solve_scorer,
    solve_fair,
    verify,
)
from matching.explain import (
    PairExplanation,
    UnmatchedExplanation,
    explain_given_pairs,
    explain_pairs,
    explain_unmatched,
)
from matching.report import MIN_GROUP_SIZE, RunReport, run_report
from matching.scoring import (
    Constraints,
    MenteeProfile,
    MentorProfile,
    ProfileScorer,
    Weights,
    default_weights,
)

__all__ = ["FAIR_CELLS_LIMIT", "MatchResult", "WhatIf", "match_profiles", "score_pairs", "warm_up"]

# Fair mode works on the dense matrix; it is meant for programme-sized cohorts.
FAIR_CELLS_LIMIT = 25_000_000


@dataclass(frozen=True, eq=False)
class MatchResult:
    """Pairs by id with explanations.  ``assignment`` is the certified engine result
    for the mentees that were not pinned (pinned mentees appear there as unmatched
    and their mentors' capacity is reduced); ``pinned`` holds the fixed pairs."""

    pairs: tuple[tuple[str, str], ...]  # (mentee_id, mentor_id), pins included, sorted
    explanations: tuple[PairExplanation, ...]
    unmatched: tuple[UnmatchedExplanation, ...]
    report: RunReport | None
    assignment: Assignment
    pinned: tuple[tuple[int, int], ...]
    scorer: ProfileScorer
    capacity: np.ndarray  # effective capacity used by the solve (after pins)
    timings: dict[str, float] = field(default_factory=dict)

    def verify(self) -> bool:
        """Re-check feasibility and optimality over every allowed pair."""
        return verify(self.assignment, self.scorer, capacity=self.capacity)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the run.  Building features
    allocates hundreds of thousands of small objects, and each allocation burst
    triggers full collections that re-walk every profile object (about a third
    of the feature time at 20k per side).  Nothing the run builds is cyclic
    garbage; reference counting frees it as usual.  The previous state is
    restored on the way out, errors included."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def match_profiles(
    mentees: Sequence[MenteeProfile],
    mentors: Sequence[MentorProfile],
    *,
    objective: str = "custom",
    weights: Weights | None = None,
    constraints: Constraints | None = None,
    focus: Iterable[str] = (),
    topic_relations: Mapping[str, Iterable[str]] | None = None,
    fair: bool = False,
    explain: bool = True,
    report: bool = True,
    min_group_size: int = MIN_GROUP_SIZE,
    progress: Callable[[str], None] | None = None,
) -> MatchResult:
    """Score, constrain, solve (exact), explain and report.

    `progress`, when given, is called with the stage about to start: "scoring", "solving",
    "explaining", so a caller can show how far a long run has come.

    Pins are validated (known ids, each mentee once, hard rules passed, mentor
    capacity), fixed first, and the rest is solved with the remaining capacity.
    Raises ValueError with a plain message on bad input.
    """
    with _no_cycle_collection():
        return _match_profiles(mentees, mentors, objective=objective, weights=weights,
                               constraints=constraints, focus=focus,
                               topic_relations=topic_relations, fair=fair, explain=explain,
                               report=report, min_group_size=min_group_size,
                               progress=progress or _no_progress)


def _no_progress(stage: str) -> None:
    return None


def _match_profiles(
    mentees: Sequence[MenteeProfile],
    mentors: Sequence[MentorProfile],
    *,
    objective: str,
    weights: Weights | None,
    constraints: Constraints | None,
    focus: Iterable[str],
    topic_relations: Mapping[str, Iterable[str]] | None,
    fair: bool,
    explain: bool,
    report: bool,
    min_group_size: int,
    progress: Callable[[str], None],
) -> MatchResult:
    timings: dict[str, float] = {}
    progress("scoring")
    t0 = time.perf_counter()
    constraints = constraints or Constraints()
    weights = weights or default_weights(objective)
    scorer = _scorer(mentees, mentors, objective=objective, weights=weights,
                     constraints=constraints, focus=focus, topic_relations=topic_relations)
    pinned = _resolve_pins(scorer)
    cap = scorer.capacity.copy()
    for _, j in pinned:
        cap[j] -= 1
    if pinned:
        scorer = scorer.with_blocked(i for i, _ in pinned)
    timings["features_s"] = time.perf_counter() - t0
    n, m = scorer.shape

    progress("solving")
    t1 = time.perf_counter()
    if fair:
        if n * m > FAIR_CELLS_LIMIT:
            raise ValueError(f"fair mode supports up to {FAIR_CELLS_LIMIT} pairs; "
                             f"this cohort has {n * m}")
        rows = np.arange(n)
        s, a = scorer.block(rows)
        assignment = solve_fair(s, allowed=a, capacity=cap)
    else:
        assignment = _solve_scorer(scorer, cap, k=8, block_rows=None,
                                   all_pairs=n * m <= _ALL_PAIRS_LIMIT)
    timings["solve_total_s"] = time.perf_counter() - t1
    timings.update({f"engine_{k}": v for k, v in assignment.stats.items()})

    progress("explaining")
    t2 = time.perf_counter()
    explanations: tuple[PairExplanation, ...] = ()
    unmatched: tuple[UnmatchedExplanation, ...] = ()
    if explain:
        explanations = explain_pairs(assignment, scorer, pinned=tuple(pinned))
        pinned_rows = {i for i, _ in pinned}
        still = Assignment(assignment.pairs, assignment.total,
                           tuple(i for i in assignment.unmatched if i not in pinned_rows),
                           assignment.certificate, n, m)
        unmatched = explain_unmatched(still, scorer, cap)
    timings["explanations_s"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    rep = None
    if report:
        all_pairs = Assignment(tuple(sorted((*assignment.pairs, *pinned))), assignment.total,
                               tuple(i for i in assignment.unmatched
                                     if i not in {p for p, _ in pinned}),
                               assignment.certificate, n, m)
        if pinned:
            all_pairs = _with_pin_scores(all_pairs, scorer, pinned)
        # Explanation points add up exactly to each score (grid features), so the
        # report needs no extra scoring pass for the pair scores.
        known = ([e.score for e in explanations]
                 if len(explanations) == len(all_pairs.pairs) else None)
        rep = run_report(
            all_pairs, scorer.with_blocked(()) if pinned else scorer, capacity=scorer.capacity,
            pair_scores=known,
            pair_ranks=assignment.ranks if not pinned else None,
            mentee_groups=[p.group if p.group_consent else None for p in scorer.mentees],
            mentor_groups=[p.group if p.group_consent else None for p in scorer.mentors],
            min_group_size=min_group_size,
        )
    timings["report_s"] = time.perf_counter() - t3

    ids = tuple(sorted(
        (scorer.mentees[i].id, scorer.mentors[j].id) for i, j in (*assignment.pairs, *pinned)
    ))
    return MatchResult(pairs=ids, explanations=explanations, unmatched=unmatched, report=rep,
                       assignment=assignment, pinned=tuple(sorted(pinned)), scorer=scorer,
                       capacity=cap, timings=timings)


def _scorer(mentees: Sequence[MenteeProfile], mentors: Sequence[MentorProfile], *,
            objective: str, weights: Weights, constraints: Constraints, focus: Iterable[str],
            topic_relations: Mapping[str, Iterable[str]] | None) -> ProfileScorer:
    """The one way a run scores profiles (``match_profiles`` and ``score_pairs`` share it:
    the features, and so every score, depend on the whole cohort)."""
    return ProfileScorer(list(mentees), list(mentors), weights=weights,
                         constraints=constraints, objective=objective,
                         focus=frozenset(focus), topic_relations=topic_relations)


@dataclass(frozen=True)
class WhatIf:
    """A pair the caller asked about: its explanation (score and points per criterion, as a
    run would give it) and the hard rules it breaks (empty when it is allowed)."""

    mentee: str
    mentor: str
    explanation: PairExplanation
    rules_failed: tuple[str, ...]


def score_pairs(
    mentees: Sequence[MenteeProfile],
    mentors: Sequence[MentorProfile],
    pairs: Sequence[tuple[str, str]],
    *,
    objective: str = "custom",
    weights: Weights | None = None,
    constraints: Constraints | None = None,
    focus: Iterable[str] = (),
    topic_relations: Mapping[str, Iterable[str]] | None = None,
) -> tuple[WhatIf, ...]:
    """Score named pairs (mentee id, mentor id) of a cohort without solving: what a swap would
    give. Same scorer as ``match_profiles`` on the same cohort, so a run that later makes one
    of these pairs gives it exactly this score. Raises ValueError for an unknown id."""
    scorer = _scorer(mentees, mentors, objective=objective,
                     weights=weights or default_weights(objective),
                     constraints=constraints or Constraints(), focus=focus,
                     topic_relations=topic_relations)
    index: list[tuple[int, int]] = []
    for mentee_id, mentor_id in pairs:
        if mentee_id not in scorer.mentee_index:
            raise ValueError(f"unknown mentee {mentee_id!r}")
        if mentor_id not in scorer.mentor_index:
            raise ValueError(f"unknown mentor {mentor_id!r}")
        index.append((scorer.mentee_index[mentee_id], scorer.mentor_index[mentor_id]))
    explained = explain_given_pairs(scorer, index)
    return tuple(
        WhatIf(mentee_id, mentor_id, e, tuple(scorer.rules_failed(i, j)))
        for (mentee_id, mentor_id), (i, j), e in zip(pairs, index, explained, strict=True)
    )


def _with_pin_scores(a: Assignment, scorer: ProfileScorer,
                     pinned: list[tuple[int, int]]) -> Assignment:
    base = scorer.with_blocked(())
    extra = 0.0
    for i, j in pinned:
        s, _ = base.block(np.array([i]))
        extra += float(s[0, j])
    return Assignment(a.pairs, a.total + extra, a.unmatched, a.certificate, a.n_mentees,
                      a.n_mentors)


def _resolve_pins(scorer: ProfileScorer) -> list[tuple[int, int]]:
    pins = sorted(scorer.constraints.pins)
    out: list[tuple[int, int]] = []
    seen: set[int] = set()
    left = scorer.capacity.copy()
    for mentee_id, mentor_id in pins:
        if mentee_id not in scorer.mentee_index:
            raise ValueError(f"pin names unknown mentee {mentee_id!r}")
        if mentor_id not in scorer.mentor_index:
            raise ValueError(f"pin names unknown mentor {mentor_id!r}")
        i, j = scorer.mentee_index[mentee_id], scorer.mentor_index[mentor_id]
        if i in seen:
            raise ValueError(f"mentee {mentee_id!r} is pinned more than once")
        failed = scorer.rules_failed(i, j)
        if failed:
            raise ValueError(f"pin ({mentee_id!r}, {mentor_id!r}) breaks hard rule(s): "
                             + ", ".join(failed))
        if left[j] <= 0:
            raise ValueError(f"pin ({mentee_id!r}, {mentor_id!r}) exceeds the mentor's "
                             "free places")
        left[j] -= 1
        seen.add(i)
        out.append((i, j))
    return out


def warm_up() -> float:
    """Load (or, the first time on a machine, compile) the numba kernels that
    large cohorts use, by solving two tiny problems through the fast path (one
    from profiles, float32 scores; one dense, float64).  Returns the seconds
    taken.  Optional: the first large solve in a process does it anyway; a
    long-running worker may call it at start so that no user waits for it."""
    from matching import engine

    t = time.perf_counter()
    if not engine._numba_available():
        return 0.0
    saved = (engine._FAST_CELLS, engine._FAST_POOL_K, engine._FLOOR_SAMPLE)
    engine._FAST_CELLS, engine._FAST_POOL_K, engine._FLOOR_SAMPLE = 0, 2, 3
    try:
        topics = ("a", "b", "c", "d")
        mentees = [MenteeProfile(id=f"e{i}", level=5, wants=frozenset(topics[i % 4:i % 4 + 2]))
                   for i in range(12)]
        mentors = [MentorProfile(id=f"m{j}", level=2, offers=frozenset(topics[j % 3:j % 3 + 1]))
                   for j in range(12)]
        scorer = ProfileScorer(mentees, mentors)
        prof = _solve_scorer(scorer, scorer.capacity.copy(), k=1, block_rows=4,
                             all_pairs=False, pool=2)
        rng = np.random.default_rng(0)
        scores = rng.random((12, 12))
        dense = _solve_scorer(engine.DenseScorer(scores), np.ones(12, dtype=np.int64), k=1,
                              block_rows=4, all_pairs=False, pool=2)
        if not (prof.stats.get("fast_passes") and dense.stats.get("fast_passes")
                and verify(prof, scorer) and verify(dense, scores)):
            raise RuntimeError("warm-up solve did not verify (internal error)")
    finally:
        engine._FAST_CELLS, engine._FAST_POOL_K, engine._FLOOR_SAMPLE = saved
    return time.perf_counter() - t

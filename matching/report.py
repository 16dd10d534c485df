"""Run report: how good and how fair a matching is, with small groups suppressed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matching.engine import Assignment, BlockScorer, DenseScorer, _row_blocks

__all__ = ["MIN_GROUP_SIZE", "GroupParity", "RunReport", "gini", "run_report"]

# The engine's default when a caller names none; Upward passes its own setting,
# UPWARD_SPECIAL_CATEGORY_MIN_GROUP_SIZE (group labels are lived experience).
MIN_GROUP_SIZE = 10


@dataclass(frozen=True)
class GroupParity:
    side: str  # "mentee" or "mentor"
    group: str
    people: int  # consenting people of this group in the cohort
    matched: int  # of whom matched (mentors: with at least one pair)
    mean_score: float  # mean score of their pairs


@dataclass(frozen=True)
class RunReport:
    n_mentees: int
    n_mentors: int
    matched: int
    unmatched: int
    total: float
    min_score: float | None
    p10_score: float | None  # 10th percentile, linear interpolation
    median_score: float | None
    gini: float | None  # of pair scores; None if any score is negative
    mean_mentee_rank: float | None  # 1 = the mentee got their top-scored eligible mentor
    mean_mentor_rank: float | None  # per pair: rank of the mentee in the mentor's list
    mentor_load: dict[int, int]  # pairs per mentor -> number of mentors (capacity > 0)
    parity: tuple[GroupParity, ...]
    suppressed_groups: int  # groups left out for having fewer than MIN_GROUP_SIZE people


def gini(values: Sequence[float] | np.ndarray) -> float | None:
    """Gini coefficient: mean absolute difference over twice the mean."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    if len(x) == 0 or (x < 0).any():
        return None
    total = x.sum()
    if total == 0:
        return 0.0
    n = len(x)
    # sum_{i,j} |x_i - x_j| = 2 * sum_i (2i - n - 1) x_(i), i = 1..n
    ranks = np.arange(1, n + 1)
    return float(2 * ((2 * ranks - n - 1) * x).sum() / (2 * n * n * x.mean()))


def run_report(assignment: Assignment, scores: np.ndarray | BlockScorer, *,
               allowed: np.ndarray | None = None, capacity: np.ndarray | None = None,
               mentee_groups: Sequence[str | None] | None = None,
               mentor_groups: Sequence[str | None] | None = None,
               min_group_size: int = MIN_GROUP_SIZE,
               pair_scores: Sequence[float] | np.ndarray | None = None,
               pair_ranks: tuple[np.ndarray, np.ndarray] | None = None) -> RunReport:
    """Figures for a solved run.  Groups: one label per person, None when the
    person gave no consent (they are left out of parity).  Ranks count eligible
    partners scoring strictly higher, plus one (ties share a rank).
    ``pair_scores`` (aligned with ``assignment.pairs``), when known, saves a pass;
    ``pair_ranks`` (mentee rank, mentor rank per pair, as the engine's fast path
    computes them from its candidate pool) saves the rank pass."""
    scorer: BlockScorer = (DenseScorer(np.asarray(scores, dtype=np.float64), allowed)
                           if isinstance(scores, np.ndarray) else scores)
    n, m = scorer.shape
    cap = (np.ones(m, dtype=np.int64) if capacity is None
           else np.asarray(capacity, dtype=np.int64))
    pr = np.array(assignment.pairs, dtype=np.int64).reshape(-1, 2)
    pi, pj = pr[:, 0], pr[:, 1]
    pair_s = np.zeros(len(pr))
    mentee_rank = np.zeros(len(pr))
    mentor_rank = np.zeros(len(pr))
    # Mentor ranks: for slot k of mentor j, count rows scoring above that pair.
    by_mentor: dict[int, list[int]] = {}
    for k, j in enumerate(pj.tolist()):
        by_mentor.setdefault(j, []).append(k)
    slots = max((len(v) for v in by_mentor.values()), default=0)
    slot_pair = np.full((slots, m), -1, dtype=np.int64)
    for j, ks in by_mentor.items():
        slot_pair[: len(ks), j] = ks
    # Pass 1: pair scores.  Pass 2: ranks (needs the pair scores of every mentor).
    blocks = _row_blocks(n, m, None) if n and m else []
    if pair_scores is not None:
        pair_s = np.asarray(pair_scores, dtype=np.float64)
        if pair_s.shape != (len(pr),):
            raise ValueError("pair_scores must have one score per pair")
    else:
        for rows in blocks:
            s, _ = scorer.block(rows)
            sel = np.flatnonzero((pi >= rows[0]) & (pi <= rows[-1]))
            pair_s[sel] = s[pi[sel] - rows[0], pj[sel]]
    slot_thr = np.where(slot_pair >= 0, pair_s[np.maximum(slot_pair, 0)], np.inf)
    counts = np.zeros((slots, m), dtype=np.int64)
    elig_cols = cap > 0
    if pair_ranks is not None:
        mentee_rank = np.asarray(pair_ranks[0], dtype=np.float64)
        mentor_rank = np.asarray(pair_ranks[1], dtype=np.float64)
        if mentee_rank.shape != (len(pr),) or mentor_rank.shape != (len(pr),):
            raise ValueError("pair_ranks must have one mentee and one mentor rank per pair")
        blocks = []
        slots = 0
    for rows in blocks:
        s, a = scorer.block(rows)
        el = a & elig_cols[None, :]
        sm = np.where(el, s, -np.inf)
        sel = np.flatnonzero((pi >= rows[0]) & (pi <= rows[-1]))
        loc = pi[sel] - rows[0]
        mentee_rank[sel] = 1 + (sm[loc] > pair_s[sel][:, None]).sum(axis=1)
        for k in range(slots):
            counts[k] += (sm > slot_thr[k][None, :]).sum(axis=0)
    for k in range(slots):
        cols = np.flatnonzero(slot_pair[k] >= 0)
        mentor_rank[slot_pair[k, cols]] = 1 + counts[k, cols]

    load = np.bincount(pj, minlength=m)
    load_dist = Counter(load[cap > 0].tolist())

    parity: list[GroupParity] = []
    suppressed = 0
    for side, groups, idx in (("mentee", mentee_groups, pi), ("mentor", mentor_groups, pj)):
        if groups is None:
            continue
        labels = list(groups)
        size = Counter(g for g in labels if g is not None)
        for g in sorted(size):
            members = [k for k, lab in enumerate(labels) if lab == g]
            mask = np.isin(idx, members)
            matched_people = len(set(idx[mask].tolist()))
            if size[g] < min_group_size or matched_people < min_group_size:
                suppressed += 1
                continue
            parity.append(GroupParity(side, g, size[g], matched_people,
                                      float(pair_s[mask].mean())))

    has = len(pr) > 0
    return RunReport(
        n_mentees=n, n_mentors=m, matched=len(pr), unmatched=n - len(pr),
        total=assignment.total,
        min_score=float(pair_s.min()) if has else None,
        p10_score=float(np.percentile(pair_s, 10)) if has else None,
        median_score=float(np.median(pair_s)) if has else None,
        gini=gini(pair_s) if has else None,
        mean_mentee_rank=float(mentee_rank.mean()) if has else None,
        mean_mentor_rank=float(mentor_rank.mean()) if has else None,
        mentor_load=dict(sorted(load_dist.items())),
        parity=tuple(parity), suppressed_groups=suppressed,
    )

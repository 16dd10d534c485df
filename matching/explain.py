"""Why each pair was made, and why each unmatched mentee was left out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from matching.engine import Assignment, BlockScorer, _solve_scorer

__all__ = [
    "Contribution",
    "PairExplanation",
    "UnmatchedExplanation",
    "explain_given_pairs",
    "explain_pairs",
    "explain_unmatched",
]

# Exact "cost of forcing" re-solves the problem once per unmatched mentee; above
# these limits the dual bound (a guaranteed lower bound) is reported instead.
EXACT_CELLS_LIMIT = 250_000
EXACT_MENTEES_LIMIT = 10


@dataclass(frozen=True)
class Contribution:
    criterion: str
    value: float  # raw criterion value in [0, 1]
    weight: float
    points: float  # value * weight: what it added to the pair score


@dataclass(frozen=True)
class PairExplanation:
    mentee: int
    mentor: int
    score: float
    contributions: tuple[Contribution, ...]
    constraints_passed: tuple[str, ...]
    pinned: bool = False

    def summary(self) -> str:
        if self.pinned:
            return "pinned by the programme manager"
        top = sorted((c for c in self.contributions if c.points > 0),
                     key=lambda c: (-c.points, c.criterion))[:3]
        if not top:
            return "allowed pair; no criterion added points"
        return "; ".join(f"{c.criterion} +{c.points:.2f}" for c in top)


@dataclass(frozen=True)
class UnmatchedExplanation:
    mentee: int
    reason: str  # "no_eligible_partner" or "outcompeted"
    eligible_mentors: int
    best_mentor: int | None = None
    best_score: float | None = None
    cost_of_forcing: float | None = None  # loss in total if forced to best_mentor
    cost_is_exact: bool = False  # False: cost_of_forcing is a lower bound (from duals)
    pairs_lost: int = 0  # matched pairs lost by forcing (0 when cardinality holds)
    blocking_rules: dict[str, int] = field(default_factory=dict)

    @property
    def message(self) -> str:
        if self.reason == "no_eligible_partner":
            if self.blocking_rules:
                rules = ", ".join(f"{k} ({v})" for k, v in sorted(self.blocking_rules.items()))
                return f"no eligible mentor: every mentor is ruled out ({rules})"
            return "no eligible mentor with a free place"
        bound = "" if self.cost_is_exact else "at least "
        text = (f"{self.eligible_mentors} eligible mentor(s), all worth more elsewhere; "
                f"forcing the best one (#{self.best_mentor}, score {self.best_score:.2f}) "
                f"would lower the total by {bound}{self.cost_of_forcing:.2f}")
        if self.pairs_lost:
            text += f" and lose {self.pairs_lost} pair(s)"
        return text


def explain_pairs(assignment: Assignment, scorer: object,
                  pinned: tuple[tuple[int, int], ...] = ()) -> tuple[PairExplanation, ...]:
    """Per-criterion contributions for each pair (scorer: a ProfileScorer)."""
    pairs = list(assignment.pairs) + list(pinned)
    return tuple(sorted(_explain(pairs, scorer, set(pinned)), key=lambda e: (e.mentee, e.mentor)))


def explain_given_pairs(scorer: object,
                        pairs: Sequence[tuple[int, int]]) -> tuple[PairExplanation, ...]:
    """The same explanation for pairs the caller names (mentee index, mentor index), in the
    order given, whether or not a solve would make them: a "what if" costs no solve, and its
    points are exactly those a later run gives the same pairs from the same profiles."""
    return tuple(_explain(list(pairs), scorer, set()))


def _explain(pairs: list[tuple[int, int]], scorer: object,
             pin_set: set[tuple[int, int]]) -> list[PairExplanation]:
    if not pairs:
        return []
    pi = np.array([p[0] for p in pairs], dtype=np.int64)
    pj = np.array([p[1] for p in pairs], dtype=np.int64)
    comps = scorer.components(pi, pj)  # type: ignore[attr-defined]
    points = scorer.points(pi, pj)  # type: ignore[attr-defined]
    weights = scorer.criterion_weights()  # type: ignore[attr-defined]
    passed = tuple(scorer.rules_checked())  # type: ignore[attr-defined]
    out = []
    for k, (i, j) in enumerate(pairs):
        contributions = tuple(
            Contribution(name, float(comps[name][k]), weights[name],
                         float(points[name][k]))
            for name in comps
        )
        score = float(sum(c.points for c in contributions))
        out.append(PairExplanation(int(i), int(j), score, contributions,
                                   passed if (i, j) not in pin_set else (),
                                   pinned=(i, j) in pin_set))
    return out


class _Forced:
    """The scorer with one mentee removed (forced elsewhere)."""

    def __init__(self, base: BlockScorer, mentee: int) -> None:
        self.base = base
        self.mentee = mentee

    @property
    def shape(self) -> tuple[int, int]:
        return self.base.shape

    def block(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s, a = self.base.block(rows)
        a = a.copy()
        a[np.asarray(rows) == self.mentee] = False
        return s, a


def explain_unmatched(assignment: Assignment, scorer: BlockScorer, capacity: np.ndarray, *,
                      exact: bool | None = None) -> tuple[UnmatchedExplanation, ...]:
    """Reason for each unmatched mentee.

    ``outcompeted`` mentees get the cost of forcing them onto their best eligible
    mentor: exact (by re-solving) on small problems, otherwise the dual bound
    ``mentor_dual[j] - score[i, j]`` (a proven lower bound on the loss).
    """
    unmatched = np.array(assignment.unmatched, dtype=np.int64)
    if len(unmatched) == 0:
        return ()
    n, m = scorer.shape
    cap = np.minimum(np.asarray(capacity, dtype=np.int64), n)
    if exact is None:
        exact = n * m <= EXACT_CELLS_LIMIT and len(unmatched) <= EXACT_MENTEES_LIMIT
    scores, allowed = scorer.block(unmatched)
    eligible = allowed & (cap > 0)[None, :]
    cert = assignment.certificate
    out = []
    for r, i in enumerate(unmatched.tolist()):
        elig = np.flatnonzero(eligible[r])
        if len(elig) == 0:
            rules: Counter[str] = Counter()
            if hasattr(scorer, "rules_failed"):
                for j in range(m):
                    failed = scorer.rules_failed(i, j) or (["no_free_place"] if cap[j] == 0
                                                           else [])
                    rules.update(failed[:1])
            out.append(UnmatchedExplanation(i, "no_eligible_partner", 0,
                                            blocking_rules=dict(rules)))
            continue
        row = scores[r, elig]
        best = int(elig[np.lexsort((elig, -row))[0]])  # highest score, then lowest index
        best_score = float(scores[r, best])
        if exact:
            cap2 = cap.copy()
            cap2[best] -= 1
            sub = _solve_scorer(_Forced(scorer, i), cap2, k=8, block_rows=None, all_pairs=True)
            forced_total = sub.total + best_score
            cost = assignment.total - forced_total
            lost = assignment.matched - (sub.matched + 1)
        else:
            cost = float(cert.mentor_dual[best] + cert.mentee_dual[i] - best_score)
            lost = 0
        out.append(UnmatchedExplanation(i, "outcompeted", len(elig), best, best_score,
                                        max(cost, 0.0), bool(exact), max(lost, 0)))
    return tuple(out)

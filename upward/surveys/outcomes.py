"""Outcome arithmetic: plain functions over numbers. Suppression is `core.suppression`'s.

Everything here is checked against hand-worked figures in tests/test_outcomes.py.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from scipy import stats

from upward.core.suppression import hidden_cells

TOP_TWO = 4  # on a 1-5 scale, "agree" and "strongly agree"


@dataclass(frozen=True)
class PairedChange:
    """Change between two answers of the same people (start and end, or before and now)."""

    n: int
    improved: int
    same: int
    worsened: int
    mean_start: float
    mean_end: float
    mean_change: float
    # 95% confidence interval of the mean change (t-distribution); None when n < 2.
    ci_low: float | None
    ci_high: float | None
    top_two_start: float  # share answering 4 or 5 at the start, 0-1
    top_two_end: float

    @property
    def improved_share(self) -> float:
        return self.improved / self.n if self.n else 0.0

    @property
    def top_two_shift(self) -> float:
        return self.top_two_end - self.top_two_start


def paired_change(
    pairs: Sequence[tuple[float, float]], *, confidence: float = 0.95
) -> PairedChange:
    """`pairs` are (start, end) answers of the same person. Raises ValueError when empty."""
    if not pairs:
        raise ValueError("paired_change needs at least one pair")
    n = len(pairs)
    diffs = [end - start for start, end in pairs]
    mean = statistics.fmean(diffs)
    ci_low = ci_high = None
    if n >= 2:
        sd = statistics.stdev(diffs)
        half = stats.t.ppf((1 + confidence) / 2, n - 1) * sd / math.sqrt(n)
        ci_low, ci_high = mean - half, mean + half
    return PairedChange(
        n=n,
        improved=sum(1 for d in diffs if d > 0),
        same=sum(1 for d in diffs if d == 0),
        worsened=sum(1 for d in diffs if d < 0),
        mean_start=statistics.fmean(s for s, _e in pairs),
        mean_end=statistics.fmean(e for _s, e in pairs),
        mean_change=mean,
        ci_low=ci_low,
        ci_high=ci_high,
        top_two_start=top_two_share([s for s, _e in pairs]),
        top_two_end=top_two_share([e for _s, e in pairs]),
    )


def top_two_share(values: Sequence[float]) -> float:
    if not values:
        return 0.0
    return sum(1 for v in values if v >= TOP_TWO) / len(values)


@dataclass(frozen=True)
class Summary:
    """One item's answers on their own (post-only items, session feedback, a single survey)."""

    n: int
    mean: float
    top_two: float
    counts: dict[int, int]


def summary(values: Sequence[int], *, low: int = 1, high: int = 5) -> Summary:
    if not values:
        raise ValueError("summary needs at least one value")
    counts = {v: 0 for v in range(low, high + 1)}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return Summary(
        n=len(values),
        mean=statistics.fmean(values),
        top_two=top_two_share(values) if high == 5 else 0.0,
        counts=counts,
    )


def net_promoter(values: Sequence[int]) -> float:
    """Share scoring 9-10 minus share scoring 0-6, as a number from -100 to 100."""
    if not values:
        raise ValueError("net_promoter needs at least one value")
    promoters = sum(1 for v in values if v >= 9)
    detractors = sum(1 for v in values if v <= 6)
    return 100 * (promoters - detractors) / len(values)


def pair_by_key(start: Mapping[str, float], end: Mapping[str, float]) -> list[tuple[float, float]]:
    """Pair two {pseudonym: value} maps; people who answered only once are left out."""
    return [(start[key], end[key]) for key in sorted(start.keys() & end.keys())]


def suppress(cells: Mapping[str, int], *, threshold: int, total_shown: bool) -> set[str]:
    """The cells of a breakdown that must not be shown: `core.suppression.hidden_cells`, the one
    rule (kept under this name for the callers in this app)."""
    return hidden_cells(cells, threshold=threshold, total_shown=total_shown)


def enough(n: int, *, threshold: int) -> bool:
    return n >= threshold


def round_share(share: float) -> int:
    """A share as a whole percentage, halves rounded up (61.5% → 62%), as people expect."""
    return math.floor(share * 100 + 0.5)


def values(items: Iterable[float | None]) -> list[float]:
    return [v for v in items if v is not None]

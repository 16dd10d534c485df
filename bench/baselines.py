"""Baselines the engine is compared with: greedy, Gale-Shapley, dense Hungarian,
and the mentor-match PyPI package (in its own interpreter).

Greedy and Gale-Shapley read scores blockwise from the same scorer (no dense
n x n matrix), with per-mentee preference lists extended lazily when exhausted.
"""

from __future__ import annotations

import heapq
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from matching.engine import _row_blocks

LIST_LEN = 256
# A separate venv with `pip install mentor-match` (default: <tmp>/benchvenv).
MENTOR_MATCH_PYTHON = os.environ.get(
    "MENTOR_MATCH_PYTHON", os.path.join(tempfile.gettempdir(), "benchvenv", "bin", "python"))
# Run it outside the repo so that its `matching` package is the one imported.
_OUTSIDE = tempfile.gettempdir()


class _Prefs:
    """Each mentee's eligible mentors, best first (ties: lower index), as numpy
    arrays: the top LIST_LEN up front, the full row loaded when exhausted."""

    def __init__(self, scorer, cap: np.ndarray) -> None:
        self.scorer = scorer
        self.cap_ok = cap > 0
        n, m = scorer.shape
        self.vals: list[np.ndarray] = [np.zeros(0)] * n
        self.cols: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * n
        self.full = np.zeros(n, dtype=bool)
        k = min(LIST_LEN, m)
        for rows in _row_blocks(n, m, None):
            s, a = scorer.block(rows)
            sm = np.where(a & self.cap_ok[None, :], s.astype(np.float64), -np.inf)
            top = (np.argpartition(-sm, k - 1, axis=1)[:, :k] if m > k
                   else np.tile(np.arange(m), (len(rows), 1)))
            vals = np.take_along_axis(sm, top, axis=1)
            order = np.lexsort((top, -vals), axis=1)
            top = np.take_along_axis(top, order, axis=1)
            vals = np.take_along_axis(vals, order, axis=1)
            for r, i in enumerate(rows.tolist()):
                ok = np.isfinite(vals[r])
                self.vals[i] = vals[r][ok]
                self.cols[i] = top[r][ok]
                # All eligible mentors already listed when the top was not full.
                self.full[i] = m <= k or not ok.all()

    def row(self, i: int, pos: int) -> tuple[np.ndarray, np.ndarray]:
        """The preference arrays of mentee i, loading the full row if pos runs past."""
        if pos >= len(self.cols[i]) and not self.full[i]:
            m = self.scorer.shape[1]
            s, a = self.scorer.block(np.array([i]))
            sm = np.where(a[0] & self.cap_ok, s[0].astype(np.float64), -np.inf)
            order = np.lexsort((np.arange(m), -sm))
            ok = np.isfinite(sm[order])
            self.cols[i] = order[ok]
            self.vals[i] = sm[order][ok]
            self.full[i] = True
        return self.vals[i], self.cols[i]


def greedy(scorer, cap: np.ndarray) -> list[tuple[int, int]]:
    """Repeatedly take the highest-scoring pair whose mentee is free and mentor
    has room (lazy heap over each mentee's next best mentor with room)."""
    prefs = _Prefs(scorer, cap)
    left = cap.astype(np.int64).copy()

    def next_open(i: int, pos: int) -> int | None:
        while True:
            _vals, cols = prefs.row(i, pos)
            if pos >= len(cols):
                return None
            open_ = np.flatnonzero(left[cols[pos:]] > 0)
            if len(open_):
                return pos + int(open_[0])
            if prefs.full[i]:
                return None
            pos = len(cols)

    heap = []
    for i in range(scorer.shape[0]):
        pos = next_open(i, 0)
        if pos is not None:
            heap.append((-float(prefs.vals[i][pos]), i, int(prefs.cols[i][pos]), pos))
    heapq.heapify(heap)
    pairs = []
    while heap:
        _, i, j, pos = heapq.heappop(heap)
        if left[j] > 0:
            left[j] -= 1
            pairs.append((i, j))
            continue
        pos2 = next_open(i, pos + 1)
        if pos2 is not None:
            heapq.heappush(heap, (-float(prefs.vals[i][pos2]), i, int(prefs.cols[i][pos2]),
                                  pos2))
    return sorted(pairs)


def gale_shapley(scorer, cap: np.ndarray) -> list[tuple[int, int]]:
    """Mentee-proposing deferred acceptance; both sides rank by the pair score
    (ties: lower index first).  Mentors hold up to their capacity."""
    prefs = _Prefs(scorer, cap)
    n, m = scorer.shape
    nxt = np.zeros(n, dtype=np.int64)
    held: list[list[tuple[float, int]]] = [[] for _ in range(m)]  # min-heaps (score, -i)
    free = list(range(n - 1, -1, -1))
    while free:
        i = free.pop()
        pos = int(nxt[i])
        vals, cols = prefs.row(i, pos)
        if pos >= len(cols):
            continue
        nxt[i] += 1
        s, j = float(vals[pos]), int(cols[pos])
        h = held[j]
        if len(h) < cap[j]:
            heapq.heappush(h, (s, -i))
        elif h and (s, -i) > h[0]:
            _, worst = heapq.heapreplace(h, (s, -i))
            free.append(-worst)
        else:
            free.append(i)
    return sorted((-neg_i, j) for j in range(m) for _, neg_i in held[j])


def dense_hungarian(scorer, cap: np.ndarray) -> list[tuple[int, int]]:
    """scipy linear_sum_assignment on the dense matrix, mentor columns repeated by
    capacity; forbidden pairs get a prohibitive cost and are dropped afterwards."""
    from scipy.optimize import linear_sum_assignment

    n, m = scorer.shape
    s, a = scorer.block(np.arange(n))
    s = s.astype(np.float64)
    cols = np.repeat(np.arange(m), cap)
    big = (np.abs(s).max() + 1) * (n + 1)
    cost = np.where(a[:, cols], -s[:, cols], big)
    r, c = linear_sum_assignment(cost)
    keep = a[r, cols[c]]
    return sorted(zip(r[keep].tolist(), cols[c][keep].tolist(), strict=True))


def mentor_match(scorer, cap: np.ndarray, timeout: float = 600) -> tuple[list, float] | str:
    """Pairs from the mentor-match package, or a note saying why it was skipped."""
    if not Path(MENTOR_MATCH_PYTHON).exists():
        return f"skipped: {MENTOR_MATCH_PYTHON} not found (pip install mentor-match there)"
    check = subprocess.run([MENTOR_MATCH_PYTHON, "-c", "import matching.process, munkres"],  # noqa: S603
                           capture_output=True, text=True, cwd=_OUTSIDE, check=False)
    if check.returncode != 0:
        return "skipped: mentor-match is not importable"
    n, _m = scorer.shape
    s, a = scorer.block(np.arange(n))
    payload = json.dumps({
        "scores": np.rint(s.astype(np.float64) * 1000).astype(int).tolist(),
        "allowed": a.tolist(), "capacity": cap.astype(int).tolist(),
    })
    runner = Path(__file__).with_name("mentor_match_runner.py")
    t = time.perf_counter()
    try:
        proc = subprocess.run([MENTOR_MATCH_PYTHON, str(runner)], input=payload,  # noqa: S603
                              capture_output=True, text=True, cwd=_OUTSIDE, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        return f"skipped: did not finish within {timeout:.0f} s"
    if proc.returncode != 0:
        return "failed: " + proc.stderr.strip().splitlines()[-1]
    out = json.loads(proc.stdout)
    return [tuple(p) for p in out["pairs"]], time.perf_counter() - t

"""Lexicographic b-matching (most pairs, then highest total) as a square assignment.

Rows: the n mentees, then one row per mentor place ("slot-filler").  Columns: the
S mentor places, then one column per mentee ("unmatched").  Edges:

* mentee i -> each place of an allowed mentor j: cost ``-(units + big)``;
* mentee i -> its own "unmatched" column: cost 0;
* place filler s -> its own place: cost 0 (the place stays empty);
* place filler s -> "unmatched" column of each mentee allowed at s's mentor: 0.

Every matching of mentees to places extends to a perfect assignment (matched
pair (i, s): i -> s and filler s -> i's column), and the assignment's cost is
``-(big * pairs + units of the pairs)``; with ``big`` above twice the largest
score range times the number of mentees, the cheapest perfect assignment is
the lexicographic optimum.  :class:`WarmMatcher` keeps the assignment and
prices between calls on a growing edge set.
"""

from __future__ import annotations

import numpy as np

from matching._lap import augment, prices_for, reprice, slot_graph

__all__ = ["WarmMatcher"]


class WarmMatcher:
    """Optimal b-matching on growing edge sets, re-using the previous optimum."""

    def __init__(self, n: int, cap: np.ndarray, span: float) -> None:
        cap = np.asarray(cap, dtype=np.int64)
        self.n = n
        self.m = len(cap)
        self.slots = int(cap.sum())
        self.slot_start = np.concatenate([[0], np.cumsum(cap)]).astype(np.int64)
        self.slot_owner = np.repeat(np.arange(self.m, dtype=np.int64), cap)
        self.cap = cap
        size = n + self.slots
        self.size = size
        self.big = np.int64(2 * (int(span) + 1) * (n + 1))
        if float(self.big) * 4 * (size + 1) >= 2.0**62:
            raise OverflowError("score range too wide for the exact integer solver")
        self.x = np.full(size, -1, dtype=np.int64)
        self.y = np.full(size, -1, dtype=np.int64)
        self.u = np.zeros(size, dtype=np.int64)
        self.v = np.zeros(size, dtype=np.int64)
        self.cold = True

    def _graph(self, rows: np.ndarray, cols: np.ndarray, units: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return slot_graph(self.n, np.ascontiguousarray(rows, dtype=np.int64),
                          np.ascontiguousarray(cols, dtype=np.int64),
                          np.ascontiguousarray(units, dtype=np.int64), self.cap,
                          self.slot_start, self.big)

    def start(self, rows: np.ndarray, cols: np.ndarray, units: np.ndarray,
              used: np.ndarray) -> None:
        """Take an optimal matching found by another solver as the starting point."""
        n, S = self.n, self.slots
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        x = np.full(self.size, -1, dtype=np.int64)
        x[:n] = S + np.arange(n)  # everyone unmatched
        x[n:] = np.arange(S)  # every place empty
        ur, uc = rows[used], cols[used]
        order = np.lexsort((ur, uc))
        ur, uc = ur[order], uc[order]
        rank = np.arange(len(uc)) - np.searchsorted(uc, uc, side="left")
        slot = self.slot_start[uc] + rank
        x[ur] = slot
        x[n + slot] = S + ur
        indptr, heads, cost = self._graph(rows, cols, units)
        y = np.empty(self.size, dtype=np.int64)
        y[x] = np.arange(self.size)
        if not prices_for(indptr, heads, cost, x, self.u, self.v):
            raise RuntimeError("starting matching is not optimal (internal error)")
        self.x, self.y = x, y
        self.cold = False

    def solve(self, rows: np.ndarray, cols: np.ndarray, units: np.ndarray,
              max_free: int | None = None, max_work: int | None = None
              ) -> np.ndarray | None:
        """Optimal matching on the edges (mentee, mentor, integer units): 'used' per edge.

        With ``max_free``: if the new edges free more rows than that (each free
        row costs one shortest-path search), give up and return None; the
        caller then solves cold and calls :meth:`start` again.  ``max_work``
        does the same once the searches have scanned that many arcs (a few
        freed rows can need long searches)."""
        S = self.slots
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        indptr, heads, cost = self._graph(rows, cols, units)
        if max_free is not None and not self.cold:
            free = reprice(indptr, heads, cost, self.x, self.y, self.u, self.v)
            self.last_free = free
            if free > max_free:
                self.cold = True  # the state is no longer an optimum
                return None
        budget = -1 if max_work is None or self.cold else int(max_work)
        res = augment(indptr, heads, cost, self.x, self.y, self.u, self.v, self.cold, budget)
        if res == -2:
            self.cold = True  # a partial augmentation: no longer an optimum
            return None
        if res < 0:
            raise RuntimeError("assignment solver found no perfect assignment (internal error)")
        self.cold = False
        self.last_augmentations = res
        xs = self.x[rows]
        placed = (xs >= 0) & (xs < S)
        if S == 0:
            return np.zeros(len(rows), dtype=bool)
        owner = np.where(placed, self.slot_owner[np.minimum(xs, S - 1)], -1)
        return placed & (owner == cols)

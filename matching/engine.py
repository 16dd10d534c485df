"""Exact assignment of mentees to mentors with capacities, and its certificate.

Objective (lexicographic): first the largest number of matched mentees, then the
largest total score among those matchings.

How it works (details in docs/matching.md):

* Scores are quantised to integers on a power-of-two grid (about 1e-11 of the
  largest |score|), so every sum below is exact in float64 and int64.
* OR-Tools min-cost flow (``solve_max_flow_with_min_cost``) gives the primal:
  maximum flow first, then minimum cost, with native mentor capacities.
* A Koenig vertex cover (p, q) of the allowed graph is read off the residual
  graph; it proves the cardinality is maximal.  The cover splits the problem
  into two independent parts, and shortest-path potentials on the residual
  graph of each part give the score duals (u, v).
* Large problems never need every pair in memory: candidates (row and column
  top-k by threshold) are solved first, then every pair is priced blockwise
  against the certificate and violating pairs are added until none remain.

``verify`` checks a certificate against the original float scores, on every
allowed pair, without trusting the solver.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

__all__ = [
    "Assignment",
    "BlockScorer",
    "Certificate",
    "DenseScorer",
    "solve_assignment",
    "solve_fair",
    "solve_sparse",
    "verify",
]

# Quantised scores stay below this many grid units, and below 2**52 / (nodes + 2)
# so that a shortest path over every node cannot overflow the float64 mantissa.
_MAX_UNITS = 2.0**40
# Below this many cells a dense input is solved on all its allowed pairs at once.
_ALL_PAIRS_LIMIT = 250_000
# Cells per scoring block: bounds the memory of blockwise passes (~32 MB of float64).
_BLOCK_CELLS = 4_000_000
# Pairs per row and per column kept in the candidate pool (the solver's graph
# starts with the top k of them).
_POOL_K = 160
# Reserve pairs within this share of the score range of breaking the certificate
# join the graph with the violators.
_NEAR = 0.02
# From this many cells on, the candidate, pricing and report passes are fused
# numba kernels and later solve rounds are warm-started; below it numpy passes and
# cold rounds are cheaper than importing numba.
_FAST_CELLS = 16_000_000
# Pool size per row and per column on the fast path (exact top-k, not sampled).
_FAST_POOL_K = 48
# Rows (and columns) sampled for the fast pass's floors.
_FLOOR_SAMPLE = 2048
# A warm solve round re-augments each row the new edges free; it goes cold
# instead when more rows than edges / this are freed (measured: one search costs
# about what a cold min-cost flow spends on 600 edges).
_WARM_EDGES_PER_FREE_ROW = 600
# ... and it stops (then goes cold) once its searches have scanned this many arcs
# per graph edge (counting at least 10 000 edges, so small graphs stay warm): a cold
# round costs about that much (measured at 20k per side, where a few freed rows can
# need searches over most of the graph).
_WARM_ARCS_PER_EDGE = 40


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class Certificate:
    """LP dual certificate for the lexicographic objective.

    ``mentee_cover``/``mentor_cover`` (bool) form a vertex cover of the allowed
    graph whose size equals the matched count (proof of maximum cardinality).
    ``mentee_dual``/``mentor_dual`` (float) are score duals: for every allowed pair
    covered exactly once, ``mentee_dual[i] + mentor_dual[j] >= score[i, j]``, with
    equality on the chosen pairs (proof of maximum total among those matchings).

    Fair mode adds ``threshold`` (the lowest pair score, maximised),
    ``cardinality_mentee_cover``/``cardinality_mentor_cover`` (a cover of all allowed
    pairs, proving no larger matching exists) and ``bottleneck_mentee_cover``/
    ``bottleneck_mentor_cover`` (a cover of the pairs scoring above the threshold
    that is smaller than the matched count, proving the threshold cannot rise).
    The main cover and duals then refer to pairs scoring at least the threshold.
    """

    mentee_cover: np.ndarray
    mentor_cover: np.ndarray
    mentee_dual: np.ndarray
    mentor_dual: np.ndarray
    threshold: float | None = None
    cardinality_mentee_cover: np.ndarray | None = None
    cardinality_mentor_cover: np.ndarray | None = None
    bottleneck_mentee_cover: np.ndarray | None = None
    bottleneck_mentor_cover: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Assignment:
    """Result of a solve. ``pairs`` are (mentee_index, mentor_index), sorted."""

    pairs: tuple[tuple[int, int], ...]
    total: float
    unmatched: tuple[int, ...]
    certificate: Certificate
    n_mentees: int
    n_mentors: int
    stats: Mapping[str, float] = field(default_factory=dict, repr=False)
    # Per pair (aligned with ``pairs``): 1 + eligible partners scoring strictly
    # higher, in the mentee's list and in the mentor's list.  Filled by the fast
    # path for the run report (saves it a full pass); None otherwise.
    ranks: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    @property
    def matched(self) -> int:
        return len(self.pairs)

    def mentor_of(self) -> np.ndarray:
        """Array of length n_mentees: the mentor index of each mentee, or -1."""
        out = np.full(self.n_mentees, -1, dtype=np.int64)
        for i, j in self.pairs:
            out[i] = j
        return out

    def load(self) -> np.ndarray:
        """Array of length n_mentors: how many mentees each mentor got."""
        out = np.zeros(self.n_mentors, dtype=np.int64)
        for _, j in self.pairs:
            out[j] += 1
        return out


# --------------------------------------------------------------------------- scorers


class BlockScorer(Protocol):
    """Scores computed on demand, a block of mentee rows at a time.

    ``block(rows)`` returns ``(scores, allowed)`` for the mentees ``rows`` (sorted
    int array) against every mentor: a float64 array and a bool array, both of
    shape ``(len(rows), n_mentors)``.  It must be deterministic.
    """

    @property
    def shape(self) -> tuple[int, int]: ...

    def block(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


class DenseScorer:
    """Adapter that serves a dense score matrix (and optional mask) blockwise."""

    def __init__(self, scores: np.ndarray, allowed: np.ndarray | None = None) -> None:
        self.scores = scores
        self.allowed = allowed
        self._bound: float | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.scores.shape[0]), int(self.scores.shape[1]))

    def block(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if len(rows) and rows[-1] - rows[0] + 1 == len(rows):
            sl = slice(int(rows[0]), int(rows[-1]) + 1)
            s = self.scores[sl]
            a = self.allowed[sl] if self.allowed is not None else None
        else:
            s = self.scores[rows]
            a = self.allowed[rows] if self.allowed is not None else None
        if a is None:
            a = np.ones(s.shape, dtype=bool)
        return np.asarray(s, dtype=np.float64), a

    forbid_below = -np.inf

    @property
    def score_bound(self) -> float:
        """Largest |score| over the allowed pairs (for the integer grid)."""
        if self._bound is None:
            s = np.abs(np.asarray(self.scores, dtype=np.float64))
            if self.allowed is not None:
                s = np.where(self.allowed, s, 0.0)
            self._bound = float(s.max(initial=0.0))
        return self._bound

    def block_masked(self, rows: np.ndarray) -> np.ndarray:
        """Scores with forbidden cells at -inf (for the engine's fast passes)."""
        s, a = self.block(rows)
        return np.where(a, s, -np.inf)

    def cols_masked(self, cols: np.ndarray) -> np.ndarray:
        """Every mentee against the mentors ``cols``, forbidden cells at -inf."""
        s = self.scores[:, cols]
        a = self.allowed[:, cols] if self.allowed is not None else np.ones(s.shape, bool)
        return np.where(a, np.asarray(s, dtype=np.float64), -np.inf)


# --------------------------------------------------------------------------- validation


def _check_scores(scores: object) -> np.ndarray:
    arr = np.asarray(scores)
    if arr.dtype == object or arr.dtype.kind not in "iuf":
        raise ValueError(f"scores must be a numeric (int or float) array, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(f"scores must be 2-dimensional (mentees x mentors), got ndim={arr.ndim}")
    arr = arr.astype(np.float64, copy=False)
    if not np.isfinite(arr).all():
        raise ValueError("scores contain NaN or infinite values; use `allowed` to forbid pairs")
    return arr


def _check_allowed(allowed: object, shape: tuple[int, int]) -> np.ndarray | None:
    if allowed is None:
        return None
    arr = np.asarray(allowed)
    if arr.dtype != np.bool_:
        raise ValueError(f"allowed must be a bool array, got dtype {arr.dtype}")
    if arr.shape != shape:
        raise ValueError(f"allowed has shape {arr.shape}, expected {shape} (same as scores)")
    return arr


def _check_capacity(capacity: object, n_mentors: int) -> np.ndarray:
    if capacity is None:
        return np.ones(n_mentors, dtype=np.int64)
    arr = np.asarray(capacity)
    if arr.dtype == object or arr.dtype.kind not in "iu":
        raise ValueError(f"capacity must be an integer array, got dtype {arr.dtype}")
    if arr.ndim != 1 or arr.shape[0] != n_mentors:
        raise ValueError(f"capacity must have shape ({n_mentors},), got {arr.shape}")
    if (arr < 0).any():
        raise ValueError("capacity must not be negative")
    return arr.astype(np.int64)


# --------------------------------------------------------------------------- core solve


def _scale_for(max_abs: float, n_nodes: int) -> float:
    """Power-of-two factor mapping scores onto an exact integer grid."""
    limit = min(_MAX_UNITS, 2.0**52 / (n_nodes + 2))
    if max_abs <= 0:
        return 1.0
    return 2.0 ** math.floor(math.log2(limit / max_abs))


@dataclass
class _EdgeSolution:
    used: np.ndarray  # bool per edge
    p: np.ndarray  # mentee cover
    q: np.ndarray  # mentor cover
    u: np.ndarray  # mentee duals in grid units
    v: np.ndarray  # mentor duals in grid units


def _flow(n: int, m: int, rows: np.ndarray, cols: np.ndarray, units: np.ndarray | None,
          cap: np.ndarray) -> np.ndarray:
    """Max flow, then min cost (= max score). Returns a bool 'used' per edge."""
    from ortools.graph.python import min_cost_flow

    e = len(rows)
    if e == 0 or n == 0 or m == 0:
        return np.zeros(e, dtype=bool)
    f = min_cost_flow.SimpleMinCostFlow()
    source, sink = n + m, n + m + 1
    tails = np.concatenate([np.full(n, source), rows, n + np.arange(m)]).astype(np.int32)
    heads = np.concatenate([np.arange(n), n + cols, np.full(m, sink)]).astype(np.int32)
    caps = np.concatenate([np.ones(n + e, dtype=np.int64), cap]).astype(np.int64)
    cost_e = np.zeros(e, dtype=np.int64) if units is None else -units.astype(np.int64)
    costs = np.concatenate([np.zeros(n, dtype=np.int64), cost_e, np.zeros(m, dtype=np.int64)])
    arcs = f.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    f.set_node_supply(source, n)
    f.set_node_supply(sink, -n)
    status = f.solve_max_flow_with_min_cost()
    if status != f.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    return np.asarray(f.flows(arcs[n:n + e])) > 0


def _cover(n: int, m: int, rows: np.ndarray, cols: np.ndarray, used: np.ndarray,
           matched: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Koenig cover from a maximum matching.

    Z = vertices reachable from unmatched mentees by alternating paths (any edge
    mentee -> mentor, used edge mentor -> mentee).  Cover = mentees outside Z plus
    mentors inside Z.
    """
    root = n + m
    free = np.flatnonzero(~matched)
    t = np.concatenate([np.full(len(free), root), rows[~used], n + cols[used]])
    h = np.concatenate([free, n + cols[~used], rows[used]])
    g = csr_matrix((np.ones(len(t), dtype=np.int8), (t, h)), shape=(n + m + 1, n + m + 1))
    reached = np.zeros(n + m + 1, dtype=bool)
    reached[breadth_first_order(g, root, directed=True, return_predecessors=False)] = True
    return ~reached[:n], reached[n:n + m]


def _potentials(n_nodes: int, tails: np.ndarray, heads: np.ndarray, w: np.ndarray,
                compiled: bool = False) -> np.ndarray:
    """Shortest distances from a virtual source joined to every node by 0-cost arcs.

    Queue-free Bellman-Ford that only relaxes arcs leaving nodes improved in the
    previous round (vectorised).  The graph has no negative cycle by optimality;
    exceeding n rounds means the primal was not optimal.
    """
    if compiled:
        from matching._kernels import shortest_from_all, stable_order

        order = stable_order(np.ascontiguousarray(tails, dtype=np.int64), n_nodes)
    else:
        order = np.argsort(tails, kind="stable")
    tails, heads, w = tails[order], heads[order], w[order]
    ptr = np.searchsorted(tails, np.arange(n_nodes + 1))
    if compiled:
        d = np.zeros(n_nodes)
        if not shortest_from_all(n_nodes, ptr.astype(np.int64), heads.astype(np.int64),
                                 w.astype(np.float64), d):
            raise RuntimeError("negative cycle in residual graph: primal solution not optimal")
        return d
    d = np.zeros(n_nodes)
    active = np.flatnonzero(np.diff(ptr) > 0)
    rounds = 0
    while len(active):
        rounds += 1
        if rounds > n_nodes + 1:
            raise RuntimeError("negative cycle in residual graph: primal solution not optimal")
        starts, ends = ptr[active], ptr[active + 1]
        cnt = ends - starts
        tot = int(cnt.sum())
        if tot == 0:
            break
        arc = np.repeat(starts - (np.cumsum(cnt) - cnt), cnt) + np.arange(tot)
        cand = d[tails[arc]] + w[arc]
        hd = heads[arc]
        better = cand < d[hd]
        if not better.any():
            break
        hd, cand = hd[better], cand[better]
        new = d.copy()
        np.minimum.at(new, hd, cand)
        active = np.flatnonzero(new < d)
        d = new
    return d


class _Solver:
    """Primal solves across rounds: OR-Tools cold, then warm-started assignment.

    The first round is solved cold by OR-Tools' min-cost flow; later rounds
    re-use the previous optimum and its prices (``matching._jv``) so only the
    rows the new edges free are re-augmented, unless they free so many rows
    that a cold solve is cheaper.  Scores must sit on a known
    power-of-two grid (``grid_shift``) for the warm solver's exact integer costs;
    otherwise every round is cold.
    """

    def __init__(self, n: int, m: int, cap: np.ndarray, span_units: float,
                 grid_shift: int | None) -> None:
        self.n, self.m, self.cap = n, m, cap
        self.shift = grid_shift
        self.matcher = None
        self.warm_rounds = 0
        self.warm_abandoned = 0
        if grid_shift is not None:
            from matching._jv import WarmMatcher

            try:
                self.matcher = WarmMatcher(n, np.minimum(cap, n), span_units / 2.0**grid_shift)
            except OverflowError:
                self.matcher = None

    def used(self, rows: np.ndarray, cols: np.ndarray, units: np.ndarray) -> np.ndarray:
        mt = self.matcher
        coarse = None
        if mt is not None and self.shift is not None:
            coarse = units / 2.0**self.shift
            if not np.array_equal(coarse, np.rint(coarse)):
                self.matcher = mt = None
                coarse = None
        if mt is not None and coarse is not None and not mt.cold:
            # Warm only while few rows need a new path: one shortest-path search
            # per freed row costs about as much as a cold solve per 600 edges.
            used = mt.solve(rows, cols, coarse.astype(np.int64),
                            max_free=max(32, len(rows) // _WARM_EDGES_PER_FREE_ROW),
                            max_work=_WARM_ARCS_PER_EDGE * max(len(rows), 10_000))
            if used is not None:
                self.warm_rounds += 1
                return used
            self.warm_abandoned += 1
        # The coarse grid has the same optima with far smaller integers: fewer
        # cost-scaling phases in OR-Tools.
        used = _flow(self.n, self.m, rows, cols, units if coarse is None else coarse, self.cap)
        if mt is not None and coarse is not None:
            mt.start(rows, cols, coarse.astype(np.int64), used)
        return used


def _solve_edges(n: int, m: int, rows: np.ndarray, cols: np.ndarray, units: np.ndarray,
                 cap: np.ndarray, solver: _Solver | None = None) -> _EdgeSolution:
    """Exact lexicographic optimum on an explicit edge list, with its certificate."""
    used = (_flow(n, m, rows, cols, units, cap) if solver is None
            else solver.used(rows, cols, units))
    matched = np.zeros(n, dtype=bool)
    matched[rows[used]] = True
    load = np.bincount(cols[used], minlength=m)
    p, q = _cover(n, m, rows, cols, used, matched)
    zi, zj = ~p, q

    # Residual graph restricted to each part of the cover (pairs covered twice are
    # dropped: no maximum matching uses them).  Node S = n+m serves the part inside
    # Z (mentees free, mentors full); node T = n+m+1 the part outside Z (mentees
    # matched, mentors free).  Used edges appear in both directions so that their
    # reduced cost comes out exactly zero.
    s_node, t_node = n + m, n + m + 1
    keep = ~(p[rows] & q[cols])
    r, c, w, us = rows[keep], cols[keep], units[keep], used[keep]
    in_a_free = np.flatnonzero(zi & ~matched)
    in_a_matched = np.flatnonzero(zi & matched)
    out_b = ~zj
    b_not_full = np.flatnonzero(out_b & (load < cap))
    b_loaded = np.flatnonzero(out_b & (load > 0))
    tails = np.concatenate([
        r, n + c[us],
        np.full(len(in_a_free), s_node), in_a_matched,
        n + b_not_full, np.full(len(b_loaded), t_node),
    ])
    heads = np.concatenate([
        n + c, r[us],
        in_a_free, np.full(len(in_a_matched), s_node),
        np.full(len(b_not_full), t_node), n + b_loaded,
    ])
    weights = np.concatenate([
        -w, w[us],
        np.zeros(len(in_a_free) + len(in_a_matched) + len(b_not_full) + len(b_loaded)),
    ])
    d = _potentials(n + m + 2, tails, heads, weights, compiled=solver is not None)
    di, dj = d[:n], d[n:n + m]
    u = np.where(zi, di - d[s_node], di - d[t_node])
    v = np.where(zj, d[s_node] - dj, d[t_node] - dj)
    # Clamps keep dual feasibility (they only raise duals) and fix the sign rules:
    # free mentees inside Z and idle mentors outside Z have dual exactly 0.
    u = np.where(zi & ~matched, np.maximum(u, 0.0), u)
    v = np.where(~zj & (load == 0), np.maximum(v, 0.0), v)
    return _EdgeSolution(used=used, p=p, q=q, u=u, v=v)


def _empty_assignment(n: int, m: int) -> Assignment:
    cert = Certificate(
        mentee_cover=np.zeros(n, dtype=bool), mentor_cover=np.zeros(m, dtype=bool),
        mentee_dual=np.zeros(n), mentor_dual=np.zeros(m),
    )
    return Assignment(pairs=(), total=0.0, unmatched=tuple(range(n)), certificate=cert,
                      n_mentees=n, n_mentors=m)


def _assignment(n: int, m: int, rows: np.ndarray, cols: np.ndarray, scores: np.ndarray,
                sol: _EdgeSolution, scale: float, stats: dict[str, float],
                threshold: float | None = None, extra: dict | None = None) -> Assignment:
    used = np.flatnonzero(sol.used)
    order = np.lexsort((cols[used], rows[used]))
    used = used[order]
    pairs = tuple(zip(rows[used].tolist(), cols[used].tolist(), strict=True))
    matched = np.zeros(n, dtype=bool)
    matched[rows[used]] = True
    total = math.fsum(scores[used].tolist())
    cert = Certificate(
        mentee_cover=sol.p, mentor_cover=sol.q,
        mentee_dual=sol.u / scale, mentor_dual=sol.v / scale,
        threshold=threshold, **(extra or {}),
    )
    return Assignment(pairs=pairs, total=total, unmatched=tuple(np.flatnonzero(~matched).tolist()),
                      certificate=cert, n_mentees=n, n_mentors=m, stats=stats)


# --------------------------------------------------------------------------- candidates + pricing


def _row_blocks(n: int, m: int, block_rows: int | None) -> list[np.ndarray]:
    size = block_rows or max(1, _BLOCK_CELLS // max(m, 1))
    return [np.arange(a, min(a + size, n)) for a in range(0, n, size)]


def _kth_largest(x: np.ndarray, k: int, axis: int) -> np.ndarray:
    size = x.shape[axis]
    if size <= k:
        return np.min(x, axis=axis)
    return np.partition(x, size - k, axis=axis).take(size - k, axis=axis)


def _top_k_mask(rows: np.ndarray, cols: np.ndarray, units: np.ndarray, k: int) -> np.ndarray:
    """Edges among the k best of their row or the k best of their column.

    One stable integer sort per side on (group, -units); ties keep the incoming
    (row, col) order, so the choice is deterministic."""
    keep = np.zeros(len(rows), dtype=bool)
    if len(rows) == 0:
        return keep
    # units are integers below 2**41 in magnitude: shift them to be non-negative.
    desc = (int(units.max()) - units).astype(np.int64)
    width = int(desc.max()) + 1
    for key in (rows, cols):
        composite = key.astype(np.int64) * width + desc
        order = np.argsort(composite, kind="stable")
        sorted_key = key[order]
        first = np.searchsorted(sorted_key, sorted_key, side="left")
        rank = np.arange(len(order)) - first
        keep[order[rank < k]] = True
    return keep


def _block_max_abs(s: np.ndarray, valid: np.ndarray) -> float:
    """An upper bound on |score| over the block (whole block: fast, unmasked)."""
    if s.size == 0:
        return 0.0
    return float(max(abs(float(s.max())), abs(float(s.min()))))


def _to_units(x: np.ndarray, scale: float, inf_as: float) -> np.ndarray:
    """Thresholds in grid units; NaN becomes ``inf_as``, infinities stay."""
    x = np.asarray(x, dtype=np.float64)
    out = np.where(np.isnan(x), inf_as, x)
    finite = np.isfinite(out)
    out[finite] = np.rint(out[finite] * scale)
    return out


def _fast_candidates(scorer: BlockScorer, blocks: list[np.ndarray], cap_ok: np.ndarray,
                     pool: int, k: int, rng: np.random.Generator
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                np.ndarray, float]:
    """One fused pass: the ``pool`` best allowed pairs of every row and column.

    Sampled floors (about 1.5 x pool expected above them) keep the heaps from
    churning.  Every allowed pair outside the pool scores at most
    min(row_thr[i], col_thr[j]) (-inf: the row or column has no pair outside)."""
    from matching._kernels import build_pool, column_floors, scan_candidates

    n, m = scorer.shape
    kk = max(1, min(pool, m))
    kc = max(1, min(pool, n))
    forbid = float(scorer.forbid_below)  # type: ignore[attr-defined]
    colok = np.ascontiguousarray(cap_ok)
    sample = _FLOOR_SAMPLE
    col_floor = np.full(m, -np.inf)
    if n > 2 * sample:
        srows = np.sort(rng.choice(n, size=sample, replace=False))
        kth = max(1, round(1.5 * kc * sample / n))
        col_floor = column_floors(scorer.block_masked(srows),  # type: ignore[attr-defined]
                                  forbid, colok, kth)
    if m > 2 * sample:
        scols = np.sort(rng.choice(m, size=sample, replace=False)).astype(np.int64)
        kr = max(1, round(1.5 * kk * sample / m))
    else:
        scols = np.zeros(0, dtype=np.int64)
        kr = 1
    rv = np.empty((n, kk))
    ri = np.empty((n, kk), dtype=np.int64)
    rs = np.zeros(n, dtype=np.int64)
    rfloor = np.full(n, -np.inf)
    cv = np.empty((m, kc))
    ci = np.empty((m, kc), dtype=np.int64)
    cs = np.zeros(m, dtype=np.int64)
    croot = col_floor.astype(np.float32)
    for rows in blocks:
        sm = scorer.block_masked(rows)  # type: ignore[attr-defined]
        scan_candidates(sm, int(rows[0]), forbid, colok, kk, scols, kr, rv, ri, rs, rfloor,
                        cv, ci, cs, croot)
    row_thr = np.where(rs == kk, np.maximum(rv[:, 0], rfloor), rfloor)
    col_thr = np.where(cs == kc, np.maximum(cv[:, 0], col_floor), col_floor)
    r, c, sc, graph = build_pool(rv, ri, rs, cv, ci, cs, k)
    # A bound on |score| (any bound works: it only picks the integer grid).
    max_abs = float(scorer.score_bound)  # type: ignore[attr-defined]
    return r, c, sc, graph, row_thr, col_thr, max_abs


def _sampled_candidates(scorer: BlockScorer, blocks: list[np.ndarray], cap_ok: np.ndarray,
                        pool: int, all_pairs: bool, rng: np.random.Generator
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                   np.ndarray, float]:
    """The numpy candidate pass (small cohorts, or scorers without a masked block)."""
    n, m = scorer.shape
    # Column thresholds from a fixed sample of rows, row thresholds from a fixed
    # sample of columns: pairs at or above either threshold become candidates.
    # Every other allowed pair scores strictly below min(row_thr, col_thr).
    sample_size = 2048
    col_thr = np.full(m, np.inf)
    if not all_pairs:
        if n <= sample_size:
            srows = np.arange(n)
        else:
            srows = np.sort(rng.choice(n, size=sample_size, replace=False))
        ss, sa = scorer.block(srows)
        sm = np.where(sa & cap_ok, ss, -np.inf)
        kk = max(1, round(pool * len(srows) / n))
        col_thr = _kth_largest(sm, kk, axis=0).astype(np.float64)
        # A column with no allowed pair in the sample takes none by threshold.
        col_thr = np.where(np.isfinite(col_thr), col_thr, np.inf)
        del ss, sa, sm
    if all_pairs or m <= sample_size:
        scols = None
    else:
        scols = np.sort(rng.choice(m, size=sample_size, replace=False))
    kr = pool if scols is None else max(1, round(pool * sample_size / m))

    row_thr = np.full(n, -np.inf)
    e_rows: list[np.ndarray] = []
    e_cols: list[np.ndarray] = []
    e_sc: list[np.ndarray] = []
    max_abs = 0.0
    for rows in blocks:
        s, a = scorer.block(rows)
        valid = a & cap_ok[None, :]
        if all_pairs:
            r, c = np.nonzero(valid)
        else:
            sm = np.where(valid, s, -np.inf)
            thr = _kth_largest(sm if scols is None else sm[:, scols], kr, axis=1)
            row_thr[rows] = thr
            ct = col_thr.astype(s.dtype)
            in_pool = (sm >= thr[:, None]) | (sm >= ct[None, :])
            r, c = np.nonzero(in_pool)
            keep = valid[r, c]  # a row threshold of -inf would take forbidden cells
            r, c = r[keep], c[keep]
        e_rows.append(rows[r])
        e_cols.append(c)
        e_sc.append(s[r, c].astype(np.float64))
        max_abs = max(max_abs, _block_max_abs(s, valid))
    return (np.concatenate(e_rows), np.concatenate(e_cols), np.concatenate(e_sc), row_thr,
            col_thr, max_abs)


def _numba_available() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:  # pragma: no cover - numba is a pinned dependency
        return False
    return True


def _solve_scorer(scorer: BlockScorer, cap: np.ndarray, *, k: int, block_rows: int | None,
                  all_pairs: bool, pool: int | None = None) -> Assignment:
    n, m = scorer.shape
    if n == 0 or m == 0:
        return _empty_assignment(n, m)
    stats: dict[str, float] = {}
    t0 = time.perf_counter()
    cap = np.minimum(cap, n)
    cap_ok = cap > 0
    blocks = _row_blocks(n, m, block_rows)
    rng = np.random.default_rng(0)
    pool = max(k, _POOL_K if pool is None else pool)

    fast = (not all_pairs and n * m >= _FAST_CELLS and hasattr(scorer, "block_masked")
            and _numba_available())
    if fast:
        pool = min(pool, _FAST_POOL_K) if pool == _POOL_K else pool
        rows_e, cols_e, sc_e, graph0, row_thr, col_thr, max_abs = _fast_candidates(
            scorer, blocks, cap_ok, pool, k, rng)
    else:
        rows_e, cols_e, sc_e, row_thr, col_thr, max_abs = _sampled_candidates(
            scorer, blocks, cap_ok, pool, all_pairs, rng)
        graph0 = None
    stats["fast_passes"] = float(fast)
    scale = _scale_for(max_abs, n + m)

    # The pool (pairs above the thresholds) is larger than the graph handed to the
    # solver: the graph starts with the top-k of each row and column of the pool,
    # and pool pairs that break the certificate join it round by round (cheap,
    # no scoring).  Only when the pool is clean are rows re-scored (pricing).
    units_e = np.rint(sc_e * scale)
    pool_ = _Pool(rows_e, cols_e, sc_e, units_e,
                  np.ones(len(rows_e), dtype=bool) if all_pairs
                  else graph0 if graph0 is not None
                  else _top_k_mask(rows_e, cols_e, units_e, k),
                  span=float(np.rint(max_abs * scale)))
    stats["graph_edges_initial"] = float(pool_.in_graph.sum())
    stats["candidates_s"] = time.perf_counter() - t0
    stats["candidate_edges"] = float(len(rows_e))
    bounds = _Bounds(row_thr, col_thr, scale)
    solver = None
    grid = getattr(scorer, "grid", None)
    if fast and grid:
        shift = math.log2(scale * grid * grid)
        if shift >= 0 and shift == int(shift):
            solver = _Solver(n, m, cap, float(np.rint(max_abs * scale)), int(shift))
    rounds = 0
    solve_s = 0.0
    price_s = 0.0
    priced = 0
    while True:
        rounds += 1
        t1 = time.perf_counter()
        g = np.flatnonzero(pool_.in_graph)
        sol = _solve_edges(n, m, pool_.rows[g], pool_.cols[g], pool_.units[g], cap, solver)
        solve_s += time.perf_counter() - t1
        if all_pairs:
            break
        t2 = time.perf_counter()
        if pool_.reserve_violations(sol):
            price_s += time.perf_counter() - t2
            continue
        if fast:
            used_e = g[sol.used]
            partner_score = np.full(n, np.nan)
            partner_score[pool_.rows[used_e]] = pool_.sc[used_e]
            bounds.partner_score = partner_score
        n_priced, n_viol = _price(scorer, blocks, sol, cap_ok, bounds, pool_, scale, max_abs,
                                  fast)
        priced += n_priced
        price_s += time.perf_counter() - t2
        if n_viol == 0:
            break
    stats["solve_s"] = solve_s
    stats["pricing_s"] = price_s
    stats["rounds"] = float(rounds)
    stats["warm_rounds"] = float(solver.warm_rounds if solver else 0)
    stats["warm_abandoned"] = float(solver.warm_abandoned if solver else 0)
    stats["rows_priced"] = float(priced)
    stats["final_edges"] = float(pool_.in_graph.sum())
    g = np.flatnonzero(pool_.in_graph)
    rows_e, cols_e, sc_e = pool_.rows[g], pool_.cols[g], pool_.sc[g]
    result = _assignment(n, m, rows_e, cols_e, sc_e, sol, scale, stats)
    if fast:
        t3 = time.perf_counter()
        ue = g[sol.used]
        ue = ue[np.lexsort((pool_.cols[ue], pool_.rows[ue]))]  # the order of result.pairs
        ranks = _pool_ranks(scorer, result, pool_, cap_ok, row_thr, col_thr, blocks,
                            bounds.counted, bounds.above, bounds.count_ps, pool_.sc[ue])
        result = replace(result, ranks=ranks)
        stats["ranks_s"] = time.perf_counter() - t3
    return result


def _pool_ranks(scorer: BlockScorer, a: Assignment, pool: _Pool, cap_ok: np.ndarray,
                row_thr: np.ndarray, col_thr: np.ndarray, blocks: list[np.ndarray],
                counted: np.ndarray | None = None, above: np.ndarray | None = None,
                count_ps: np.ndarray | None = None, pair_scores: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
    """Run-report ranks from the candidate pool.  A partner scoring at least the
    row's (column's) threshold has every better partner in the pool, so the
    count is exact there; rows a pricing pass scanned come with their count
    (``counted``/``above``), valid while their partner's score is the one it
    counted against (``count_ps``); other rows (columns) are re-scored."""
    n, m = scorer.shape
    pr = np.array(a.pairs, dtype=np.int64).reshape(-1, 2)
    pi, pj = pr[:, 0], pr[:, 1]
    if pair_scores is not None:  # the chosen pairs' scores, in ``a.pairs`` order
        s_pair = np.asarray(pair_scores, dtype=np.float64)
    else:  # look them up: every chosen pair is in the pool
        key_pool = pool.rows * m + pool.cols
        order = np.argsort(key_pool, kind="stable")
        s_pair = pool.sc[order[np.searchsorted(key_pool, pi * m + pj, sorter=order)]]
    ps = np.full(n, np.nan)
    ps[pi] = s_pair
    forbid = float(scorer.forbid_below)  # type: ignore[attr-defined]
    # Mentee side.
    row_cnt = np.bincount(pool.rows, weights=pool.sc > ps[pool.rows], minlength=n)
    if counted is not None and above is not None and count_ps is not None:
        # A pricing pass counted against the same partner score: still exact.
        valid = counted & (count_ps == ps)
        row_cnt = np.where(valid, above, row_cnt)
        redo = np.flatnonzero((ps < row_thr) & ~valid)
    else:
        redo = np.flatnonzero(ps < row_thr)
    step = len(blocks[0]) if blocks else 1
    from matching._kernels import count_above

    colok = np.ascontiguousarray(cap_ok)
    for b in range(0, len(redo), step):
        rows = redo[b:b + step]
        sm = scorer.block_masked(rows)  # type: ignore[attr-defined]
        out = np.zeros(len(rows), dtype=np.int64)
        count_above(sm, np.ascontiguousarray(ps[rows]), forbid, colok, out)
        row_cnt[rows] = out
    mentee_rank = 1 + row_cnt[pi]
    # Mentor side, one slot per place taken.
    order_j = np.argsort(pj, kind="stable")
    slot_of = np.empty(len(pr), dtype=np.int64)
    sj = pj[order_j]
    slot_of[order_j] = np.arange(len(pr)) - np.searchsorted(sj, sj, side="left")
    slots = int(slot_of.max()) + 1 if len(pr) else 0
    thr = np.full((slots, m), np.nan)
    thr[slot_of, pj] = s_pair
    cnt = np.zeros((slots, m))
    for k in range(slots):
        cnt[k] = np.bincount(pool.cols, weights=pool.sc > thr[k, pool.cols], minlength=m)
    redo_c = np.flatnonzero((thr < col_thr[None, :]).any(axis=0))
    for b in range(0, len(redo_c), max(1, step)):
        cols = redo_c[b:b + step]
        sm = scorer.cols_masked(cols)  # type: ignore[attr-defined]
        ok = sm > forbid
        for k in range(slots):
            cnt[k, cols] = (ok & (sm > thr[k, cols][None, :])).sum(axis=0)
    mentor_rank = 1 + cnt[slot_of, pj]
    return mentee_rank.astype(np.float64), mentor_rank.astype(np.float64)


@dataclass
class _Pool:
    """Candidate pairs; ``in_graph`` marks those handed to the solver."""

    rows: np.ndarray
    cols: np.ndarray
    sc: np.ndarray
    units: np.ndarray
    in_graph: np.ndarray
    span: float = 0.0  # largest |score| in grid units

    def add(self, rows: np.ndarray, cols: np.ndarray, sc: np.ndarray, units: np.ndarray,
            in_graph: np.ndarray) -> None:
        self.rows = np.concatenate([self.rows, rows])
        self.cols = np.concatenate([self.cols, cols])
        self.sc = np.concatenate([self.sc, sc])
        self.units = np.concatenate([self.units, units])
        self.in_graph = np.concatenate([self.in_graph, in_graph])

    def reserve_violations(self, sol: _EdgeSolution) -> bool:
        """Move pool pairs that break the certificate into the graph."""
        res = np.flatnonzero(~self.in_graph)
        if len(res) == 0:
            return False
        r, c = self.rows[res], self.cols[res]
        pr, qc = sol.p[r], sol.q[c]
        slack = self.units[res] - sol.u[r] - sol.v[c]
        bad = (~pr & ~qc) | ((pr != qc) & (slack > 0))
        if not bad.any():
            return False
        # Near-violators join too: the duals are still moving, and taking them now
        # saves solve rounds (any extra edge only enlarges the exact problem).
        near = bad | ((pr != qc) & (slack > -_NEAR * self.span))
        self.in_graph[res[near]] = True
        return True

    def row_index(self, n_rows: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Pool positions grouped by row (stable), and their rows.  With
        ``n_rows`` the compiled counting sort is used (fast path)."""
        if n_rows is not None:
            from matching._kernels import stable_order

            order = stable_order(np.ascontiguousarray(self.rows, dtype=np.int64), n_rows)
        else:
            order = np.argsort(self.rows, kind="stable")
        return order, self.rows[order]


@dataclass
class _Bounds:
    """Upper bounds (grid units) on pairs outside the pool, to skip safe rows.

    * thresholds: a pair outside the pool scores below min(rt_i, ct_j);
    * for a row already re-scored: ``hv_i`` = max over its pairs outside the pool
      of score - v_j under the duals of that round, so now
      score - v'_j <= hv_i + max_j (v_j - v'_j).
    """

    row_thr: np.ndarray
    col_thr: np.ndarray
    scale: float

    def __post_init__(self) -> None:
        self.rt = _to_units(self.row_thr, self.scale, -np.inf)
        self.ct = _to_units(self.col_thr, self.scale, np.inf)
        self.hv = np.full(len(self.rt), np.inf)
        self.snap = np.full(len(self.rt), -1, dtype=np.int64)
        # Fast path: the partner scores of the matching being priced, and per row
        # the count of allowed pairs above the partner score it was counted
        # against (``count_ps``) by the latest pricing pass that scanned it.
        self.partner_score = np.full(len(self.rt), np.nan)
        self.above = np.zeros(len(self.rt), dtype=np.int64)
        self.counted = np.zeros(len(self.rt), dtype=bool)
        self.count_ps = np.full(len(self.rt), np.nan)
        self.snapshots: list[np.ndarray] = []

    def rows_at_risk(self, sol: _EdgeSolution, cap_ok: np.ndarray) -> np.ndarray:
        """Rows that may hold a pair outside the pool breaking the certificate: a
        covered row i (p_i) needs score <= u_i + v_j for every uncovered mentor j;
        uncovered rows are always checked (the cover must hold)."""
        free = ~sol.q & cap_ok
        cols = np.flatnonzero(free)
        n = len(self.rt)
        worst = np.full(n, -np.inf)
        if len(cols):
            rows = np.flatnonzero(np.isfinite(self.rt))
            ct, v = self.ct[cols], sol.v[cols]
            order = np.argsort(ct, kind="stable")
            ct, v = ct[order], v[order]
            suffix_min_v = np.minimum.accumulate(v[::-1])[::-1]
            prefix = np.where(np.isfinite(ct), ct - v, -np.inf)
            prefix_max = np.maximum.accumulate(prefix)
            x = self.rt[rows]
            pos = np.searchsorted(ct, x, side="left")  # columns [pos:] have ct >= x
            high = np.where(pos < len(ct), x - suffix_min_v[np.minimum(pos, len(ct) - 1)],
                            -np.inf)
            low = np.where(pos > 0, prefix_max[np.maximum(pos - 1, 0)], -np.inf)
            worst[rows] = np.maximum(high, low)
            for t, snap_v in enumerate(self.snapshots):
                sel = np.flatnonzero(self.snap == t)
                if len(sel):
                    drift = float((snap_v[cols] - sol.v[cols]).max())
                    worst[sel] = np.minimum(worst[sel], self.hv[sel] + drift)
        return np.flatnonzero(~sol.p | (worst > sol.u))


# Pairs a re-scored row adds to the pool: its best by score - v_j, violating or not
# (only violating ones enter the solver's graph).
_ROW_ADD = 32


def _price(scorer: BlockScorer, blocks: list[np.ndarray], sol: _EdgeSolution,
           cap_ok: np.ndarray, bounds: _Bounds, pool: _Pool, scale: float,
           max_abs: float, fast: bool = False) -> tuple[int, int]:
    """Re-score the rows at risk; add their violating pairs (and next-best pairs as
    reserve) to the pool.  Returns (rows priced, violations found)."""
    need_rows = bounds.rows_at_risk(sol, cap_ok)
    if len(need_rows) == 0:
        return 0, 0
    snap_id = len(bounds.snapshots)
    bounds.snapshots.append(sol.v.copy())
    order, sorted_rows = pool.row_index(len(bounds.rt) if fast else None)
    add_r, add_c, add_s, add_g = [], [], [], []
    n_viol = 0
    step = len(blocks[0]) if blocks else 1
    q = sol.q
    if fast:
        return _price_fast(scorer, need_rows, step, sol, cap_ok, bounds, pool, scale,
                           order, sorted_rows, snap_id)
    for a in range(0, len(need_rows), step):
        rows = need_rows[a:a + step]
        s, al = scorer.block(rows)
        valid = al & cap_ok[None, :]
        if _block_max_abs(s, valid) > max_abs:
            raise RuntimeError("scorer is not deterministic: a score grew between passes")
        # Pool cells of these rows.
        lo = np.searchsorted(sorted_rows, rows, side="left")
        hi = np.searchsorted(sorted_rows, rows, side="right")
        cnt = hi - lo
        idx = order[np.repeat(lo - (np.cumsum(cnt) - cnt), cnt) + np.arange(cnt.sum())]
        outside = valid.copy()
        outside[np.repeat(np.arange(len(rows)), cnt), pool.cols[idx]] = False
        # s - v in exact grid units (violation: > u_i).
        sv = np.rint(s.astype(np.float64) * scale)
        sv -= sol.v[None, :]
        p = sol.p[rows]
        cover_bad = outside & ~p[:, None] & ~q[None, :]
        viol = cover_bad | (outside & (p[:, None] != q[None, :]) & (sv > sol.u[rows][:, None]))
        n_viol += int(viol.sum())
        rank = np.where(outside, np.where(cover_bad, np.inf, sv), -np.inf)
        take = min(_ROW_ADD, rank.shape[1])
        top = np.argpartition(-rank, take - 1, axis=1)[:, :take]
        rr = np.repeat(np.arange(len(rows)), take)
        cc = top.ravel()
        ok = outside[rr, cc]
        rr, cc = rr[ok], cc[ok]
        rank[rr, cc] = -np.inf
        bounds.hv[rows] = rank.max(axis=1)
        bounds.snap[rows] = snap_id
        add_r.append(rows[rr])
        add_c.append(cc)
        sc = s[rr, cc].astype(np.float64)
        add_s.append(sc)
        add_g.append(viol[rr, cc])
    if add_r:
        sc = np.concatenate(add_s)
        pool.add(np.concatenate(add_r), np.concatenate(add_c), sc, np.rint(sc * scale),
                 np.concatenate(add_g))
    return len(need_rows), n_viol


def _price_fast(scorer: BlockScorer, need_rows: np.ndarray, step: int, sol: _EdgeSolution,
                cap_ok: np.ndarray, bounds: _Bounds, pool: _Pool, scale: float,
                order: np.ndarray, sorted_rows: np.ndarray, snap_id: int) -> tuple[int, int]:
    """``_price`` with the per-cell work in one compiled sweep per block."""
    from matching._kernels import scan_pricing

    forbid = float(scorer.forbid_below)  # type: ignore[attr-defined]
    colok = np.ascontiguousarray(cap_ok)
    p = np.ascontiguousarray(sol.p)
    q = np.ascontiguousarray(sol.q)
    u = np.ascontiguousarray(sol.u, dtype=np.float64)
    v = np.ascontiguousarray(sol.v, dtype=np.float64)
    hv = np.full(len(bounds.rt), -np.inf)
    above = np.zeros(len(bounds.rt), dtype=np.int64)
    ps = np.ascontiguousarray(bounds.partner_score)
    add_r, add_c, add_s, add_g = [], [], [], []
    n_viol = 0
    for a in range(0, len(need_rows), step):
        rows = need_rows[a:a + step]
        sm = scorer.block_masked(rows)  # type: ignore[attr-defined]
        lo = np.searchsorted(sorted_rows, rows, side="left")
        hi = np.searchsorted(sorted_rows, rows, side="right")
        cnt = hi - lo
        ptr = np.concatenate([[0], np.cumsum(cnt)]).astype(np.int64)
        idx = order[np.repeat(lo - (np.cumsum(cnt) - cnt), cnt) + np.arange(cnt.sum())]
        pcols = np.ascontiguousarray(pool.cols[idx], dtype=np.int64)
        cap_out = len(rows) * _ROW_ADD
        out_r = np.empty(cap_out, dtype=np.int64)
        out_c = np.empty(cap_out, dtype=np.int64)
        out_s = np.empty(cap_out)
        out_b = np.empty(cap_out, dtype=np.bool_)
        nv, t = scan_pricing(sm, rows.astype(np.int64), forbid, colok, float(scale), u, v, p, q,
                             ptr, pcols, _ROW_ADD, ps, out_r, out_c, out_s, out_b, hv, above)
        n_viol += int(nv)
        add_r.append(out_r[:t])
        add_c.append(out_c[:t])
        add_s.append(out_s[:t])
        add_g.append(out_b[:t])
    bounds.hv[need_rows] = hv[need_rows]
    bounds.snap[need_rows] = snap_id
    bounds.counted[need_rows] = True
    bounds.above[need_rows] = above[need_rows]
    bounds.count_ps[need_rows] = ps[need_rows]
    if add_r:
        sc = np.concatenate(add_s)
        pool.add(np.concatenate(add_r), np.concatenate(add_c), sc, np.rint(sc * scale),
                 np.concatenate(add_g))
    return len(need_rows), n_viol


# --------------------------------------------------------------------------- public API


def solve_assignment(scores: np.ndarray, *, allowed: np.ndarray | None = None,
                     capacity: np.ndarray | None = None) -> Assignment:
    """Exact lexicographic optimum: most matched mentees, then highest total score.

    ``scores``: (n_mentees, n_mentors) numbers, higher is better.  ``allowed``: bool
    mask of the same shape (None = all allowed).  ``capacity``: ints per mentor
    (None = 1 each).  Raises ValueError on malformed input.
    """
    s = _check_scores(scores)
    a = _check_allowed(allowed, s.shape)
    cap = _check_capacity(capacity, s.shape[1])
    n, m = s.shape
    return _solve_scorer(DenseScorer(s, a), cap, k=8, block_rows=None,
                         all_pairs=n * m <= _ALL_PAIRS_LIMIT)


def solve_sparse(scorer: BlockScorer, *, capacity: np.ndarray | None = None, k: int = 8,
                 pool: int | None = None, block_rows: int | None = None) -> Assignment:
    """Same optimum as ``solve_assignment`` without a dense score matrix.

    ``scorer.block(rows)`` is called a bounded number of rows at a time: once over
    all rows for a candidate pool (about ``pool`` pairs per mentee and per mentor,
    by threshold; default 160), of which the top ``k`` per side start the
    solver's graph; then only for the rows whose pairs might beat the
    certificate (pricing), repeating the solve until no allowed pair does.
    Memory stays O(block + pool).
    """
    _n, m = scorer.shape
    if k < 1:
        raise ValueError("k must be at least 1")
    cap = _check_capacity(capacity, m)
    return _solve_scorer(scorer, cap, k=k, block_rows=block_rows, all_pairs=False, pool=pool)


def _max_card(n: int, m: int, rows: np.ndarray, cols: np.ndarray, cap: np.ndarray
              ) -> tuple[int, np.ndarray, np.ndarray]:
    used = _flow(n, m, rows, cols, None, cap)
    matched = np.zeros(n, dtype=bool)
    matched[rows[used]] = True
    p, q = _cover(n, m, rows, cols, used, matched)
    return int(used.sum()), p, q


def solve_fair(scores: np.ndarray, *, allowed: np.ndarray | None = None,
               capacity: np.ndarray | None = None) -> Assignment:
    """Fair mode: among maximum-cardinality matchings, maximise the lowest pair
    score, then the total.  Binary search over distinct score values, each step a
    cardinality check; then an exact solve with lower-scoring pairs forbidden."""
    s = _check_scores(scores)
    a = _check_allowed(allowed, s.shape)
    cap = _check_capacity(capacity, s.shape[1])
    n, m = s.shape
    if n == 0 or m == 0:
        return _empty_assignment(n, m)
    cap = np.minimum(cap, n)
    valid = (np.ones(s.shape, dtype=bool) if a is None else a) & (cap > 0)[None, :]
    rows, cols = np.nonzero(valid)
    sc = s[rows, cols]
    best, p0, q0 = _max_card(n, m, rows, cols, cap)
    if best == 0:
        return _empty_assignment(n, m)
    values = np.unique(sc)
    lo, hi = 0, len(values) - 1  # values[lo] always reaches `best`
    while lo < hi:
        mid = (lo + hi + 1) // 2
        keep = sc >= values[mid]
        if _max_card(n, m, rows[keep], cols[keep], cap)[0] == best:
            lo = mid
        else:
            hi = mid - 1
    thr = float(values[lo])
    above = sc > thr
    _, pb, qb = _max_card(n, m, rows[above], cols[above], cap)
    keep = sc >= thr
    r2, c2, s2 = rows[keep], cols[keep], sc[keep]
    scale = _scale_for(float(np.abs(s2).max()), n + m)
    sol = _solve_edges(n, m, r2, c2, np.rint(s2 * scale), cap)
    extra = {
        "cardinality_mentee_cover": p0, "cardinality_mentor_cover": q0,
        "bottleneck_mentee_cover": pb, "bottleneck_mentor_cover": qb,
    }
    return _assignment(n, m, r2, c2, s2, sol, scale, {}, threshold=thr, extra=extra)


# --------------------------------------------------------------------------- verification


def verify(assignment: Assignment, scores: np.ndarray | BlockScorer, *,
           allowed: np.ndarray | None = None, capacity: np.ndarray | None = None,
           rtol: float = 1e-9) -> bool:
    """Independent check: True only if the assignment is feasible and its
    certificate proves it optimal (lexicographic objective, or fair mode when the
    certificate carries a threshold).  Checks every allowed pair, blockwise.
    Pairs with a zero-capacity mentor can never be used and are not checked.
    """
    if isinstance(scores, np.ndarray) or not hasattr(scores, "block"):
        s = _check_scores(scores)
        a = _check_allowed(allowed, s.shape)
        scorer: BlockScorer = DenseScorer(s, a)
    else:
        scorer = scores  # type: ignore[assignment]
    n, m = scorer.shape
    cap = _check_capacity(capacity, m)
    cap = np.minimum(cap, n)
    cert = assignment.certificate
    if (assignment.n_mentees, assignment.n_mentors) != (n, m):
        return False
    arrays = [cert.mentee_cover, cert.mentor_cover, cert.mentee_dual, cert.mentor_dual]
    if [len(x) for x in arrays] != [n, m, n, m]:
        return False
    p = np.asarray(cert.mentee_cover, dtype=bool)
    q = np.asarray(cert.mentor_cover, dtype=bool)
    u = np.asarray(cert.mentee_dual, dtype=np.float64)
    v = np.asarray(cert.mentor_dual, dtype=np.float64)
    if not (np.isfinite(u).all() and np.isfinite(v).all()):
        return False

    # Feasibility of the pairs themselves.
    pr = np.array(assignment.pairs, dtype=np.int64).reshape(-1, 2)
    pi, pj = pr[:, 0], pr[:, 1]
    if len(pr) and (pi.min() < 0 or pi.max() >= n or pj.min() < 0 or pj.max() >= m):
        return False
    if len(np.unique(pi)) != len(pi):
        return False
    load = np.bincount(pj, minlength=m)
    if (load > cap).any():
        return False
    matched = np.zeros(n, dtype=bool)
    matched[pi] = True
    if tuple(np.flatnonzero(~matched).tolist()) != tuple(assignment.unmatched):
        return False

    cap_ok = cap > 0
    thr = cert.threshold
    pair_s = np.zeros(len(pr))
    max_abs = 0.0
    mentee_blocks = _row_blocks(n, m, None)
    # First pass: pair scores, pair feasibility, scale for the tolerance.
    for rows in mentee_blocks:
        s, al = scorer.block(rows)
        valid = al & cap_ok[None, :]
        if valid.any():
            max_abs = max(max_abs, float(np.abs(s[valid]).max()))
        sel = np.flatnonzero((pi >= rows[0]) & (pi <= rows[-1]))
        if len(sel):
            loc = np.searchsorted(rows, pi[sel])
            if not (rows[loc] == pi[sel]).all() or not valid[loc, pj[sel]].all():
                return False
            pair_s[sel] = s[loc, pj[sel]]
    tol = rtol * max(1.0, max_abs)
    if not math.isclose(math.fsum(pair_s.tolist()), assignment.total,
                        rel_tol=1e-12, abs_tol=tol * max(1, len(pr))):
        return False
    if thr is not None:
        if len(pr) == 0 or (pair_s < thr).any() or pair_s.min() != thr:
            return False
        if any(x is None for x in (cert.cardinality_mentee_cover, cert.cardinality_mentor_cover,
                                   cert.bottleneck_mentee_cover, cert.bottleneck_mentor_cover)):
            return False
        p0 = np.asarray(cert.cardinality_mentee_cover, dtype=bool)
        q0 = np.asarray(cert.cardinality_mentor_cover, dtype=bool)
        pb = np.asarray(cert.bottleneck_mentee_cover, dtype=bool)
        qb = np.asarray(cert.bottleneck_mentor_cover, dtype=bool)
        if [len(p0), len(q0), len(pb), len(qb)] != [n, m, n, m]:
            return False
        # The matching is as large as any (cover of all pairs of the same size) and
        # no matching that large exists on pairs scoring above the threshold.
        if int(p0.sum() + cap[q0].sum()) != len(pr):
            return False
        if int(pb.sum() + cap[qb].sum()) >= len(pr):
            return False

    # Complementary slackness on the chosen pairs and on the nodes.
    if len(pr):
        if ((p[pi].astype(int) + q[pj].astype(int)) != 1).any():
            return False
        if (np.abs(u[pi] + v[pj] - pair_s) > tol).any():
            return False
    if p[~matched].any() or (np.abs(u[~matched]) > tol).any():
        return False
    not_full = (load < cap) & cap_ok
    if q[not_full].any() or (np.abs(v[not_full]) > tol).any():
        return False
    if (u[~p] < -tol).any() or (v[~q & cap_ok] < -tol).any():
        return False
    if int(p.sum() + cap[q & cap_ok].sum()) != len(pr):
        return False

    # Dual feasibility on every allowed pair.
    for rows in mentee_blocks:
        s, al = scorer.block(rows)
        valid = al & cap_ok[None, :]
        pr_ = p[rows][:, None]
        q_ = q[None, :]
        if thr is not None:
            if (valid & ~(p0[rows][:, None] | q0[None, :])).any():
                return False
            if (valid & (s > thr) & ~(pb[rows][:, None] | qb[None, :])).any():
                return False
            valid = valid & (s >= thr)
        if (valid & ~pr_ & ~q_).any():
            return False
        once = valid & (pr_ != q_)
        if (once & (s > u[rows][:, None] + v[None, :] + tol)).any():
            return False
    return True

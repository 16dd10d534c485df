"""Fused passes over blocks of scores for large cohorts (compiled with numba).

The engine scores a block of mentees against every mentor with one matrix
product; everything it then needs from that block is gathered here in a single
sweep, instead of several whole-block numpy passes:

* ``scan_candidates``: the exact k best allowed pairs of every row and every
  column (min-heaps), and the largest |score|;
* ``scan_pricing``: pairs outside the candidate pool that break the current
  certificate, and each row's best remaining pairs by ``score - price``;

A block arrives "masked": forbidden cells hold a value at or below ``forbid``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["build_pool", "column_floors", "scan_candidates", "scan_pricing", "stable_order"]


@njit(cache=True, nogil=True, inline="always")
def _sift_down(vals: np.ndarray, idx: np.ndarray, size: int) -> None:
    i = 0
    while True:
        a = 2 * i + 1
        if a >= size:
            return
        c = a
        b = a + 1
        if b < size and vals[b] < vals[a]:
            c = b
        if vals[i] <= vals[c]:
            return
        vals[c], vals[i] = vals[i], vals[c]
        idx[c], idx[i] = idx[i], idx[c]
        i = c


@njit(cache=True, nogil=True, inline="always")
def _offer(vals: np.ndarray, idx: np.ndarray, size: int, k: int, value: float,
           item: int) -> int:
    """Keep the k largest values in a min-heap; returns the new size."""
    if size < k:
        i = size
        vals[i] = value
        idx[i] = item
        while i > 0:
            p = (i - 1) >> 1
            if vals[p] <= vals[i]:
                break
            vals[p], vals[i] = vals[i], vals[p]
            idx[p], idx[i] = idx[i], idx[p]
            i = p
        return size + 1
    if value > vals[0]:
        vals[0] = value
        idx[0] = item
        _sift_down(vals, idx, size)
    return size


@njit(cache=True, nogil=True)
def scan_candidates(s: np.ndarray, row0: int, forbid: float, colok: np.ndarray, k: int,
                    scols: np.ndarray, kr: int, rv: np.ndarray, ri: np.ndarray,
                    rs: np.ndarray, rfloor: np.ndarray, cv: np.ndarray, ci: np.ndarray,
                    cs: np.ndarray, croot: np.ndarray) -> None:
    """One block (rows ``row0 ..``): keep the k best allowed pairs of every row
    (rv/ri/rs, by global row) and every column (cv/ci/cs, persistent across
    blocks).

    Only pairs above a floor are offered to a heap: a column's floor starts at
    ``croot`` (float32; an estimate of its k-th best from sampled rows, -inf =
    none) and rises to the heap's smallest value once the heap is full; a row's
    floor is the kr-th best of its sampled columns ``scols`` (empty: none).
    ``rfloor`` records each row's starting floor: a pair left out of a row's heap
    scores at most max(floor, heap minimum)."""
    br, m = s.shape
    ns = len(scols)
    ev = np.empty(max(kr, 1))
    ei = np.empty(max(kr, 1), dtype=np.int64)
    sbuf = np.empty(max(ns, 1), dtype=np.float32)
    buf = np.empty(m, dtype=np.int64)
    f32 = np.float32(forbid) if forbid > -3.0e38 else np.float32(-np.inf)
    ninf = np.float32(-np.inf)
    for lr in range(br):
        r = row0 + lr
        floor = -np.inf
        if ns > 0:
            for t in range(ns):
                c = scols[t]
                x = s[lr, c]
                sbuf[t] = x if (x > f32 and colok[c]) else ninf
            es = 0
            for t in range(ns):
                x = sbuf[t]
                if x > ninf and (es < kr or x > ev[0]):
                    es = _offer(ev, ei, es, kr, np.float64(x), t)
            if es == kr:
                floor = ev[0]
        rfloor[r] = floor
        rroot = np.float32(floor)
        # Pass 1 (tight, branch-free): columns above the row's or the column's floor.
        nb = 0
        for c in range(m):
            x = s[lr, c]
            buf[nb] = c
            nb += (x > rroot) | (x > croot[c])
        # Pass 2: offer those to the heaps (floors only rise meanwhile).
        vals = rv[r]
        idx = ri[r]
        size = 0
        for t in range(nb):
            c = buf[t]
            x = s[lr, c]
            if x <= f32 or not colok[c]:
                continue
            xv = np.float64(x)
            if x > rroot:
                size = _offer(vals, idx, size, k, xv, c)
                if size == k:
                    rroot = np.float32(vals[0])
            if x > croot[c]:
                size_c = _offer(cv[c], ci[c], cs[c], k, xv, r)
                cs[c] = size_c
                if size_c == k:
                    croot[c] = np.float32(cv[c, 0])
        rs[r] = size


@njit(cache=True, nogil=True)
def column_floors(s: np.ndarray, forbid: float, colok: np.ndarray, k: int) -> np.ndarray:
    """The k-th best allowed value of each column of ``s`` (-inf if fewer)."""
    n, m = s.shape
    hv = np.empty((m, k))
    hi = np.empty((m, k), dtype=np.int64)
    hs = np.zeros(m, dtype=np.int64)
    root = np.full(m, -np.inf)
    for r in range(n):
        for c in range(m):
            x = np.float64(s[r, c])
            if x > root[c] and x > forbid and colok[c]:
                size = _offer(hv[c], hi[c], hs[c], k, x, r)
                hs[c] = size
                if size == k:
                    root[c] = hv[c, 0]
    return root


@njit(cache=True, nogil=True)
def build_pool(rv: np.ndarray, ri: np.ndarray, rs: np.ndarray, cv: np.ndarray,
               ci: np.ndarray, cs: np.ndarray, k_graph: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Union of the row and column heaps, without duplicates, and which pairs
    start in the solver's graph (the k_graph best of their row or column; ties
    by lower index)."""
    n, kk = rv.shape
    m = cv.shape[0]
    total = 0
    for r in range(n):
        total += rs[r]
    for c in range(m):
        total += cs[c]
    rows = np.empty(total, dtype=np.int64)
    cols = np.empty(total, dtype=np.int64)
    sc = np.empty(total, dtype=np.float64)
    graph = np.zeros(total, dtype=np.bool_)
    pos = np.full((n, kk), -1, dtype=np.int64)  # pool index of each row-heap entry
    t = 0
    for r in range(n):
        size = rs[r]
        for a in range(size):
            # rank within the row: pairs strictly better, or equal with lower column
            rank = 0
            for b in range(size):
                if rv[r, b] > rv[r, a] or (rv[r, b] == rv[r, a] and ri[r, b] < ri[r, a]):
                    rank += 1
            rows[t] = r
            cols[t] = ri[r, a]
            sc[t] = rv[r, a]
            graph[t] = rank < k_graph
            pos[r, a] = t
            t += 1
    for c in range(m):
        size = cs[c]
        for a in range(size):
            r = ci[c, a]
            rank = 0
            for b in range(size):
                if cv[c, b] > cv[c, a] or (cv[c, b] == cv[c, a] and ci[c, b] < r):
                    rank += 1
            dup = -1
            for b in range(rs[r]):
                if ri[r, b] == c:
                    dup = pos[r, b]
                    break
            if dup >= 0:
                if rank < k_graph:
                    graph[dup] = True
                continue
            rows[t] = r
            cols[t] = c
            sc[t] = cv[c, a]
            graph[t] = rank < k_graph
            t += 1
    return rows[:t], cols[:t], sc[:t], graph[:t]


@njit(cache=True, nogil=True)
def scan_pricing(s: np.ndarray, rows: np.ndarray, forbid: float, colok: np.ndarray,
                 scale: float, u: np.ndarray, v: np.ndarray, p: np.ndarray, q: np.ndarray,
                 pool_ptr: np.ndarray, pool_cols: np.ndarray, take: int, ps: np.ndarray,
                 out_r: np.ndarray, out_c: np.ndarray, out_s: np.ndarray,
                 out_bad: np.ndarray, hv: np.ndarray, above: np.ndarray) -> tuple[int, int]:
    """Rows ``rows`` (block ``s``): count pairs outside the pool that break the
    certificate, and hand back each row's ``take`` best outside pairs by
    ``score - v`` (cover breakers first) with their violation flag.  ``hv[i]``
    gets the best value among the outside pairs not handed back (-inf if none).
    ``pool_ptr``/``pool_cols``: the pool's columns of each block row (CSR).
    ``above[i]`` gets the number of allowed pairs of row i scoring above
    ``ps[i]`` (its partner's score; NaN = none), for the run report.
    Returns (violations, pairs written)."""
    br, m = s.shape
    sv = np.empty(m)
    hvals = np.empty(take + 1, dtype=np.float64)
    hidx = np.empty(take + 1, dtype=np.int64)
    n_viol = 0
    t = 0
    inf = np.inf
    f32 = np.float32(forbid) if forbid > -3.0e38 else np.float32(-np.inf)
    for lr in range(br):
        i = rows[lr]
        psi = ps[i]
        pi = p[i]
        npi = not pi
        ui = u[i]
        # Pass 1 (branch-free, vectorised): rank (score - price; cover breakers
        # first), violations, and the partner's rank count.
        cnt = 0
        nv = 0
        for c in range(m):
            x = s[lr, c]
            ok = (x > f32) & colok[c]
            xv = np.float64(x)
            cnt += ok & (xv > psi)
            r = xv * scale - v[c]
            qc = q[c]
            both = npi & (not qc)
            nv += ok & (both | ((pi != qc) & (r > ui)))
            sv[c] = (inf if both else r) if ok else -inf
        above[i] = cnt
        # Pool pairs are not "outside": take them back out.
        for e in range(pool_ptr[lr], pool_ptr[lr + 1]):
            c = pool_cols[e]
            r = sv[c]
            if r > -inf:
                nv -= (r == inf) | ((pi != q[c]) & (r > ui))
                sv[c] = -inf
        n_viol += nv
        # Pass 2: the take+1 best outside pairs (the test rarely passes once full).
        size = 0
        thr = -inf
        for c in range(m):
            x = sv[c]
            if x > thr:
                size = _offer(hvals, hidx, size, take + 1, x, c)
                if size == take + 1:
                    thr = hvals[0]
        # The smallest of the take+1 kept is the best one not handed back.
        start = 0
        if size == take + 1:
            hv[i] = hvals[0]
            start = 1
        else:
            hv[i] = -inf
        for a in range(start, size):
            c = hidx[a]
            out_r[t] = i
            out_c[t] = c
            x = np.float64(s[lr, c])
            out_s[t] = x
            out_bad[t] = (npi and not q[c]) or (pi != q[c] and x * scale - v[c] > ui)
            t += 1
    return n_viol, t


@njit(cache=True, nogil=True)
def shortest_from_all(n_nodes: int, ptr: np.ndarray, heads: np.ndarray, w: np.ndarray,
                      d: np.ndarray) -> bool:
    """Distances from a virtual source joined to every node at 0 (queue-based
    Bellman-Ford; arcs in CSR by tail).  Returns False on a negative cycle
    (a node relaxed more than n_nodes times)."""
    queue = np.empty(n_nodes + 1, dtype=np.int64)
    inq = np.ones(n_nodes, dtype=np.bool_)
    times = np.zeros(n_nodes, dtype=np.int64)
    for a in range(n_nodes):
        d[a] = 0.0
        queue[a] = a
    head = 0
    tail = n_nodes
    size = n_nodes
    cap = n_nodes + 1
    while size > 0:
        a = queue[head]
        head += 1
        if head == cap:
            head = 0
        size -= 1
        inq[a] = False
        da = d[a]
        for e in range(ptr[a], ptr[a + 1]):
            b = heads[e]
            nd = da + w[e]
            if nd < d[b]:
                d[b] = nd
                if not inq[b]:
                    times[b] += 1
                    if times[b] > n_nodes:
                        return False
                    inq[b] = True
                    queue[tail] = b
                    tail += 1
                    if tail == cap:
                        tail = 0
                    size += 1
    return True


@njit(cache=True, nogil=True)
def count_above(s: np.ndarray, thr: np.ndarray, forbid: float, colok: np.ndarray,
                out: np.ndarray) -> None:
    """``out[r]`` = allowed cells of row r scoring strictly above ``thr[r]``."""
    br, m = s.shape
    f32 = np.float32(forbid) if forbid > -3.0e38 else np.float32(-np.inf)
    for r in range(br):
        t = thr[r]
        cnt = 0
        for c in range(m):
            x = s[r, c]
            cnt += (x > f32) & (np.float64(x) > t) & colok[c]
        out[r] = cnt


@njit(cache=True, nogil=True)
def stable_order(keys: np.ndarray, n_keys: int) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for integer keys in [0, n_keys), by
    counting sort (linear time)."""
    start = np.zeros(n_keys + 1, dtype=np.int64)
    for k in keys:
        start[k + 1] += 1
    for a in range(n_keys):
        start[a + 1] += start[a]
    out = np.empty(len(keys), dtype=np.int64)
    for e in range(len(keys)):
        k = keys[e]
        out[start[k]] = e
        start[k] += 1
    return out


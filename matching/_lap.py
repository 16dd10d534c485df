"""Sparse square assignment by shortest augmenting paths, warm-startable.

The engine's candidate graph grows between solve rounds by a few hundred or
thousand edges; re-solving it cold costs as much as the first solve.  This
solver keeps its assignment and dual prices between rounds: new edges that
beat the prices lower their row's price and free that row if its old edge is no
longer tight, and only the freed rows are re-augmented.

The problem is the classic square linear assignment problem (every row to one
column, minimum total cost) on a sparse graph in CSR form, with int64 costs so
that every sum is exact.  Prices follow the shortest-augmenting-path method of
Jonker and Volgenant as written up by Crouse (2016): reduced costs
``cost - u[row] - v[col]`` stay non-negative, assigned edges have reduced cost
zero, and each augmentation is a Dijkstra search (binary heap) from one free row
to the nearest free column.  Compiled with numba; the compiled code is cached
on disk next to this file (or under ``NUMBA_CACHE_DIR``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["INF", "augment", "reprice"]

INF = np.int64(2**62)


@njit(cache=True, nogil=True)
def _push(hk: np.ndarray, hv: np.ndarray, size: int, key: np.int64, val: np.int64) -> int:
    i = size
    hk[i] = key
    hv[i] = val
    while i > 0:
        p = (i - 1) >> 1
        if hk[p] < hk[i] or (hk[p] == hk[i] and hv[p] <= hv[i]):
            break
        hk[p], hk[i] = hk[i], hk[p]
        hv[p], hv[i] = hv[i], hv[p]
        i = p
    return size + 1


@njit(cache=True, nogil=True)
def _pop(hk: np.ndarray, hv: np.ndarray, size: int) -> int:
    """Remove the root (the caller has read it); returns the new size."""
    size -= 1
    if size == 0:
        return 0
    hk[0] = hk[size]
    hv[0] = hv[size]
    i = 0
    while True:
        a = 2 * i + 1
        if a >= size:
            break
        b = a + 1
        c = a
        if b < size and (hk[b] < hk[a] or (hk[b] == hk[a] and hv[b] < hv[a])):
            c = b
        if hk[i] < hk[c] or (hk[i] == hk[c] and hv[i] <= hv[c]):
            break
        hk[c], hk[i] = hk[i], hk[c]
        hv[c], hv[i] = hv[i], hv[c]
        i = c
    return size


@njit(cache=True, nogil=True)
def reprice(indptr: np.ndarray, indices: np.ndarray, cost: np.ndarray, x: np.ndarray,
            y: np.ndarray, u: np.ndarray, v: np.ndarray) -> int:
    """Step 1 of :func:`augment`: each row's price becomes its cheapest reduced
    edge, and a row whose assigned edge is no longer the cheapest is freed (its
    column keeps its price).  Returns the number of free rows, or -1 if a row
    has no edge at all."""
    n = len(x)
    free = 0
    for r in range(n):
        lo = indptr[r]
        hi = indptr[r + 1]
        best = INF
        own = INF
        for e in range(lo, hi):
            c = indices[e]
            d = cost[e] - v[c]
            if d < best:
                best = d
            if c == x[r]:
                own = d
        if hi == lo:
            return -1
        if x[r] >= 0:
            if best < own:
                y[x[r]] = -1
                x[r] = -1
                u[r] = best
            else:
                u[r] = own
        else:
            u[r] = best
        if x[r] < 0:
            free += 1
    return free


@njit(cache=True, nogil=True)
def augment(indptr: np.ndarray, indices: np.ndarray, cost: np.ndarray, x: np.ndarray,
            y: np.ndarray, u: np.ndarray, v: np.ndarray, cold: bool,
            budget: int = -1) -> int:
    """Bring (x, y, u, v) to an optimal assignment of the given graph, in place.

    ``x[row]`` is the row's column (or -1), ``y[col]`` the column's row (or -1),
    ``u``/``v`` the prices.  On a warm start they hold the optimum of a subgraph
    (same rows and columns, fewer edges).  Returns the number of augmentations,
    or -1 if some row cannot be assigned (no perfect assignment exists), or -2
    if the searches scanned more than ``budget`` arcs (when ``budget >= 0``;
    the state is then a partial augmentation, not an optimum).
    """
    n = len(x)
    # 1. Prices (see reprice): rows whose edge is no longer the cheapest are freed.
    if reprice(indptr, indices, cost, x, y, u, v) < 0:
        return -1
    # 2. Cold start: give each row a free column on a tight edge when one exists.
    if cold:
        for r in range(n):
            if x[r] >= 0:
                continue
            for e in range(indptr[r], indptr[r + 1]):
                c = indices[e]
                if y[c] < 0 and cost[e] - v[c] == u[r]:
                    x[r] = c
                    y[c] = r
                    break
    # 3. Shortest augmenting paths from each free row.
    dist = np.full(n, INF, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    pred = np.full(n, -1, dtype=np.int64)
    touched = np.empty(n, dtype=np.int64)
    scanned = np.empty(n, dtype=np.int64)
    cap = len(indices) + n + 1
    hk = np.empty(cap, dtype=np.int64)
    hv = np.empty(cap, dtype=np.int64)
    count = 0
    arcs = 0
    for r0 in range(n):
        if x[r0] >= 0:
            continue
        if budget >= 0 and arcs > budget:
            return -2
        count += 1
        arcs += indptr[r0 + 1] - indptr[r0]
        nt = 0
        ns = 0
        size = 0
        for e in range(indptr[r0], indptr[r0 + 1]):
            c = indices[e]
            d = cost[e] - u[r0] - v[c]
            if d < dist[c]:
                if dist[c] == INF:
                    touched[nt] = c
                    nt += 1
                dist[c] = d
                pred[c] = r0
                if size >= cap:
                    return -1
                size = _push(hk, hv, size, d, c)
        sink = -1
        minval = INF
        while size > 0:
            d = hk[0]
            c = hv[0]
            size = _pop(hk, hv, size)
            if done[c] or d > dist[c]:
                continue
            done[c] = True
            scanned[ns] = c
            ns += 1
            if y[c] < 0:
                sink = c
                minval = d
                break
            r = y[c]
            base = d - u[r]
            arcs += indptr[r + 1] - indptr[r]
            for e in range(indptr[r], indptr[r + 1]):
                c2 = indices[e]
                if done[c2]:
                    continue
                nd = base + cost[e] - v[c2]
                if nd < dist[c2]:
                    if dist[c2] == INF:
                        touched[nt] = c2
                        nt += 1
                    dist[c2] = nd
                    pred[c2] = r
                    if size >= cap:
                        # Lazy deletion overflow: compact by restarting is not
                        # needed in practice; treat as failure loudly.
                        return -1
                    size = _push(hk, hv, size, nd, c2)
        if sink < 0:
            return -1
        # Prices (Crouse): the start row, the rows reached, the scanned columns.
        u[r0] += minval
        for k in range(ns):
            c = scanned[k]
            if c == sink:
                continue
            delta = minval - dist[c]
            u[y[c]] += delta
            v[c] -= delta
        # Flip the path.
        c = sink
        while True:
            r = pred[c]
            y[c] = r
            prev = x[r]
            x[r] = c
            if r == r0:
                break
            c = prev
        for k in range(nt):
            c = touched[k]
            dist[c] = INF
            done[c] = False
            pred[c] = -1
    return count


@njit(cache=True, nogil=True)
def prices_for(indptr: np.ndarray, indices: np.ndarray, cost: np.ndarray, x: np.ndarray,
               u: np.ndarray, v: np.ndarray) -> bool:
    """Prices for a known optimal perfect assignment ``x`` (row -> column).

    Column prices are shortest distances (queue-based Bellman-Ford, every column
    a source at 0) over arcs ``x[r] -> c`` of length ``cost(r, c) - cost(r, x[r])``;
    row prices follow from the assigned edges.  Returns False if the distances
    do not settle (a negative cycle: ``x`` was not optimal).
    """
    n = len(x)
    own = np.empty(n, dtype=np.int64)
    row_of = np.empty(n, dtype=np.int64)
    for r in range(n):
        own[r] = INF
        for e in range(indptr[r], indptr[r + 1]):
            if indices[e] == x[r]:
                own[r] = cost[e]
        if own[r] == INF:
            return False
        row_of[x[r]] = r
    for c in range(n):
        v[c] = 0
    queue = np.empty(n + 1, dtype=np.int64)
    inq = np.ones(n, dtype=np.bool_)
    for c in range(n):
        queue[c] = c
    head = 0
    tail = n
    size = n
    pops = 0
    limit = np.int64(n) * np.int64(n) + 10
    while size > 0:
        a = queue[head]
        head = (head + 1) % (n + 1)
        size -= 1
        inq[a] = False
        pops += 1
        if pops > limit:
            return False
        r = row_of[a]
        base = v[a] - own[r]
        for e in range(indptr[r], indptr[r + 1]):
            c = indices[e]
            nd = base + cost[e]
            if nd < v[c]:
                v[c] = nd
                if not inq[c]:
                    inq[c] = True
                    queue[tail] = c
                    tail = (tail + 1) % (n + 1)
                    size += 1
    for r in range(n):
        u[r] = own[r] - v[x[r]]
    return True


@njit(cache=True, nogil=True)
def slot_graph(n: int, rows: np.ndarray, cols: np.ndarray, w: np.ndarray, cap: np.ndarray,
               slot_start: np.ndarray, big: np.int64
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The square assignment graph of ``matching._jv`` in CSR form, built directly.

    Rows 0..n-1 are mentees, n..n+S-1 the place fillers; columns 0..S-1 the mentor
    places, S..S+n-1 the mentees' "unmatched" columns.  A mentee's arcs: one per
    place of each of its mentors (edge order), then its own "unmatched" column; a
    filler's: its own place, then the "unmatched" column of each mentee with an
    edge to its mentor (edge order).  Edges to mentors without places are
    dropped."""
    S = slot_start[len(slot_start) - 1]
    size = n + S
    ptr = np.zeros(size + 1, dtype=np.int64)
    for e in range(len(rows)):
        k = cap[cols[e]]
        if k <= 0:
            continue
        ptr[rows[e] + 1] += k
        first = slot_start[cols[e]]
        for a in range(k):
            ptr[n + first + a + 1] += 1
    for a in range(size):
        ptr[a + 1] += ptr[a] + 1  # each row's own arc (unmatched column / own place)
    fill = ptr[:-1].copy()
    heads = np.empty(ptr[size], dtype=np.int64)
    cost = np.zeros(ptr[size], dtype=np.int64)
    for e in range(len(rows)):
        c = cols[e]
        k = cap[c]
        r = rows[e]
        for a in range(k):
            t = fill[r]
            heads[t] = slot_start[c] + a
            cost[t] = -(w[e] + big)
            fill[r] = t + 1
    for i in range(n):
        heads[fill[i]] = S + i
        fill[i] += 1
    for a in range(S):
        heads[fill[n + a]] = a
        fill[n + a] += 1
    for e in range(len(rows)):
        c = cols[e]
        k = cap[c]
        r = rows[e]
        for a in range(k):
            f = n + slot_start[c] + a
            heads[fill[f]] = S + r
            fill[f] += 1
    return ptr, heads, cost

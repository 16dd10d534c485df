"""The warm-started assignment solver (matching._jv / matching._lap)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import ProfileScorer, engine, match_profiles, verify
from matching._jv import WarmMatcher
from matching._lap import slot_graph
from matching.engine import _flow


def _value(rows, cols, units, used):
    return int(used.sum()), int(units[used].sum())


def _check_matching(n, rows, cols, used, cap):
    assert len(set(rows[used].tolist())) == int(used.sum())  # each mentee once
    load = np.bincount(cols[used], minlength=len(cap))
    assert (load <= cap).all()
    del n


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 9), m=st.integers(1, 7),
       steps=st.integers(1, 4))
def test_growing_graph_matches_cold_flow(seed, n, m, steps):
    """After each batch of new edges the warm answer has the same value (pairs,
    then total) as a cold min-cost flow on the whole edge set."""
    rng = np.random.default_rng(seed)
    cap = rng.integers(0, 3, size=m)
    pairs = [(i, j) for i in range(n) for j in range(m) if rng.random() < 0.7]
    rng.shuffle(pairs)
    if not pairs:
        return
    units = {p: int(rng.integers(-20, 60)) for p in pairs}
    cuts = sorted(set(np.linspace(1, len(pairs), steps + 1).astype(int).tolist()))
    wm = WarmMatcher(n, cap, span=120)
    first = True
    for cut in cuts:
        batch = pairs[:cut]
        rows = np.array([p[0] for p in batch])
        cols = np.array([p[1] for p in batch])
        w = np.array([units[p] for p in batch])
        cold = _flow(n, m, rows, cols, w.astype(float), cap)
        if first and seed % 2:
            wm.start(rows, cols, w, cold)  # as the engine does after a cold round
            used = wm.solve(rows, cols, w)
        else:
            used = wm.solve(rows, cols, w)
        first = False
        _check_matching(n, rows, cols, used, cap)
        assert _value(rows, cols, w, used) == _value(rows, cols, w, cold)


def _slot_graph_reference(wm, rows, cols, w):
    """The assignment graph built arc list first, then grouped by tail (stable)."""
    n, S = wm.n, wm.slots
    ok = wm.cap[cols] > 0
    r, c, w = rows[ok], cols[ok], w[ok]
    k = wm.cap[c]
    rep_r = np.repeat(r, k)
    rep_s = np.repeat(wm.slot_start[c], k) + (np.arange(len(rep_r))
                                              - np.repeat(np.cumsum(k) - k, k))
    tails = np.concatenate([rep_r, np.arange(n), n + np.arange(S), n + rep_s])
    heads = np.concatenate([rep_s, S + np.arange(n), np.arange(S), S + rep_r])
    cost = np.concatenate([-(np.repeat(w, k) + wm.big), np.zeros(n + S + len(rep_r))])
    order = np.argsort(tails, kind="stable")
    ptr = np.searchsorted(tails[order], np.arange(n + S + 1))
    return ptr, heads[order], cost[order].astype(np.int64)


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 10), m=st.integers(1, 8))
def test_slot_graph_equals_the_arc_list_construction(seed, n, m):
    rng = np.random.default_rng(seed)
    cap = rng.integers(0, 4, size=m)
    e = int(rng.integers(0, n * m + 1))
    rows, cols = rng.integers(0, n, e), rng.integers(0, m, e)
    w = rng.integers(-50, 50, e)
    wm = WarmMatcher(n, cap, span=100)
    got = slot_graph(n, rows, cols, w, wm.cap, wm.slot_start, wm.big)
    for a, b in zip(got, _slot_graph_reference(wm, rows, cols, w), strict=True):
        assert np.array_equal(a, b)


def test_rejects_ranges_too_wide_for_exact_integers():
    # Today numpy's int64 conversion overflows before WarmMatcher's own check ("score range too
    # wide ...") is reached; either text is the refusal this test is about.
    with pytest.raises(OverflowError, match=r"too large to convert|too wide for the exact integer"):
        WarmMatcher(10, np.ones(10, dtype=int), span=2.0**60)


def _profiles(n, seed):
    from matching import MenteeProfile, MentorProfile

    rng = np.random.default_rng(seed)
    topics = [f"t{k}" for k in range(12)]
    mentees = [MenteeProfile(id=f"e{i}", level=int(rng.integers(5, 9)),
                             team=f"team{i % 40}",
                             wants=frozenset(rng.choice(topics, 3, replace=False).tolist()),
                             interests=frozenset(rng.choice(topics, 2).tolist()))
               for i in range(n)]
    # Skewed: a few mentors offer what most mentees want.
    mentors = [MentorProfile(id=f"r{j}", level=int(rng.integers(1, 6)), team=f"team{j % 37}",
                             offers=frozenset(topics[:4] if j < n // 10
                                              else rng.choice(topics, 2).tolist()),
                             capacity=1 + (j % 2))
               for j in range(n)]
    return mentees, mentors


@pytest.mark.parametrize(("edges_per_free_row", "arcs_per_edge"),
                         [(1, 10**9), (10**9, 10**9), (1, 0)])
def test_engine_with_warm_rounds_is_certified_and_equals_cold(monkeypatch, edges_per_free_row,
                                                               arcs_per_edge):
    mentees, mentors = _profiles(600, seed=4)
    cold = match_profiles(mentees, mentors, explain=False, report=False)
    assert cold.assignment.stats.get("warm_rounds", 0) == 0
    # Force the warm path on this small cohort and a small pool, so that rounds
    # after the first re-use the previous optimum (1 edge per freed row: always
    # warm), or start warm and give up when more than 32 rows are freed, or give
    # up part-way through the searches once they scan more arcs than allowed.
    monkeypatch.setattr(engine, "_FAST_CELLS", 0)
    monkeypatch.setattr(engine, "_FAST_POOL_K", 4)
    monkeypatch.setattr(engine, "_WARM_EDGES_PER_FREE_ROW", edges_per_free_row)
    monkeypatch.setattr(engine, "_WARM_ARCS_PER_EDGE", arcs_per_edge)
    warm = match_profiles(mentees, mentors, explain=False, report=False)
    assert warm.assignment.stats["rounds"] > 1
    if edges_per_free_row == 1 and arcs_per_edge > 0:
        assert warm.assignment.stats["warm_rounds"] >= 1
        assert warm.assignment.stats["warm_abandoned"] == 0
    else:
        assert warm.assignment.stats["warm_abandoned"] >= 1
    assert warm.verify()
    assert len(warm.pairs) == len(cold.pairs)
    assert warm.assignment.total == pytest.approx(cold.assignment.total, rel=1e-12)
    scorer = ProfileScorer(mentees, mentors)
    assert verify(warm.assignment, scorer, capacity=warm.capacity)


@pytest.mark.parametrize(("n", "m", "cap", "pool"), [(300, 200, 2, 3), (400, 400, 1, 2),
                                                      (200, 500, 3, 4), (350, 350, 1, 1)])
@pytest.mark.parametrize("floor_sample", [0, 40])
def test_fast_passes_equal_all_pairs_optimum(monkeypatch, n, m, cap, pool, floor_sample):
    """The fused candidate and pricing passes (forced on small dense inputs, with a
    tiny pool so that pricing must add pairs) reach the all-pairs optimum."""
    from matching import DenseScorer, solve_sparse
    from matching.engine import _solve_scorer

    rng = np.random.default_rng(n * m)
    scores = rng.random((n, 6)) @ rng.random((m, 6)).T + rng.random((n, m))
    scores[:, :5] += 3  # a few mentors everyone wants
    allowed = rng.random((n, m)) >= 0.15
    capacity = np.full(m, cap)
    monkeypatch.setattr(engine, "_FAST_CELLS", 0)
    if floor_sample:  # sampled floors (normally only above 4096 per side)
        monkeypatch.setattr(engine, "_FLOOR_SAMPLE", floor_sample)
    fast = solve_sparse(DenseScorer(scores, allowed), capacity=capacity, k=1, pool=pool,
                        block_rows=50)
    assert fast.stats["fast_passes"] == 1
    assert fast.stats["rows_priced"] > 0
    full = _solve_scorer(DenseScorer(scores, allowed), capacity, k=1, block_rows=None,
                         all_pairs=True)
    assert fast.matched == full.matched
    assert fast.total == pytest.approx(full.total, rel=1e-12)
    assert verify(fast, scores, allowed=allowed, capacity=capacity)


@pytest.mark.parametrize("pool", [2, 6, 48])
@pytest.mark.slow
def test_fast_path_ranks_equal_the_report_pass(monkeypatch, pool):
    """Ranks read off the candidate pool (re-scoring rows and columns whose
    partner sits below the pool's threshold) equal the report's full pass."""
    from matching import run_report

    mentees, mentors = _profiles(600, seed=9)
    monkeypatch.setattr(engine, "_FAST_CELLS", 0)
    monkeypatch.setattr(engine, "_FAST_POOL_K", pool)
    monkeypatch.setattr(engine, "_FLOOR_SAMPLE", 50)
    monkeypatch.setattr(engine, "_ROW_ADD", 1)  # keep pricing from filling the rows in
    res = match_profiles(mentees, mentors, explain=False, report=True)
    a = res.assignment
    assert a.ranks is not None and res.report is not None
    slow = run_report(replace_ranks(a), res.scorer, capacity=res.scorer.capacity)
    assert res.report.mean_mentee_rank == pytest.approx(slow.mean_mentee_rank, rel=1e-12)
    assert res.report.mean_mentor_rank == pytest.approx(slow.mean_mentor_rank, rel=1e-12)
    # Per pair, against a direct count on the full score matrix.
    s, allowed = res.scorer.block(np.arange(len(mentees)))
    ok = allowed & (res.scorer.capacity > 0)[None, :]
    for k, (i, j) in enumerate(a.pairs):
        assert a.ranks[0][k] == 1 + int((ok[i] & (s[i] > s[i, j])).sum())
        assert a.ranks[1][k] == 1 + int((ok[:, j] & (s[:, j] > s[i, j])).sum())


def replace_ranks(a):
    from dataclasses import replace

    return replace(a, ranks=None)


@pytest.mark.parametrize("cap", [1, 2])
def test_pool_ranks_rescore_rows_and_columns_below_the_pool(cap):
    """Rows whose partner sits below the row threshold, and columns below the
    column threshold, are re-scored: ranks still equal a direct count."""
    from matching import DenseScorer, solve_assignment
    from matching.engine import _Pool, _pool_ranks, _row_blocks

    rng = np.random.default_rng(cap)
    n, m = 60, 45
    scores = rng.random((n, m))
    allowed = rng.random((n, m)) > 0.2
    capacity = np.full(m, cap)
    a = solve_assignment(scores, allowed=allowed, capacity=capacity)
    masked = np.where(allowed, scores, -np.inf)
    top = np.argsort(-masked, axis=1)[:, :1]
    pairs = {(i, int(j)) for i in range(n) for j in top[i] if allowed[i, j]} | set(a.pairs)
    pr = sorted(pairs)
    r = np.array([p[0] for p in pr])
    c = np.array([p[1] for p in pr])
    sc = scores[r, c]
    pool = _Pool(r, c, sc, sc, np.ones(len(r), dtype=bool))
    row_thr = masked.max(axis=1)  # pairs outside the pool score <= this
    col_thr = masked.max(axis=0)  # a valid (loose) bound: every column is re-scored
    ranks = _pool_ranks(DenseScorer(scores, allowed), a, pool, np.ones(m, dtype=bool),
                        row_thr, col_thr, _row_blocks(n, m, 16))
    # Some partners rank third or lower: only a re-score can count them.
    assert any((masked[i] > scores[i, j]).sum() >= 2 for i, j in a.pairs)
    for k, (i, j) in enumerate(a.pairs):
        assert ranks[0][k] == 1 + int((masked[i] > scores[i, j]).sum())
        assert ranks[1][k] == 1 + int((masked[:, j] > scores[i, j]).sum())


def test_stable_order_is_a_stable_argsort():
    from matching._kernels import stable_order

    rng = np.random.default_rng(3)
    for n_keys in (1, 7, 500):
        keys = rng.integers(0, n_keys, size=2000).astype(np.int64)
        assert np.array_equal(stable_order(keys, n_keys), np.argsort(keys, kind="stable"))
    assert len(stable_order(np.zeros(0, dtype=np.int64), 3)) == 0

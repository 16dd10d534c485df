"""The warm-started assignment solver (matching._jv / matching._lap)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import ProfileScorer, engine, match_profiles, verify
from matching._jv import WarmMatcher
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


def test_rejects_ranges_too_wide_for_exact_integers():
    with pytest.raises(OverflowError):
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


def test_engine_with_warm_rounds_is_certified_and_equals_cold(monkeypatch):
    mentees, mentors = _profiles(600, seed=4)
    cold = match_profiles(mentees, mentors, explain=False, report=False)
    assert cold.assignment.stats.get("warm_rounds", 0) == 0
    # Force the warm path on this small cohort and a small pool, so that rounds
    # after the first re-use the previous optimum.
    monkeypatch.setattr(engine, "_WARM_CELLS", 0)
    monkeypatch.setattr(engine, "_POOL_K", 8)
    warm = match_profiles(mentees, mentors, explain=False, report=False)
    assert warm.assignment.stats["rounds"] > 1
    assert warm.assignment.stats["warm_rounds"] >= 1
    assert warm.verify()
    assert len(warm.pairs) == len(cold.pairs)
    assert warm.assignment.total == pytest.approx(cold.assignment.total, rel=1e-12)
    scorer = ProfileScorer(mentees, mentors)
    assert verify(warm.assignment, scorer, capacity=warm.capacity)

"""Engine: exactness against brute force, certificates, validation, determinism."""

import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import (
    Assignment,
    Certificate,
    DenseScorer,
    solve_assignment,
    solve_fair,
    solve_sparse,
    verify,
)

ROOT = Path(__file__).resolve().parents[2]


def brute_force(scores, allowed, capacity):
    """Best (matched count, total) by exhaustive search over every assignment."""
    n, m = scores.shape

    @cache
    def best(i, caps):
        if i == n:
            return (0, 0.0)
        options = [best(i + 1, caps)]
        for j in range(m):
            if allowed[i, j] and caps[j] > 0:
                rest = (*caps[:j], caps[j] - 1, *caps[j + 1:])
                c, t = best(i + 1, rest)
                options.append((c + 1, t + scores[i, j]))
        return max(options, key=lambda ct: (ct[0], round(ct[1], 9)))

    return best(0, tuple(int(c) for c in capacity))


@st.composite
def instances(draw):
    n = draw(st.integers(0, 8))
    m = draw(st.integers(0, 8))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    kind = draw(st.sampled_from(["int", "float", "ties", "negative"]))
    if kind == "int":
        scores = rng.integers(0, 10, (n, m)).astype(float)
    elif kind == "ties":
        scores = rng.integers(0, 2, (n, m)).astype(float)
    elif kind == "negative":
        scores = rng.normal(0, 1e3, (n, m))
    else:
        scores = rng.random((n, m))
    density = draw(st.sampled_from([0.0, 0.3, 0.7, 1.0]))
    allowed = rng.random((n, m)) < density
    capacity = rng.integers(0, 3, m)
    return scores, allowed, capacity


SETTINGS = settings(max_examples=300, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(instances())
def test_matches_brute_force_and_verifies(inst):
    scores, allowed, capacity = inst
    result = solve_assignment(scores, allowed=allowed, capacity=capacity)
    count, total = brute_force(scores, allowed, capacity)
    assert result.matched == count
    assert result.total == pytest.approx(total, abs=1e-9 * max(1.0, np.abs(scores).max(initial=0)))
    assert verify(result, scores, allowed=allowed, capacity=capacity)
    # Feasibility, independently of verify.
    load = np.zeros(scores.shape[1], dtype=int)
    seen = set()
    for i, j in result.pairs:
        assert allowed[i, j]
        assert i not in seen
        seen.add(i)
        load[j] += 1
    assert (load <= capacity).all()
    assert list(result.pairs) == sorted(result.pairs)
    assert set(result.unmatched) == set(range(scores.shape[0])) - seen


@SETTINGS
@given(instances())
def test_verify_rejects_suboptimal_and_infeasible(inst):
    scores, allowed, capacity = inst
    result = solve_assignment(scores, allowed=allowed, capacity=capacity)
    pairs = list(result.pairs)
    cert = result.certificate
    n, m = scores.shape

    def variant(new_pairs):
        new_pairs = tuple(sorted(new_pairs))
        matched = {i for i, _ in new_pairs}
        total = float(sum(scores[i, j] for i, j in new_pairs))
        return Assignment(pairs=new_pairs, total=total,
                          unmatched=tuple(i for i in range(n) if i not in matched),
                          certificate=cert, n_mentees=n, n_mentors=m)

    if pairs:
        # Dropping a pair loses cardinality: must be rejected.
        assert not verify(variant(pairs[1:]), scores, allowed=allowed, capacity=capacity)
        # Moving a mentee to a forbidden or over-full mentor is infeasible.
        i, j = pairs[0]
        for j2 in range(m):
            if j2 != j and (not allowed[i, j2] or capacity[j2] == 0):
                moved = [(i, j2), *pairs[1:]]
                assert not verify(variant(moved), scores, allowed=allowed, capacity=capacity)
                break
    # Any feasible different assignment with lower value must be rejected.
    count, total = brute_force(scores, allowed, capacity)
    for i in range(n):
        for j in range(m):
            if allowed[i, j] and capacity[j] > 0:
                others = [(a, b) for a, b in pairs if a != i]
                load = sum(1 for _, b in others if b == j)
                if load < capacity[j]:
                    alt = [*others, (i, j)]
                    alt_total = sum(scores[a, b] for a, b in alt)
                    if (len(alt), alt_total) < (count, total - 1e-6):
                        assert not verify(variant(alt), scores, allowed=allowed, capacity=capacity)
    # Perturbing a dual breaks the certificate unless it is slack.
    if pairs:
        bad_u = cert.mentee_dual.copy()
        bad_u[pairs[0][0]] += 1.0
        bad = Certificate(cert.mentee_cover, cert.mentor_cover, bad_u, cert.mentor_dual)
        forged = Assignment(result.pairs, result.total, result.unmatched, bad, n, m)
        assert not verify(forged, scores, allowed=allowed, capacity=capacity)


def test_verify_rejects_wrong_total_and_unmatched():
    scores = np.array([[3.0, 1.0], [2.0, 2.5]])
    r = solve_assignment(scores)
    assert r.pairs == ((0, 0), (1, 1))
    assert verify(r, scores)
    wrong_total = Assignment(r.pairs, r.total + 1, r.unmatched, r.certificate, 2, 2)
    assert not verify(wrong_total, scores)
    wrong_unmatched = Assignment(r.pairs, r.total, (1,), r.certificate, 2, 2)
    assert not verify(wrong_unmatched, scores)
    # A certificate from another problem does not verify a different matrix.
    assert not verify(r, np.array([[1.0, 3.0], [2.5, 2.0]]))


def test_cardinality_before_score():
    # Greedy on score would take (0, 0) = 100 and leave mentee 1 alone.
    scores = np.array([[100.0, 1.0], [1.0, 0.0]])
    allowed = np.array([[True, True], [True, False]])
    r = solve_assignment(scores, allowed=allowed)
    assert r.pairs == ((0, 1), (1, 0))
    assert r.total == 2.0


@pytest.mark.parametrize("shape", [(0, 0), (0, 3), (3, 0)])
def test_empty_sides(shape):
    scores = np.zeros(shape)
    r = solve_assignment(scores)
    assert r.pairs == () and r.total == 0.0
    assert r.unmatched == tuple(range(shape[0]))
    assert verify(r, scores)


def test_all_forbidden():
    scores = np.ones((4, 3))
    allowed = np.zeros((4, 3), dtype=bool)
    r = solve_assignment(scores, allowed=allowed)
    assert r.pairs == () and r.unmatched == (0, 1, 2, 3)
    assert verify(r, scores, allowed=allowed)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scores": np.ones(3)}, "2-dimensional"),
        ({"scores": np.array([["a", "b"]])}, "numeric"),
        ({"scores": np.array([[1.0, np.nan]])}, "NaN"),
        ({"scores": np.array([[1.0, np.inf]])}, "NaN or infinite"),
        ({"scores": np.ones((2, 2)), "allowed": np.ones((2, 3), dtype=bool)}, "shape"),
        ({"scores": np.ones((2, 2)), "allowed": np.ones((2, 2))}, "bool"),
        ({"scores": np.ones((2, 2)), "capacity": np.array([1, -1])}, "negative"),
        ({"scores": np.ones((2, 2)), "capacity": np.array([1])}, "shape"),
        ({"scores": np.ones((2, 2)), "capacity": np.array([1.0, 1.0])}, "integer"),
    ],
)
def test_bad_input_raises_value_error(kwargs, message):
    scores = kwargs.pop("scores")
    with pytest.raises(ValueError, match=message):
        solve_assignment(scores, **kwargs)
    with pytest.raises(ValueError, match=message):
        solve_fair(scores, **kwargs)


def test_deterministic():
    rng = np.random.default_rng(7)
    scores = rng.integers(0, 3, (300, 200)).astype(float)  # many ties
    allowed = rng.random((300, 200)) < 0.8
    cap = rng.integers(0, 3, 200)
    a = solve_assignment(scores, allowed=allowed, capacity=cap)
    b = solve_assignment(scores.copy(), allowed=allowed.copy(), capacity=cap.copy())
    assert a.pairs == b.pairs and a.total == b.total
    assert np.array_equal(a.certificate.mentee_dual, b.certificate.mentee_dual)


def test_import_leaves_django_out():
    code = (
        "import importlib, pkgutil, sys, matching\n"
        "for mod in pkgutil.walk_packages(matching.__path__, 'matching.'):\n"
        "    if '.tests' not in mod.name and not mod.name.endswith('__main__'):\n"
        "        importlib.import_module(mod.name)\n"
        "assert 'matching.engine' in sys.modules\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), "
        "sorted(m for m in sys.modules if m.startswith('django'))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)  # noqa: S603


# ---------------------------------------------------------------- sparse path


def _instance(n, m, seed, forbid=0.12):
    rng = np.random.default_rng(seed)
    # Low-rank structure plus noise, like profile-based scores.
    a = rng.random((n, 6))
    b = rng.random((m, 6))
    scores = a @ b.T + rng.random((n, m))
    allowed = rng.random((n, m)) >= forbid
    return scores, allowed


@pytest.mark.parametrize(("n", "m", "cap"), [(300, 200, 2), (400, 400, 1), (500, 300, 1),
                                             (200, 500, 3)])
def test_sparse_equals_all_pairs_optimum(n, m, cap):
    scores, allowed = _instance(n, m, seed=n + m)
    capacity = np.full(m, cap)
    # A tiny pool forces the pricing path (rows re-scored, pairs added, re-solved).
    sparse = solve_sparse(DenseScorer(scores, allowed), capacity=capacity, k=2, pool=3,
                          block_rows=64)
    assert sparse.stats["rows_priced"] > 0 and sparse.stats["rounds"] > 1
    # Reference: every allowed pair as an explicit edge (no candidates, no pricing).
    from matching.engine import _solve_scorer

    full = _solve_scorer(DenseScorer(scores, allowed), capacity, k=1, block_rows=None,
                         all_pairs=True)
    assert sparse.matched == full.matched
    assert sparse.total == pytest.approx(full.total, rel=1e-12)
    assert verify(sparse, scores, allowed=allowed, capacity=capacity)
    assert verify(sparse, DenseScorer(scores, allowed), capacity=capacity)


@pytest.mark.slow
def test_sparse_equals_dense_2k():
    from scipy.optimize import linear_sum_assignment

    n = 2000
    scores, allowed = _instance(n, n, seed=2)
    r = solve_sparse(DenseScorer(scores, allowed), pool=16)
    assert r.stats["candidate_edges"] < 0.05 * n * n
    cost = np.where(allowed, -scores, 1e9)
    ri, ci = linear_sum_assignment(cost)
    assert allowed[ri, ci].all()  # a perfect allowed matching exists
    assert r.matched == n
    assert r.total == pytest.approx(scores[ri, ci].sum(), rel=1e-12)
    assert verify(r, scores, allowed=allowed)


def test_sparse_repairs_mentees_left_out():
    # Everyone ranks mentor 0 first; capacity forces most mentees elsewhere, and
    # some mentees can only take mentors outside every top-k list.
    rng = np.random.default_rng(3)
    n = m = 120
    scores = rng.random((n, m))
    scores[:, 0] += 10
    allowed = np.ones((n, m), dtype=bool)
    allowed[:60, 60:] = False
    allowed[60:, :60] = False
    scores[60:, 60:] -= 5
    r = solve_sparse(DenseScorer(scores, allowed), k=1, pool=1, block_rows=16)
    assert r.stats["rows_priced"] > 0
    assert r.matched == 120
    assert verify(r, scores, allowed=allowed)


# ---------------------------------------------------------------- fair mode


def brute_force_fair(scores, allowed, capacity):
    n, m = scores.shape
    best = None
    import itertools

    for choice in itertools.product(range(-1, m), repeat=n):
        load = np.zeros(m, dtype=int)
        ok = True
        for i, j in enumerate(choice):
            if j >= 0:
                if not allowed[i, j]:
                    ok = False
                    break
                load[j] += 1
        if not ok or (load > capacity).any():
            continue
        vals = [scores[i, j] for i, j in enumerate(choice) if j >= 0]
        key = (len(vals), min(vals) if vals else 0.0, round(sum(vals), 9))
        if best is None or key > best:
            best = key
    return best


@settings(max_examples=120, derandomize=True, deadline=None)
@given(st.integers(0, 5), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_fair_mode_matches_brute_force(n, m, seed):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 6, (n, m)).astype(float)
    allowed = rng.random((n, m)) < 0.7
    capacity = rng.integers(0, 3, m)
    r = solve_fair(scores, allowed=allowed, capacity=capacity)
    count, low, total = brute_force_fair(scores, allowed, capacity)
    assert r.matched == count
    if count:
        assert min(scores[i, j] for i, j in r.pairs) == low
        assert r.total == pytest.approx(total)
        assert verify(r, scores, allowed=allowed, capacity=capacity)
        # A plain optimum with a lower minimum does not pass as fair, and vice versa.
        plain = solve_assignment(scores, allowed=allowed, capacity=capacity)
        if plain.total > r.total + 1e-9:
            assert not verify(r, scores, allowed=allowed, capacity=capacity) or \
                r.certificate.threshold is not None


def test_fair_raises_lowest_score():
    scores = np.array([[10.0, 5.0], [5.0, 4.0]])
    plain = solve_assignment(scores)
    fair = solve_fair(scores)
    assert plain.pairs == ((0, 0), (1, 1)) and plain.total == 14.0
    assert fair.pairs == ((0, 1), (1, 0)) and fair.total == 10.0
    assert fair.certificate.threshold == 5.0
    assert verify(fair, scores)
    # The plain optimum is not accepted with the fair certificate.
    forged = Assignment(plain.pairs, plain.total, plain.unmatched, fair.certificate, 2, 2)
    assert not verify(forged, scores)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(st.integers(1, 30), st.integers(1, 30), st.integers(0, 2**32 - 1),
       st.integers(1, 3), st.sampled_from([0.2, 0.6, 0.95]))
def test_sparse_pricing_matches_all_pairs_on_random_instances(n, m, seed, pool, density):
    rng = np.random.default_rng(seed)
    scores = rng.integers(-5, 20, (n, m)).astype(float)  # ties and negatives
    allowed = rng.random((n, m)) < density
    capacity = rng.integers(0, 3, m)
    from matching.engine import _solve_scorer

    sparse = solve_sparse(DenseScorer(scores, allowed), capacity=capacity, k=1, pool=pool,
                          block_rows=7)
    full = _solve_scorer(DenseScorer(scores, allowed), capacity, k=1, block_rows=None,
                         all_pairs=True)
    assert (sparse.matched, sparse.total) == (full.matched, full.total)
    assert verify(sparse, scores, allowed=allowed, capacity=capacity)

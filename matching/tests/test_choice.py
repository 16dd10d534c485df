"""Participant choice: exact against brute force, certified, deterministic, strict on input."""

import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import solve_assignment, verify
from matching.choice import resolve_choices, shortlist

ROOT = Path(__file__).resolve().parents[2]


def rank_matrices(n, m, mentee_ranks, mentor_ranks):
    """Rank of each pair from each side (0 = unranked), and the longest ranking."""
    by_mentee = np.zeros((n, m), dtype=int)
    by_mentor = np.zeros((n, m), dtype=int)
    for i, ranking in enumerate(mentee_ranks or []):
        for r, j in enumerate(ranking, start=1):
            by_mentee[i, j] = r
    for j, ranking in enumerate(mentor_ranks or []):
        for r, i in enumerate(ranking, start=1):
            by_mentor[i, j] = r
    longest = max((len(r) for r in [*(mentee_ranks or []), *(mentor_ranks or [])]), default=0)
    return by_mentee, by_mentor, longest


def brute_force(scores, allowed, capacity, mentee_ranks, mentor_ranks):
    """The best (matched, satisfied choices, rank points, score total) over every assignment,
    written from the documented objective, independently of the implementation."""
    n, m = scores.shape
    by_mentee, by_mentor, longest = rank_matrices(n, m, mentee_ranks, mentor_ranks)

    def value(i, j):
        sat = int(by_mentee[i, j] > 0) + int(by_mentor[i, j] > 0)
        pts = sum(longest + 1 - r for r in (by_mentee[i, j], by_mentor[i, j]) if r > 0)
        return sat, pts

    @cache
    def best(i, caps):
        if i == n:
            return (0, 0, 0, 0.0)
        options = [best(i + 1, caps)]
        for j in range(m):
            if allowed[i, j] and caps[j] > 0:
                rest = (*caps[:j], caps[j] - 1, *caps[j + 1:])
                c, s, p, t = best(i + 1, rest)
                sat, pts = value(i, j)
                options.append((c + 1, s + sat, p + pts, t + scores[i, j]))
        return max(options)

    return best(0, tuple(int(c) for c in capacity))


def random_rankings(rng, allowed, longest, side):
    """Each person ranks a random subset (0 to `longest`) of their allowed partners."""
    mask = allowed if side == "mentee" else allowed.T
    out = []
    for row in mask:
        options = np.flatnonzero(row)
        k = int(rng.integers(0, min(longest, len(options)) + 1))
        out.append([int(x) for x in rng.permutation(options)[:k]])
    return out


@st.composite
def instances(draw):
    n = draw(st.integers(0, 6))
    m = draw(st.integers(0, 5))
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
    density = draw(st.sampled_from([0.3, 0.7, 1.0]))
    allowed = rng.random((n, m)) < density
    capacity = rng.integers(0, 3, m)
    who = draw(st.sampled_from(["mentees", "mentors", "both", "nobody"]))
    longest = draw(st.integers(1, 4))
    mentee_ranks = (random_rankings(rng, allowed, longest, "mentee")
                    if who in ("mentees", "both") else None)
    mentor_ranks = (random_rankings(rng, allowed, longest, "mentor")
                    if who in ("mentors", "both") else None)
    return scores, allowed, capacity, mentee_ranks, mentor_ranks


SETTINGS = settings(max_examples=300, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(instances())
def test_optimal_for_the_documented_objective(inst):
    scores, allowed, capacity, mentee_ranks, mentor_ranks = inst
    result = resolve_choices(scores, allowed=allowed, capacity=capacity,
                             mentee_ranks=mentee_ranks, mentor_ranks=mentor_ranks)
    count, satisfied, points, total = brute_force(scores, allowed, capacity, mentee_ranks,
                                                  mentor_ranks)
    # Levels 1 to 3 are integers: exactly the optimum.
    assert (result.assignment.matched, result.satisfied, result.rank_points) == (
        count, satisfied, points)
    # Level 4 compares scores on a grid: within one grid step per pair of the best.
    slack = count * result.score_resolution + 1e-9 * max(1.0, np.abs(scores).max(initial=0))
    assert result.score_total >= total - slack
    assert result.verify()
    # Feasible, checked here without the engine.
    load = np.zeros(scores.shape[1], dtype=int)
    seen = set()
    for i, j in result.pairs:
        assert allowed[i, j] and i not in seen
        seen.add(i)
        load[j] += 1
    assert (load <= capacity).all()
    # The reported ranks are the ones people gave.
    by_mentee, by_mentor, _ = rank_matrices(scores.shape[0], scores.shape[1], mentee_ranks,
                                              mentor_ranks)
    for (i, j), r_e, r_o in zip(result.pairs, result.mentee_rank, result.mentor_rank,
                                strict=True):
        assert (r_e or 0) == by_mentee[i, j] and (r_o or 0) == by_mentor[i, j]


@settings(max_examples=150, derandomize=True, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 5), st.sampled_from(["mentee", "mentor"]))
def test_scores_break_ties_exactly_on_whole_numbers(seed, longest, side):
    """Small whole-number scores sit exactly on the grid: level 4 is then exact too."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 6)), int(rng.integers(1, 5))
    scores = rng.integers(0, 8, (n, m)).astype(float)
    scores[0, 0] = 0.0
    scores[-1, -1] = 8.0  # range 8 divides the 2**20 grid evenly
    allowed = rng.random((n, m)) < 0.8
    allowed[0, 0] = allowed[-1, -1] = True
    capacity = rng.integers(1, 3, m)
    ranks = random_rankings(rng, allowed, longest, side)
    kwargs = {"mentee_ranks": ranks} if side == "mentee" else {"mentor_ranks": ranks}
    result = resolve_choices(scores, allowed=allowed, capacity=capacity, **kwargs)
    best = brute_force(scores, allowed, capacity, kwargs.get("mentee_ranks"),
                       kwargs.get("mentor_ranks"))
    assert (result.assignment.matched, result.satisfied, result.rank_points,
            result.score_total) == best


def test_without_rankings_it_is_the_plain_optimum():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 50, (7, 6)).astype(float)
    allowed = rng.random((7, 6)) < 0.7
    capacity = np.array([1, 2, 1, 0, 1, 1])
    plain = solve_assignment(scores, allowed=allowed, capacity=capacity)
    chosen = resolve_choices(scores, allowed=allowed, capacity=capacity)
    assert chosen.assignment.matched == plain.matched
    assert chosen.score_total == plain.total
    assert chosen.satisfied == chosen.rank_points == 0


def test_nobody_is_stranded_to_honour_a_first_choice():
    # Mentee 0 wants mentor 0 most, but mentee 1 can only have mentor 0.
    scores = np.array([[5.0, 1.0], [1.0, 0.0]])
    allowed = np.array([[True, True], [True, False]])
    result = resolve_choices(scores, allowed=allowed, mentee_ranks=[[0, 1], []])
    assert result.pairs == ((0, 1), (1, 0))
    assert result.mentee_rank == (2, None)
    assert result.mentees.first == 0 and result.mentees.any == 1


def test_more_people_with_a_choice_beats_higher_choices():
    # Both mentees rank mentor 0 first; mentee 0's third choice is mentor 2, mentee 1's is 1.
    # Giving each their 2nd/3rd choice (two satisfied) beats one 1st choice and one none.
    scores = np.zeros((2, 3))
    mentee_ranks = [[0, 2], [0, 1]]
    allowed = np.array([[True, False, True], [True, True, False]])
    result = resolve_choices(scores, allowed=allowed, mentee_ranks=mentee_ranks)
    assert result.satisfied == 2
    assert sorted(int(r or 0) for r in result.mentee_rank) == [1, 2]
    # Now only mentor 0 is on both lists and each mentee has an unranked alternative.
    allowed = np.ones((2, 3), dtype=bool)
    result = resolve_choices(scores, allowed=allowed, mentee_ranks=[[0], [0]])
    assert result.satisfied == 1 and result.assignment.matched == 2


def test_rank_outweighs_score_and_score_breaks_ties():
    scores = np.array([[1.0, 9.0]])
    result = resolve_choices(scores, mentee_ranks=[[0, 1]])
    assert result.pairs == ((0, 0),) and result.mentee_rank == (1,)
    # Nobody ranked: the higher score wins.
    assert resolve_choices(scores).pairs == ((0, 1),)
    # Both ranked equally (two sides each give one 1st choice): score decides.
    scores = np.array([[1.0, 9.0], [2.0, 3.0]])
    result = resolve_choices(scores, mentee_ranks=[[0], []], mentor_ranks=[[], [0]])
    assert result.satisfied == 1 and result.pairs == ((0, 1), (1, 0))


def test_mentor_choices_and_capacity():
    scores = np.array([[3.0, 1.0], [2.0, 1.0], [1.0, 1.0]])
    # Mentor 0 takes two mentees and ranks mentee 2 then mentee 1.
    result = resolve_choices(scores, capacity=np.array([2, 1]), mentor_ranks=[[2, 1], []])
    assert {i for i, j in result.pairs if j == 0} == {1, 2}
    assert result.mentors.choosers == 1 and result.mentors.first == 1
    assert result.mentors.unmatched == 0 and result.mentees.choosers == 0


def test_summary_counts_each_chooser_once():
    scores = np.zeros((4, 3))
    allowed = np.ones((4, 3), dtype=bool)
    mentee_ranks = [[0], [0, 1], [0, 1, 2], []]
    result = resolve_choices(scores, allowed=allowed, capacity=np.array([1, 1, 1]),
                             mentee_ranks=mentee_ranks)
    s = result.mentees
    assert s.choosers == 3
    assert s.first + (s.any - s.first) + s.none == s.choosers
    assert s.unmatched <= s.none
    assert s.any == 3 and s.first == 1  # 0 gets mentor 0, 1 gets 1, 2 gets 2
    assert result.assignment.unmatched == (3,)


def test_certificate_rejects_a_worse_answer():
    scores = np.array([[1.0, 2.0], [2.0, 1.0]])
    result = resolve_choices(scores, mentee_ranks=[[0], [1]])
    assert result.verify()
    assert verify(result.assignment, result.objective, allowed=result.allowed,
                  capacity=result.capacity)
    # The same certificate does not prove the plain-score optimum optimal for the choices.
    plain = solve_assignment(scores)
    assert plain.pairs != result.pairs
    assert not verify(plain, result.objective)


def test_deterministic_and_certified_on_a_larger_cohort():
    rng = np.random.default_rng(11)
    n, m = 120, 90
    scores = rng.random((n, m)) * 10
    allowed = rng.random((n, m)) > 0.15
    capacity = rng.integers(1, 3, m)
    ranks = random_rankings(rng, allowed, 3, "mentee")
    mentor_ranks = random_rankings(rng, allowed, 3, "mentor")
    a = resolve_choices(scores, allowed=allowed, capacity=capacity, mentee_ranks=ranks,
                        mentor_ranks=mentor_ranks)
    b = resolve_choices(scores.copy(), allowed=allowed.copy(), capacity=capacity.copy(),
                        mentee_ranks=[list(r) for r in ranks],
                        mentor_ranks={j: r for j, r in enumerate(mentor_ranks)})
    assert a.pairs == b.pairs and a.assignment.total == b.assignment.total
    assert a.verify()
    # Choices never cost anyone a partner.
    assert a.assignment.matched == solve_assignment(scores, allowed=allowed,
                                                    capacity=capacity).matched
    assert a.score_resolution < 1e-3


def test_empty_inputs():
    result = resolve_choices(np.zeros((0, 3)))
    assert result.pairs == () and result.verify()
    result = resolve_choices(np.zeros((2, 0)), mentee_ranks=[[], []])
    assert result.assignment.unmatched == (0, 1)
    assert result.mentees.choosers == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mentee_ranks": [[5]]}, "unknown mentor"),
        ({"mentee_ranks": [[-1]]}, "unknown mentor"),
        ({"mentee_ranks": [[0, 0]]}, "more than once"),
        ({"mentee_ranks": [[1]]}, "forbids"),
        ({"mentee_ranks": [[0], []]}, "expected 1"),
        ({"mentee_ranks": [[True]]}, "unknown mentor"),
        ({"mentee_ranks": [[0.0]]}, "unknown mentor"),
        ({"mentee_ranks": ["0"]}, "sequence of indices"),
        ({"mentee_ranks": {3: [0]}}, "unknown mentee"),
        ({"mentee_ranks": 7}, "sequence of rankings"),
        ({"mentor_ranks": [[0], [0], [0]]}, "expected 2"),
        ({"mentor_ranks": [[], [0]]}, "forbids"),
        ({"mentor_ranks": [[2], []]}, "unknown mentee"),
        ({"capacity": np.array([1, -1])}, "negative"),
        ({"capacity": np.array([1.0, 1.0])}, "integer"),
        ({"capacity": np.array([1])}, "shape"),
        ({"allowed": np.ones((1, 2))}, "bool"),
        ({"allowed": np.ones((2, 2), dtype=bool)}, "shape"),
    ],
)
def test_bad_input_is_refused(kwargs, message):
    scores = np.array([[1.0, 2.0]])
    kwargs = {"allowed": np.array([[True, False]]), **kwargs}
    with pytest.raises(ValueError, match=message):
        resolve_choices(scores, **kwargs)


@pytest.mark.parametrize(
    "scores",
    [np.array([[np.nan]]), np.array([1.0, 2.0]), np.array([["a"]]), np.array([[np.inf]])],
)
def test_bad_scores_are_refused(scores):
    with pytest.raises(ValueError, match="scores"):
        resolve_choices(scores)


# ---------------------------------------------------------------- shortlists


@settings(max_examples=100, derandomize=True, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.sampled_from(["mentee", "mentor"]))
def test_shortlist_is_the_best_allowed_partners(seed, k, side):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(0, 7)), int(rng.integers(0, 7))
    scores = rng.integers(0, 4, (n, m)).astype(float)  # many ties
    allowed = rng.random((n, m)) < 0.7
    capacity = rng.integers(0, 2, m)
    lists = shortlist(scores, allowed=allowed, capacity=capacity, k=k, side=side)
    usable = allowed & (capacity > 0)[None, :]
    if side == "mentor":
        scores, usable = scores.T, usable.T
    assert len(lists) == scores.shape[0]
    for row, ok, got in zip(scores, usable, lists, strict=True):
        expected = sorted(np.flatnonzero(ok).tolist(), key=lambda x: (-row[x], x))[:k]
        assert list(got) == expected


def test_shortlist_refuses_bad_input():
    scores = np.ones((2, 2))
    with pytest.raises(ValueError, match="k must"):
        shortlist(scores, k=0)
    with pytest.raises(ValueError, match="side"):
        shortlist(scores, side="both")
    with pytest.raises(ValueError, match="shape"):
        shortlist(scores, allowed=np.ones((3, 2), dtype=bool))


def test_choice_module_leaves_django_out():
    code = (
        "import sys, matching.choice\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)  # noqa: S603

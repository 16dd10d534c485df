"""Scoring, hard constraints, pins, explanations and the run report."""

import itertools

import numpy as np
import pytest

from matching import (
    OBJECTIVES,
    Assignment,
    Constraints,
    MenteeProfile,
    MentorProfile,
    ProfileScorer,
    Weights,
    default_weights,
    explain_unmatched,
    match_profiles,
    run_report,
    solve_assignment,
    verify,
)
from matching.report import gini
from matching.scoring import timezone_overlap

F = frozenset
ONLY = {name: 0.0 for name in ("topics", "reciprocity", "interests", "availability",
                               "timezone", "department", "objective")}


def only(name, **extra):
    return Weights(**{**ONLY, name: 1.0, **extra})


def score(mentee, mentor, weights, **kw):
    s, a = ProfileScorer([mentee], [mentor], weights=weights, **kw).block(np.array([0]))
    return float(s[0, 0]), bool(a[0, 0])


def test_topics_exact_related_and_consent():
    mentee = MenteeProfile("e", 5, wants=F({"ml", "tiktok"}))
    w = only("topics", related_credit=0.5)
    rel = {"ml": ["python"]}
    # Identical topic: full credit for one of the two wanted topics.
    assert score(mentee, MentorProfile("m", 1, offers=F({"tiktok"})), w)[0] == 0.5
    # Related topic: partial credit (0.5) on one of two topics -> 0.25.
    assert score(mentee, MentorProfile("m", 1, offers=F({"python"})), w,
                 topic_relations=rel)[0] == 0.25
    # Lived experience counts only with consent.
    le = MentorProfile("m", 1, lived_experience=F({"tiktok"}))
    assert score(mentee, le, w)[0] == 0.0
    le_ok = MentorProfile("m", 1, lived_experience=F({"tiktok"}), lived_experience_consent=True)
    assert score(mentee, le_ok, w)[0] == 0.5


def test_other_criteria():
    e = MenteeProfile("e", 5, department="Fin", offers=F({"strategy"}),
                      interests=F({"chess", "jazz"}), availability=F({"mon-am", "tue-pm"}),
                      utc_offset=0)
    m = MentorProfile("m", 1, department="IT", wants=F({"strategy", "budget"}),
                      interests=F({"chess"}), availability=F({"mon-am"}), utc_offset=3)
    assert score(e, m, only("reciprocity"))[0] == pytest.approx(0.5)
    # Criterion values sit on a 2**-g feature grid (exact float32 sums): ~1e-3.
    assert score(e, m, only("interests"))[0] == pytest.approx(1 / np.sqrt(2), abs=2e-3)
    assert score(e, m, only("availability"))[0] == pytest.approx(1 / np.sqrt(2), abs=2e-3)
    assert score(e, m, only("timezone"))[0] == pytest.approx(5 / 8)
    assert score(e, m, only("department"))[0] == 1.0
    same = MentorProfile("m", 1, department="Fin")
    assert score(e, same, only("department"))[0] == 0.0
    unknown = MentorProfile("m", 1)
    assert score(e, unknown, only("department"))[0] == 0.0
    assert timezone_overlap(-11, 12) == pytest.approx(7 / 8)  # wraps around the date line


def test_objective_inclusion_uses_consented_lived_experience_only():
    e = MenteeProfile("e", 5)
    w = only("objective")
    yes = MentorProfile("m", 1, lived_experience=F({"race", "disability"}),
                        lived_experience_consent=True)
    no = MentorProfile("m", 1, lived_experience=F({"race", "disability"}))
    offers = MentorProfile("m", 1, offers=F({"race"}))
    kw = {"objective": "inclusion", "focus": F({"race", "gender"})}
    assert score(e, yes, w, **kw)[0] == 0.5
    assert score(e, no, w, **kw)[0] == 0.0
    assert score(e, offers, w, **kw)[0] == 0.0  # inclusion: lived experience, not skills
    assert score(e, offers, w, objective="digital_skills", focus=F({"race"}))[0] == 1.0


def test_default_weights_per_objective():
    for objective in OBJECTIVES:
        assert isinstance(default_weights(objective), Weights)
    assert default_weights("inclusion").objective > default_weights("custom").objective
    with pytest.raises(ValueError, match="unknown objective"):
        default_weights("world_peace")
    with pytest.raises(ValueError, match="must be a finite number"):
        Weights(topics=-1)


def people():
    mentees = [
        MenteeProfile("boss", 6, team="t1", manager_chain=("ceo",),
                      works_with=F({"w1"})),
        MenteeProfile("ceo", 9),
        MenteeProfile("mid", 3, team="t2", previous_partners=F({"p1"})),
    ]
    mentors = [
        MentorProfile("report", 1, team="t9", manager_chain=("boss", "ceo")),  # under boss
        MentorProfile("teammate", 1, team="t1"),
        MentorProfile("w1", 1),
        MentorProfile("senior", 5),
        MentorProfile("p1", 1),
        MentorProfile("excluded", 1),
        MentorProfile("busy", 1, capacity=2, active_pairings=3, max_concurrent=3),
    ]
    return mentees, mentors


def test_hard_constraints_mask():
    mentees, mentors = people()
    con = Constraints(min_level_gap=2, exclude_previous_partners=True,
                      exclusions=F({("mid", "excluded")}))
    scorer = ProfileScorer(mentees, mentors, constraints=con)
    _, allowed = scorer.block(np.arange(3))
    ok = {(mentees[i].id, mentors[j].id) for i, j in zip(*np.nonzero(allowed), strict=True)}
    assert ("boss", "report") not in ok  # reporting line
    assert ("ceo", "report") not in ok  # reporting line, further up
    assert ("boss", "teammate") not in ok  # same team
    assert ("boss", "w1") not in ok  # works together
    assert ("mid", "senior") not in ok and ("boss", "senior") not in ok  # level gap 2
    assert ("ceo", "senior") in ok
    assert ("mid", "p1") not in ok  # previous partner
    assert ("mid", "excluded") not in ok
    assert ("boss", "excluded") in ok
    assert scorer.capacity.tolist() == [1, 1, 1, 1, 1, 1, 0]  # busy: cap 3 reached
    assert scorer.rules_failed(0, 0) == ["reporting_line"]
    assert "same_team" in scorer.rules_failed(0, 1)
    # Same team allowed when configured.
    loose = ProfileScorer(mentees, mentors, constraints=Constraints(exclude_same_team=False))
    assert loose.block(np.array([0]))[1][0, 1]


def random_cohort(rng, n, m):
    topics = [f"t{k}" for k in range(12)]
    slots = ["mon-am", "mon-pm", "tue-am", "wed-pm"]
    mentees = [MenteeProfile(
        f"e{i}", int(rng.integers(3, 8)), department=f"d{rng.integers(3)}",
        team=f"t{rng.integers(6)}", manager_chain=tuple(f"r{x}" for x in rng.integers(0, m, 1)),
        wants=F(rng.choice(topics, 3, replace=False)), offers=F(rng.choice(topics, 2)),
        interests=F(rng.choice(topics, 2)), availability=F(rng.choice(slots, 2)),
        utc_offset=float(rng.integers(-2, 3)), group=f"g{rng.integers(2)}",
        group_consent=bool(rng.random() < 0.8)) for i in range(n)]
    mentors = [MentorProfile(
        f"r{j}", int(rng.integers(1, 5)), department=f"d{rng.integers(3)}",
        team=f"t{rng.integers(6)}", offers=F(rng.choice(topics, 3, replace=False)),
        wants=F(rng.choice(topics, 2)), interests=F(rng.choice(topics, 2)),
        availability=F(rng.choice(slots, 2)), utc_offset=float(rng.integers(-2, 3)),
        capacity=int(rng.integers(0, 3)),
        works_with=F({f"e{x}" for x in rng.integers(0, n, 2)})) for j in range(m)]
    return mentees, mentors


@pytest.mark.parametrize("seed", range(6))
def test_match_profiles_never_breaks_constraints(seed):
    rng = np.random.default_rng(seed)
    mentees, mentors = random_cohort(rng, 40, 30)
    result = match_profiles(mentees, mentors, objective="generational")
    scorer = result.scorer
    load: dict[str, int] = {}
    seen = set()
    for e, r in result.pairs:
        i, j = scorer.mentee_index[e], scorer.mentor_index[r]
        assert scorer.rules_failed(i, j) == []
        assert e not in seen
        seen.add(e)
        load[r] = load.get(r, 0) + 1
    for r, k in load.items():
        assert k <= scorer.capacity[scorer.mentor_index[r]]
    assert result.verify()
    # Same optimum as the dense engine on the same matrix.
    s, a = scorer.block(np.arange(40))
    dense = solve_assignment(s, allowed=a, capacity=scorer.capacity)
    assert len(result.pairs) == dense.matched
    assert result.assignment.total == pytest.approx(dense.total)
    # Every unmatched mentee has a reason; contributions add up to the score.
    assert {u.mentee for u in result.unmatched} == set(result.assignment.unmatched)
    pair_scores = [float(s[i, j]) for i, j in result.assignment.pairs]
    assert result.report is not None
    if pair_scores:
        assert result.report.min_score == min(pair_scores)  # exact, not approximate
        assert result.report.median_score == pytest.approx(float(np.median(pair_scores)))
    for ex in result.explanations:
        assert ex.score == float(s[ex.mentee, ex.mentor])  # grid features: exact
        assert sum(c.points for c in ex.contributions) == pytest.approx(ex.score)
        assert ex.constraints_passed


def test_pins_are_fixed_and_validated():
    mentees, mentors = people()
    con = Constraints(pins=F({("mid", "w1")}))
    result = match_profiles(mentees, mentors, constraints=con)
    assert ("mid", "w1") in result.pairs
    assert next(e for e in result.explanations if e.pinned).summary().startswith("pinned")
    assert result.verify()
    with pytest.raises(ValueError, match="reporting_line"):
        match_profiles(mentees, mentors, constraints=Constraints(pins=F({("boss", "report")})))
    with pytest.raises(ValueError, match="unknown mentor"):
        match_profiles(mentees, mentors, constraints=Constraints(pins=F({("boss", "nobody")})))
    with pytest.raises(ValueError, match="free places"):
        match_profiles(mentees, mentors, constraints=Constraints(pins=F({("ceo", "busy")})))


def test_unmatched_reasons_hand_worked():
    # Two mentees want the single mentor 0; mentee 2 has no eligible mentor at all.
    scores = np.array([[5.0, 1.0], [4.0, 0.0], [9.0, 9.0]])
    allowed = np.array([[True, True], [True, False], [False, False]])
    a = solve_assignment(scores, allowed=allowed)
    assert a.pairs == ((0, 1), (1, 0))  # cardinality first: total 5
    # Make mentee 1 lose instead: mentor 1 forbidden to mentee 0 too.
    allowed2 = np.array([[True, False], [True, False], [False, False]])
    b = solve_assignment(scores, allowed=allowed2)
    assert b.pairs == ((0, 0),)
    from matching import DenseScorer

    reasons = explain_unmatched(b, DenseScorer(scores, allowed2), np.array([1, 1]))
    by = {r.mentee: r for r in reasons}
    assert by[2].reason == "no_eligible_partner"
    assert by[1].reason == "outcompeted" and by[1].best_mentor == 0
    assert by[1].cost_of_forcing == 1.0 and by[1].cost_is_exact  # 5 -> 4
    bound = explain_unmatched(b, DenseScorer(scores, allowed2), np.array([1, 1]), exact=False)
    cost = {r.mentee: r for r in bound}[1].cost_of_forcing
    assert cost is not None and cost <= 1.0 + 1e-9
    assert "lower the total by 1.00" in by[1].message


def test_dual_bound_never_exceeds_exact_cost():
    rng = np.random.default_rng(5)
    for _ in range(20):
        scores = rng.integers(0, 10, (7, 4)).astype(float)
        allowed = rng.random((7, 4)) < 0.6
        cap = rng.integers(1, 3, 4)
        a = solve_assignment(scores, allowed=allowed, capacity=cap)
        from matching import DenseScorer

        ds = DenseScorer(scores, allowed)
        exact = explain_unmatched(a, ds, cap, exact=True)
        bound = explain_unmatched(a, ds, cap, exact=False)
        for x, y in zip(exact, bound, strict=True):
            if x.reason == "outcompeted":
                assert x.cost_of_forcing is not None and y.cost_of_forcing is not None
                assert y.cost_of_forcing <= x.cost_of_forcing + 1e-9
                # Brute force: best total with this mentee forced to best_mentor.
                best: tuple[int, float] | None = None
                for choice in itertools.product(range(-1, 4), repeat=7):
                    if choice[x.mentee] != x.best_mentor:
                        continue
                    if any(j >= 0 and not allowed[i, j] for i, j in enumerate(choice)):
                        continue
                    if any(choice.count(j) > cap[j] for j in range(4)):
                        continue
                    key = (sum(j >= 0 for j in choice),
                           sum(scores[i, j] for i, j in enumerate(choice) if j >= 0))
                    best = key if best is None or key > best else best
                assert best is not None
                assert best[0] == a.matched - x.pairs_lost
                assert a.total - best[1] == pytest.approx(x.cost_of_forcing)


def test_report_hand_worked():
    scores = np.array([
        [4.0, 1.0, 0.0],
        [3.0, 2.0, 0.0],
        [1.0, 3.0, 2.0],
        [0.0, 0.0, 1.0],
    ])
    pairs = ((0, 0), (1, 1), (2, 2), (3, 2))
    a = Assignment(pairs, 4 + 2 + 2 + 1, (), solve_assignment(scores).certificate, 4, 3)
    rep = run_report(a, scores, capacity=np.array([1, 1, 2]))
    assert rep.matched == 4 and rep.unmatched == 0
    assert rep.min_score == 1.0
    assert rep.median_score == 2.0  # scores 1, 2, 2, 4
    assert rep.p10_score == pytest.approx(1.3)  # 1 + 0.3 * (2 - 1)
    assert rep.gini == pytest.approx(gini([1, 2, 2, 4]))
    # |differences| sum = 2 * (1+1+3+0+2+2) = 18; 18 / (2 * 16 * 2.25) = 0.25
    assert gini([1, 2, 2, 4]) == pytest.approx(0.25)
    # Mentee ranks: 0 -> 1st, 1 -> 2nd (3 > 2), 2 -> 2nd (3 > 2), 3 -> 1st.
    assert rep.mean_mentee_rank == pytest.approx((1 + 2 + 2 + 1) / 4)
    # Mentor ranks: (0,0) 1st; (1,1) 2nd (mentee 2 has 3); (2,2) 1st; (3,2) 2nd.
    assert rep.mean_mentor_rank == pytest.approx((1 + 2 + 1 + 2) / 4)
    assert rep.mentor_load == {1: 2, 2: 1}


def test_report_parity_suppresses_small_groups():
    n = 25
    scores = np.tile(np.arange(n, dtype=float)[:, None], (1, n))
    a = solve_assignment(scores)
    groups = ["a"] * 12 + ["b"] * 9 + [None] * 4
    rep = run_report(a, scores, mentee_groups=groups)
    assert [(g.side, g.group, g.people) for g in rep.parity] == [("mentee", "a", 12)]
    assert rep.parity[0].mean_score == pytest.approx(np.mean(np.arange(12)))
    assert rep.suppressed_groups == 1
    assert "b" not in repr(rep.parity)


def test_verify_via_match_result_and_scorer():
    rng = np.random.default_rng(11)
    mentees, mentors = random_cohort(rng, 60, 50)
    result = match_profiles(mentees, mentors, fair=True)
    assert result.verify()
    assert result.assignment.certificate.threshold is not None
    plain = match_profiles(mentees, mentors)
    assert len(plain.pairs) == len(result.pairs)
    assert plain.assignment.total >= result.assignment.total - 1e-9
    assert verify(plain.assignment, plain.scorer, capacity=plain.capacity)


def test_match_profiles_restores_the_garbage_collector_even_on_error():
    import gc

    from matching import match_profiles
    from matching.scoring import MenteeProfile, MentorProfile

    assert gc.isenabled()
    match_profiles([MenteeProfile(id="a", level=5)], [MentorProfile(id="b", level=1)])
    assert gc.isenabled()
    with pytest.raises(ValueError, match="unknown objective 'nonsense'; expected one of"):
        match_profiles([MenteeProfile(id="a", level=5)], [MentorProfile(id="b", level=1)],
                       objective="nonsense")
    assert gc.isenabled()
    gc.disable()
    try:  # a caller that disabled it keeps it disabled
        match_profiles([MenteeProfile(id="a", level=5)], [MentorProfile(id="b", level=1)])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_score_pairs_gives_what_a_run_gives_the_same_pairs():
    from matching import score_pairs

    mentees = [MenteeProfile(id=f"e{i}", level=6, wants=frozenset({"a", "b"} if i else {"c"}),
                             interests=frozenset({"x"}), utc_offset=float(i))
               for i in range(3)]
    mentors = [MentorProfile(id=f"m{j}", level=2, offers=frozenset({"abc"[j]}),
                             interests=frozenset({"x"} if j else set()))
               for j in range(3)]
    asked = [("e0", "m1"), ("e1", "m2"), ("e2", "m0")]
    what = score_pairs(mentees, mentors, asked, objective="digital_skills")
    # A run that must make these pairs (pins) scores them exactly the same.
    result = match_profiles(mentees, mentors, objective="digital_skills",
                            constraints=Constraints(pins=frozenset(asked)))
    made = {(mentees[e.mentee].id, mentors[e.mentor].id): e.score for e in result.explanations}
    assert [w.explanation.score for w in what] == [made[p] for p in asked]
    assert all(w.rules_failed == () for w in what)
    with pytest.raises(ValueError, match="unknown mentor 'zz'"):
        score_pairs(mentees, mentors, [("e0", "zz")])


def test_score_pairs_names_the_hard_rules_a_pair_breaks():
    from matching import score_pairs

    (what,) = score_pairs([MenteeProfile(id="e", level=3, team="t")],
                          [MentorProfile(id="m", level=3, team="t")], [("e", "m")])
    assert set(what.rules_failed) == {"level_gap", "same_team"}

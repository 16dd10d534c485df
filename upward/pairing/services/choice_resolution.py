"""Turning a choice round's rankings into a run: the problem the engine solves (pins fixed
first) and the per-pair record of which choice each side got."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings as django_settings

from matching import (
    Assignment,
    ProfileScorer,
    Weights,
    explain_pairs,
    explain_unmatched,
    run_report,
)
from matching.choice import resolve_choices
from matching.run import MatchResult
from upward.pairing.models import ChoiceOption, ChoiceRound, Chooser, MatchRun
from upward.pairing.selectors import MatchInputs
from upward.pairing.services._shared import _num

logger = logging.getLogger(__name__)


@dataclass
class _ChoiceProblem:
    scorer: ProfileScorer  # pinned mentees blocked
    base: ProfileScorer  # nobody blocked (for the report)
    pinned: list[tuple[int, int]]
    capacity: np.ndarray  # places left after the pins
    scores: np.ndarray
    allowed: np.ndarray


def _fix_pins(scorer: ProfileScorer) -> list[tuple[int, int]]:
    """The manager's pins as index pairs, checked like the engine checks them."""
    out: list[tuple[int, int]] = []
    left = scorer.capacity.copy()
    seen: set[int] = set()
    for mentee_id, mentor_id in sorted(scorer.constraints.pins):
        if mentee_id not in scorer.mentee_index or mentor_id not in scorer.mentor_index:
            raise ValueError(f"pin ({mentee_id!r}, {mentor_id!r}) names someone not in the run")
        i, j = scorer.mentee_index[mentee_id], scorer.mentor_index[mentor_id]
        if i in seen:
            raise ValueError(f"mentee {mentee_id!r} is pinned more than once")
        failed = scorer.rules_failed(i, j)
        if failed:
            raise ValueError(
                f"pin ({mentee_id!r}, {mentor_id!r}) breaks hard rule(s): " + ", ".join(failed)
            )
        if left[j] <= 0:
            raise ValueError(f"pin ({mentee_id!r}, {mentor_id!r}) exceeds the mentor's places")
        left[j] -= 1
        seen.add(i)
        out.append((i, j))
    return out


def _choice_problem(inputs: MatchInputs, weights: Weights) -> _ChoiceProblem:
    """Scores and the allowed mask of the free people, pins fixed first (as in a normal run)."""
    base = ProfileScorer(
        list(inputs.mentees),
        list(inputs.mentors),
        weights=weights,
        constraints=inputs.constraints,
        objective=inputs.objective,
        focus=inputs.focus,
        topic_relations=inputs.topic_relations,
    )
    pinned = _fix_pins(base)
    capacity = base.capacity.copy()
    for _i, j in pinned:
        capacity[j] -= 1
    scorer = base.with_blocked(i for i, _j in pinned) if pinned else base
    scores, allowed = scorer.block(np.arange(scorer.shape[0]))
    return _ChoiceProblem(
        scorer, base, pinned, capacity, np.asarray(scores, np.float64), np.asarray(allowed)
    )


def _contribution_rows(
    scorer: ProfileScorer, pairs: list[tuple[int, int]]
) -> list[list[dict[str, Any]]]:
    if not pairs:
        return []
    pi = np.array([p[0] for p in pairs], dtype=np.int64)
    pj = np.array([p[1] for p in pairs], dtype=np.int64)
    values, points = scorer.components(pi, pj), scorer.points(pi, pj)
    weights = scorer.criterion_weights()
    return [
        [
            {
                "criterion": name,
                "value": _num(values[name][k]),
                "weight": _num(weights[name]),
                "points": _num(points[name][k]),
            }
            for name in values
        ]
        for k in range(len(pairs))
    ]


def _resolve_round(run: MatchRun, inputs: MatchInputs) -> tuple[MatchResult, dict[str, Any]]:
    """The engine's answer for a choice run, in the shape of a normal run, plus the choices."""
    round_ = ChoiceRound.objects.get(runs=run)
    problem = _choice_problem(inputs, Weights(**run.weights))
    scorer = problem.scorer
    n, m = scorer.shape
    mentee_index, mentor_index = scorer.mentee_index, scorer.mentor_index

    # Everyone's stored ranking, best first. Choices that can no longer be made (the partner
    # was paired meanwhile, left, or is now excluded) are dropped; the rest keep their order.
    given: dict[tuple[str, int, int], int] = {}  # (role, mentee id, mentor id) -> rank
    status: dict[tuple[str, int], str] = {}  # (role, person id) -> "ranked" / "silent"
    for chooser in Chooser.objects.filter(round=round_).values("person_id", "role", "ranked_at"):
        key = (chooser["role"], chooser["person_id"])
        status[key] = "ranked" if chooser["ranked_at"] else "silent"
    mentee_ranks: list[list[int]] = [[] for _ in range(n)]
    mentor_ranks: list[list[int]] = [[] for _ in range(m)]
    dropped = 0
    for person_id, role, partner_id, rank in (
        ChoiceOption.objects.filter(chooser__round=round_, rank__isnull=False)
        .order_by("chooser_id", "rank")
        .values_list("chooser__person_id", "chooser__role", "partner_id", "rank")
    ):
        if role == "mentee":
            mentee_id, mentor_id = person_id, partner_id
        else:
            mentee_id, mentor_id = partner_id, person_id
        given[(role, mentee_id, mentor_id)] = int(rank or 0)
        i, j = mentee_index.get(str(mentee_id)), mentor_index.get(str(mentor_id))
        if i is None or j is None or not problem.allowed[i, j]:
            dropped += 1
            continue
        if role == "mentee":
            mentee_ranks[i].append(j)
        else:
            mentor_ranks[j].append(i)

    resolved = resolve_choices(
        problem.scores,
        allowed=problem.allowed,
        capacity=problem.capacity,
        mentee_ranks=mentee_ranks,
        mentor_ranks=mentor_ranks,
    )
    certified = resolved.verify()
    if not certified:  # pragma: no cover - the engine's certificate should always hold
        logger.error("Choice run %s: the certificate did not verify", run.pk)
    engine = resolved.assignment
    pinned = problem.pinned
    pinned_rows = {i for i, _j in pinned}
    explanations = explain_pairs(engine, scorer, pinned=tuple(pinned))
    still = Assignment(
        engine.pairs,
        resolved.score_total,
        tuple(i for i in engine.unmatched if i not in pinned_rows),
        engine.certificate,
        n,
        m,
    )
    # Only the reason and who was eligible are kept for choice runs: the "cost of forcing"
    # is a score figure, and here places went to choices rather than to the highest score.
    unmatched = explain_unmatched(still, scorer, problem.capacity, exact=False)
    every_pair = tuple(sorted((*engine.pairs, *pinned)))
    scores_by_pair = {(e.mentee, e.mentor): e.score for e in explanations}
    report = run_report(
        Assignment(
            every_pair,
            math.fsum(scores_by_pair.get(p, 0.0) for p in every_pair),
            still.unmatched,
            engine.certificate,
            n,
            m,
        ),
        problem.base,
        capacity=problem.base.capacity,
        pair_scores=[scores_by_pair[p] for p in every_pair],
        mentee_groups=[p.group if p.group_consent else None for p in scorer.mentees],
        mentor_groups=[p.group if p.group_consent else None for p in scorer.mentors],
        min_group_size=django_settings.UPWARD_SPECIAL_CATEGORY_MIN_GROUP_SIZE,
    )
    result = MatchResult(
        pairs=tuple(sorted((scorer.mentees[i].id, scorer.mentors[j].id) for i, j in every_pair)),
        explanations=explanations,
        unmatched=unmatched,
        report=report,
        assignment=engine,
        pinned=tuple(sorted(pinned)),
        scorer=scorer,
        capacity=problem.capacity,
        timings={},
    )
    return result, {
        "round": round_.pk,
        "who_chooses": round_.who_chooses,
        "given": given,
        "status": status,
        "dropped": dropped,
        "certified": certified,
        "score_resolution": resolved.score_resolution,
    }


def _add_choices(results: dict[str, Any], choices: Mapping[str, Any]) -> None:
    """Per pair, which choice it was for each side; per side, how the choosers fared."""
    given: Mapping[tuple[str, int, int], int] = choices["given"]
    status: Mapping[tuple[str, int], str] = choices["status"]
    received: dict[tuple[str, int], list[int]] = {}  # chooser -> ranks of the partners they got
    for pair in results["pairs"]:
        mentee, mentor = pair["mentee"], pair["mentor"]
        choice: dict[str, Any] = {}
        for role, person in (("mentee", mentee), ("mentor", mentor)):
            rank = given.get((role, mentee, mentor))
            choice[role] = rank
            choice[f"{role}_chooses"] = status.get((role, person), "")
            if (role, person) in status:
                received.setdefault((role, person), []).extend([rank] if rank else [])
        pair["choice"] = choice
    for row in results["unmatched"]:
        row["choice_run"] = True
        row["cost"] = None
    summary: dict[str, Any] = {
        "round": choices["round"],
        "who_chooses": choices["who_chooses"],
        "dropped": choices["dropped"],
        "certified": choices["certified"],
        "score_resolution": _num(choices["score_resolution"]),
    }
    for role in ("mentee", "mentor"):
        people = [p for (r, p), s in status.items() if r == role]
        if not people:
            continue
        ranked = [p for p in people if status[(role, p)] == "ranked"]
        got = [min(received.get((role, p)) or [0]) or None for p in ranked]
        summary[role] = {
            "asked": len(people),
            "ranked": len(ranked),
            "first": sum(1 for r in got if r == 1),
            "top3": sum(1 for r in got if r is not None and r <= 3),
            "any": sum(1 for r in got if r is not None),
            "none": sum(1 for r in got if r is None),
            "unmatched": sum(1 for p in ranked if (role, p) not in received),
        }
    results["choice"] = summary

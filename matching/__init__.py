"""Upward matching engine: pure Python + numpy/scipy/OR-Tools, no Django.

Public API (stable; see docs/matching.md):

* engine: ``solve_assignment``, ``solve_sparse``, ``solve_fair``, ``verify``,
  ``Assignment``, ``Certificate``, ``BlockScorer``, ``DenseScorer``
* profiles: ``MentorProfile``, ``MenteeProfile``, ``Weights``, ``Constraints``,
  ``default_weights``, ``ProfileScorer``, ``match_profiles``, ``MatchResult``, ``score_pairs`` (what-if),
  ``warm_up`` (load the compiled kernels large cohorts use)
* explanations and report: ``PairExplanation``, ``Contribution``,
  ``UnmatchedExplanation``, ``RunReport``, ``GroupParity``, ``run_report``
"""

from matching.engine import (
    Assignment,
    BlockScorer,
    Certificate,
    DenseScorer,
    solve_assignment,
    solve_fair,
    solve_sparse,
    verify,
)
from matching.explain import (
    Contribution,
    PairExplanation,
    UnmatchedExplanation,
    explain_pairs,
    explain_unmatched,
)
from matching.report import GroupParity, RunReport, run_report
from matching.run import MatchResult, WhatIf, match_profiles, score_pairs, warm_up
from matching.scoring import (
    CRITERIA,
    OBJECTIVES,
    Constraints,
    MenteeProfile,
    MentorProfile,
    ProfileScorer,
    Weights,
    default_weights,
    effective_capacity,
)

__all__ = [
    "CRITERIA",
    "OBJECTIVES",
    "Assignment",
    "BlockScorer",
    "Certificate",
    "Constraints",
    "Contribution",
    "DenseScorer",
    "GroupParity",
    "MatchResult",
    "MenteeProfile",
    "MentorProfile",
    "PairExplanation",
    "ProfileScorer",
    "RunReport",
    "UnmatchedExplanation",
    "Weights",
    "WhatIf",
    "default_weights",
    "effective_capacity",
    "explain_pairs",
    "explain_unmatched",
    "match_profiles",
    "run_report",
    "score_pairs",
    "solve_assignment",
    "solve_fair",
    "solve_sparse",
    "verify",
    "warm_up",
]

"""Upward matching engine: pure Python + numpy/scipy/OR-Tools, no Django.

Public API (stable, used by the Django side):

* engine: ``solve_assignment``, ``solve_sparse``, ``solve_fair``, ``verify``,
  ``Assignment``, ``Certificate``, ``BlockScorer``, ``DenseScorer``
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

"""Small-group suppression across tables: margins, several breakdowns, filters, derived figures.

The attacker below is written apart from `core.suppression`: it sees every shown figure and
knows which figures add up to which, and tries to recover each hidden one by linear algebra
(numpy rank). It must never pin down a hidden figure below its threshold."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from upward.core.suppression import (
    Sum,
    complement_safe,
    hidden_cells,
    mean_or_none,
    protect,
    share,
    suppress_breakdowns,
    suppress_counts,
    suppress_table,
    suppress_views,
)


def recoverable(unknown: Sequence[Any], equations: Sequence[Mapping[Any, int]]) -> set[Hashable]:
    """The unknowns that some combination of the equations pins down exactly."""
    if not unknown:
        return set()
    index = {k: i for i, k in enumerate(unknown)}
    rows = [[0.0] * len(unknown) for _ in equations]
    for row, eq in zip(rows, equations, strict=True):
        for k, coef in eq.items():
            if k in index:
                row[index[k]] += coef
    a = np.array(rows) if rows else np.zeros((0, len(unknown)))
    rank = np.linalg.matrix_rank(a) if len(rows) else 0
    found = set()
    for k, i in index.items():
        unit = np.zeros((1, len(unknown)))
        unit[0, i] = 1
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            found.add(k)
    return found


def table_attack(table, cells, rows, columns) -> set[Hashable]:
    """Hidden inner cells (and margins) a reader can work out from a shown `suppress_table`."""
    unknown: list[Hashable] = []
    for r in rows:
        for c in columns:
            if table.cells[(r, c)] is None:
                unknown.append(("cell", r, c))
        if table.row_totals[r] is None:
            unknown.append(("row", r))
    for c in columns:
        if table.column_totals[c] is None:
            unknown.append(("column", c))
    if table.total is None:
        unknown.append(("total",))
    equations: list[dict[Any, int]] = []
    for r in rows:
        eq: dict[Any, int] = {("cell", r, c): 1 for c in columns}
        eq[("row", r)] = -1
        equations.append(eq)
    for c in columns:
        eq = {("cell", r2, c): 1 for r2 in rows}
        eq[("column", c)] = -1
        equations.append(eq)
    equations.append({**{("row", r): 1 for r in rows}, ("total",): -1})
    equations.append({**{("column", c): 1 for c in columns}, ("total",): -1})
    return recoverable(unknown, equations)


# --- 1-D: the first version's behaviour stays -------------------------------------------------


def test_one_breakdown_hides_the_small_cell_and_the_next_smallest():
    shown = suppress_counts({"a": 3, "b": 20, "c": 30}, threshold=5)
    assert shown == {"a": None, "b": None, "c": 30}


def test_one_breakdown_with_no_total_hides_only_small_cells():
    assert hidden_cells({"a": 3, "b": 6}, threshold=5, total_shown=False) == {"a"}


def test_share_is_hidden_with_its_cell():
    assert share(None, 40) is None and share(3, 40) == 8 and share(1, 0) is None


# --- 2-D tables with margins ------------------------------------------------------------------


def test_table_hides_a_partner_in_the_row_and_the_column():
    cells = {("p1", "x"): 3, ("p1", "y"): 20, ("p2", "x"): 15, ("p2", "y"): 25}
    table = suppress_table(cells, rows=["p1", "p2"], columns=["x", "y"], threshold=10)
    # 3 is hidden; alone in its row it would be row total minus 20, alone in its column 18 - 15.
    assert table.cells[("p1", "x")] is None
    hidden = {k for k, v in table.cells.items() if v is None}
    assert hidden == {("p1", "x"), ("p1", "y"), ("p2", "x"), ("p2", "y")}
    assert table.total == 63 and table.row_totals == {"p1": 23, "p2": 40}
    assert table_attack(table, cells, ["p1", "p2"], ["x", "y"]) == set()


def test_table_with_three_columns_keeps_the_big_cells():
    cells = {
        ("p1", "x"): 4,
        ("p1", "y"): 12,
        ("p1", "z"): 30,
        ("p2", "x"): 11,
        ("p2", "y"): 14,
        ("p2", "z"): 40,
    }
    rows, columns = ["p1", "p2"], ["x", "y", "z"]
    table = suppress_table(cells, rows=rows, columns=columns, threshold=10)
    assert table.cells[("p1", "z")] == 30 and table.cells[("p2", "z")] == 40
    assert table.cells[("p1", "x")] is None and table.cells[("p2", "x")] is None
    assert table_attack(table, cells, rows, columns) == set()


def test_table_hides_a_small_row_total_and_protects_it():
    cells = {("p1", "x"): 2, ("p1", "y"): 1, ("p2", "x"): 30, ("p2", "y"): 40}
    table = suppress_table(
        cells, rows=["p1", "p2"], columns=["x", "y"], threshold=10, margin_threshold=5
    )
    assert table.row_totals["p1"] is None
    found = table_attack(table, cells, ["p1", "p2"], ["x", "y"])
    assert ("row", "p1") not in found and ("cell", "p1", "x") not in found


cell_counts = st.integers(min_value=0, max_value=30)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=2, max_value=4),
    st.data(),
)
def test_no_hidden_figure_of_a_table_can_be_worked_out(n_rows, n_columns, data):
    rows = [f"r{i}" for i in range(n_rows)]
    columns = [f"c{j}" for j in range(n_columns)]
    cells = {(r, c): data.draw(cell_counts) for r in rows for c in columns}
    table = suppress_table(cells, rows=rows, columns=columns, threshold=10, margin_threshold=5)
    for (r, c), count in cells.items():
        if count < 10:
            assert table.cells[(r, c)] is None
        elif table.cells[(r, c)] is not None:
            assert table.cells[(r, c)] == count
    found = table_attack(table, cells, rows, columns)
    small: set[Any] = {("cell", r, c) for (r, c), n in cells.items() if n < 10}
    small |= {("row", r) for r in rows if sum(cells[(r, c)] for c in columns) < 5}
    assert not (found & small)
    # No row or column holds exactly one hidden inner cell while its total is shown.
    for r in rows:
        hidden = [c for c in columns if table.cells[(r, c)] is None]
        assert len(hidden) != 1 or table.row_totals[r] is None


# --- several breakdowns of the same people ----------------------------------------------------


def test_breakdowns_must_count_everyone():
    with pytest.raises(ValueError, match="same total"):
        suppress_breakdowns(
            {"ethnicity": {"a": 12, "b": 20}, "disability": {"yes": 11, "no": 12}},
            thresholds={"ethnicity": 10, "disability": 10},
        )


def test_not_stated_counts_as_a_cell():
    # 32 people; 3 did not answer the disability question. With "Not stated" hidden alone,
    # 32 - 11 - 18 would give it back, so a second cell goes too.
    shown = suppress_breakdowns(
        {
            "ethnicity": {"a": 12, "b": 20},
            "disability": {"yes": 11, "no": 18, "Not stated": 3},
        },
        thresholds={"ethnicity": 10, "disability": 10},
    )
    assert shown["ethnicity"] == {"a": 12, "b": 20}
    assert shown["disability"] == {"yes": None, "no": 18, "Not stated": None}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(cell_counts, min_size=2, max_size=4), min_size=1, max_size=3))
def test_breakdowns_together_never_give_a_small_cell_back(raw):
    total = max(sum(b) for b in raw)
    breakdowns: dict[str, dict[str, int]] = {}
    for i, counts in enumerate(raw):
        cells = {f"g{j}": n for j, n in enumerate(counts)}
        cells["Not stated"] = total - sum(counts)
        breakdowns[f"b{i}"] = cells
    shown = suppress_breakdowns(breakdowns, thresholds=dict.fromkeys(breakdowns, 10))
    unknown = [(b, k) for b, cells in shown.items() for k, v in cells.items() if v is None]
    equations = [{(b, k): 1 for k in cells} for b, cells in breakdowns.items()]
    found = recoverable(unknown, equations)
    small = {(b, k) for b, cells in breakdowns.items() for k, n in cells.items() if n < 10}
    assert not (found & small)
    for b, cells in shown.items():
        hidden = [k for k, v in cells.items() if v is None]
        assert (
            hidden == []
            or (len(hidden) >= 2 and sum(breakdowns[b][k] for k in hidden) >= 10)
            or len(hidden) == len(cells)
        )


# --- differencing across filters --------------------------------------------------------------


def test_complement_of_a_filter():
    assert complement_safe(40, 40, threshold=10)
    assert complement_safe(40, 30, threshold=10)
    assert not complement_safe(40, 33, threshold=10)


def test_a_programme_subtracted_from_the_organisation_gives_nothing_back():
    # Organisation-wide and per programme are the column totals and rows of one table: a
    # programme with 11 of group x out of 13 leaves 2 elsewhere, which must stay unknown.
    cells = {("p1", "x"): 11, ("p1", "y"): 30, ("p2", "x"): 2, ("p2", "y"): 25}
    table = suppress_table(cells, rows=["p1", "p2"], columns=["x", "y"], threshold=10)
    assert table.cells[("p2", "x")] is None
    assert table.cells[("p1", "x")] is None or table.column_totals["x"] is None


def test_year_filters_and_all_years_are_protected_together():
    # 2026: 12 in group x; all years: 15. Showing both would tell 3 in 2027.
    unfiltered, by_year = suppress_views(
        {2026: {"x": 12, "y": 30, "z": 25}, 2027: {"x": 3, "y": 20, "z": 22}}, threshold=10
    )
    assert by_year[2027]["x"] is None
    assert unfiltered["x"] is None or by_year[2026]["x"] is None
    assert by_year[2026]["y"] == 30 or unfiltered["y"] == 50


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(cell_counts, min_size=3, max_size=3), min_size=2, max_size=3))
def test_no_filtered_view_gives_a_small_cell_back(raw):
    views = {f"f{i}": {f"g{j}": n for j, n in enumerate(counts)} for i, counts in enumerate(raw)}
    unfiltered, filtered = suppress_views(views, threshold=10)
    unknown: list[Any] = [("cell", f, g) for f in views for g in views[f] if filtered[f][g] is None]
    unknown += [("column", g) for g in unfiltered if unfiltered[g] is None]
    equations: list[dict[Any, int]] = []
    for g in unfiltered:
        eq: dict[Any, int] = {("cell", f, g): 1 for f in views}
        eq[("column", g)] = -1
        equations.append(eq)
    for f in views:  # each view's total is shown
        equations.append({("cell", f, g): 1 for g in views[f]})
    small = {("cell", f, g) for f in views for g, n in views[f].items() if n < 10}
    assert not (recoverable(unknown, equations) & small)


def test_protect_keeps_an_unpublished_difference_unknown():
    # applied = not matched + matched; "not matched" is never shown but is a difference.
    values = {"applied": 20, "matched": 17, "not_matched": 3}
    sums = [Sum(("not_matched", "matched"), "applied", 10)]
    hidden = protect(values, sums, unpublished=["not_matched"], sensitive=["not_matched"])
    assert hidden == {"matched"}


# --- derived figures --------------------------------------------------------------------------


def test_mean_is_hidden_with_its_cell():
    assert mean_or_none([1.0, 2.0, 3.0], 3, 3) == 2.0
    assert mean_or_none([1.0, 2.0], 2, 3) is None
    assert mean_or_none([1.0, 2.0, 3.0], None, 3) is None


def test_a_cell_joining_two_hidden_blocks_is_not_left_recoverable():
    # Two blocks of small cells joined by one small cell: every line has two hidden cells
    # holding 18, yet the joining cell is row r2's total minus two sums that the columns and
    # row r1 give away. Only the linear-algebra check catches it.
    rows, columns = ["r1", "r2", "r3", "r4"], ["c1", "c2", "c3", "c4"]
    small = {
        ("r1", "c1"),
        ("r1", "c2"),
        ("r2", "c1"),
        ("r2", "c2"),
        ("r2", "c3"),
        ("r3", "c3"),
        ("r3", "c4"),
        ("r4", "c3"),
        ("r4", "c4"),
    }
    cells = {(r, c): (9 if (r, c) in small else 50) for r in rows for c in columns}
    table = suppress_table(cells, rows=rows, columns=columns, threshold=10)
    assert table_attack(table, cells, rows, columns) == set()
    assert table.total == sum(cells.values())

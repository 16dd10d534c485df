"""Small-group suppression for every aggregate Upward shows: pages, charts, PDFs and exports.

One module, so a figure hidden on a page is hidden in its chart, its PDF and its export too
(docs/privacy.md, "Small groups"). The thresholds are settings: `UPWARD_MIN_GROUP_SIZE` (5) for
ordinary groups, `UPWARD_SPECIAL_CATEGORY_MIN_GROUP_SIZE` (10) for groups drawn from special
category data (ethnicity, disability, sexual orientation and the other About-you answers).

A hidden cell is `None`, never a label such as "fewer than 5": the reader learns nothing about
why a cell is missing. Derived figures (a percentage, a mean) are hidden with their cell.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Generic, TypeVar

from django.conf import settings

K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)
B = TypeVar("B", bound=Hashable)
F = TypeVar("F", bound=Hashable)


def min_group() -> int:
    return int(settings.UPWARD_MIN_GROUP_SIZE)


def special_min_group() -> int:
    return int(settings.UPWARD_SPECIAL_CATEGORY_MIN_GROUP_SIZE)


def hidden_cells(cells: Mapping[K, int], *, threshold: int, total_shown: bool = True) -> set[K]:
    """The cells of one breakdown that must not be shown.

    Primary suppression hides every cell below `threshold` (an empty cell too: "nobody in this
    group" is itself a disclosure about a small group). When the total is shown, the hidden
    cells add up to total minus the visible ones, so secondary suppression keeps hiding the
    next-smallest visible cell until at least two cells are hidden and together they hold at
    least `threshold` people: then no single hidden cell, nor the hidden group as a whole, can
    be worked out below the threshold.
    """
    hidden = {name for name, count in cells.items() if count < threshold}
    if not total_shown or not hidden:
        return hidden
    visible = sorted(
        ((count, str(name), name) for name, count in cells.items() if name not in hidden),
        key=lambda item: (item[0], item[1]),
    )
    while visible and (len(hidden) < 2 or sum(cells[name] for name in hidden) < threshold):
        _count, _key, name = visible.pop(0)
        hidden.add(name)
    return hidden


def suppress_counts(
    cells: Mapping[K, int], *, threshold: int, total_shown: bool = True
) -> dict[K, int | None]:
    """The breakdown with its hidden cells set to None (same keys, same order)."""
    hidden = hidden_cells(cells, threshold=threshold, total_shown=total_shown)
    return {name: (None if name in hidden else count) for name, count in cells.items()}


def share(part: int | None, whole: int | None) -> int | None:
    """`part` as a whole percentage of `whole` (halves up), or None when either is hidden or
    the whole is empty: a percentage is hidden with its cell."""
    if part is None or whole is None or whole <= 0:
        return None
    return (part * 200 + whole) // (whole * 2)


# ---------------------------------------------------------------------------------------------
# Several figures that add up: tables with margins, breakdowns of one population, filtered views
#
# Suppressing each breakdown on its own is not enough once figures add up across tables: a row
# total minus the visible cells of the row, a programme's figure subtracted from the
# organisation's, or two breakdowns with different totals give a hidden cell back. The functions
# below describe what is shown as a set of sums ("these parts add up to that whole") and protect
# the whole system at once:
#
# 1. Primary: every sensitive figure is hidden (a cell below its threshold, zero included).
# 2. Lines: in every sum with a hidden member, at least two members are unknown, and when the
#    whole is shown the unknown parts together hold at least the threshold; otherwise the next
#    smallest visible part is hidden (the whole only when no part is left). Repeated until
#    nothing changes: a simple iterative heuristic, not an optimal one (it may hide more than a
#    linear-programming method would).
# 3. Check: exact linear algebra (fractions, no rounding) over the unknown figures; while any
#    sensitive figure can be worked out from what is shown by adding and subtracting, the
#    smallest visible member of a sum it belongs to is hidden and step 2 runs again.
#
# Protected: recovering a sensitive figure exactly by any linear combination of the shown
# figures (sums, differences, across tables and filters described to `protect`). Not protected:
# bounds from the fact that counts are never negative (a hidden pair summing to 10 tells that
# each is at most 10), and figures the caller shows but does not describe here.


@dataclass(frozen=True)
class Sum:
    """`parts` add up to `whole`; `threshold` is the smallest group the parts may show."""

    parts: tuple[Hashable, ...]
    whole: Hashable
    threshold: int


def protect(
    values: Mapping[Any, int],
    sums: Sequence[Sum],
    *,
    sensitive: Iterable[Hashable] = (),
    unpublished: Iterable[Hashable] = (),
    pinned: Iterable[Hashable] = (),
) -> set[Hashable]:
    """The shown figures that must be hidden so no sensitive figure can be worked out.

    `values` holds every figure named in `sums`. A part below the threshold of a sum it belongs
    to is sensitive; `sensitive` adds more (a margin below its own threshold, a difference
    between two views). `unpublished` figures are never shown (a difference an attacker could
    compute) but take part in the sums; only the sensitive ones among them must stay unknown.
    `pinned` figures are shown whatever happens (a total the page shows anyway): their sums are
    protected through their parts only.
    """
    # A part below its threshold is sensitive; an unpublished one only when the caller says so
    # (a difference of zero, "nobody in this group was left unmatched", may be fine to know).
    unpublished_set = set(unpublished)
    pinned_set = set(pinned)
    sensitive_set = set(sensitive)
    for s in sums:
        sensitive_set.update(
            p for p in s.parts if values[p] < s.threshold and p not in unpublished_set
        )
    hidden = {k for k in sensitive_set if k not in unpublished_set and k not in pinned_set}
    while True:
        _spread_lines(values, sums, hidden, unpublished_set, pinned_set, sensitive_set)
        found = _determined(values, sums, hidden | unpublished_set, sensitive_set)
        if not found:
            return hidden
        # Hide beside every figure found at once: one elimination per round, not per figure.
        fixed = unpublished_set | pinned_set
        if not any([_hide_next_to(key, values, sums, hidden, fixed) for key in found]):
            # Nothing left to hide beside them: hide everything rather than show a small
            # group. (Only a pinned figure can still give one away, such as a shown total
            # below the threshold; the caller decides whether to show that.)
            hidden.update(k for k in values if k not in fixed)
            return hidden


def _spread_lines(
    values: Mapping[Any, int],
    sums: Sequence[Sum],
    hidden: set[Hashable],
    unpublished: set[Hashable],
    pinned: set[Hashable],
    sensitive: set[Hashable],
) -> None:
    changed = True
    while changed:
        changed = False
        for s in sums:
            members = (*s.parts, s.whole)
            unknown = [m for m in members if m in hidden or m in unpublished]
            if not any(m in hidden or m in sensitive for m in unknown):
                continue
            short = len(unknown) < 2
            if not short and s.whole not in unknown:
                short = sum(values[p] for p in unknown) < s.threshold
            if not short:
                continue
            visible = sorted(
                (p for p in s.parts if p not in hidden and p not in unpublished | pinned),
                key=lambda p: (values[p], str(p)),
            )
            if visible:
                hidden.add(visible[0])
                changed = True
            elif s.whole not in hidden and s.whole not in unpublished | pinned:
                hidden.add(s.whole)
                changed = True
            # else: the whole is pinned (shown by the caller) and every part is hidden.


def _hide_next_to(
    key: Hashable,
    values: Mapping[Any, int],
    sums: Sequence[Sum],
    hidden: set[Hashable],
    unpublished: set[Hashable],
) -> bool:
    candidates = [
        m
        for s in sums
        if key in s.parts or key == s.whole
        for m in (*s.parts, s.whole)
        if m not in hidden and m not in unpublished
    ]
    if not candidates:
        return False
    hidden.add(min(candidates, key=lambda m: (values[m], str(m))))
    return True


def _determined(
    values: Mapping[Any, int],
    sums: Sequence[Sum],
    unknown: set[Hashable],
    sensitive: set[Hashable],
) -> list[Hashable]:
    """The sensitive unknown figures that the shown figures pin down.

    Each sum is an equation over the unknown figures (the known ones move to the right-hand
    side, which does not matter for whether a figure is pinned down). In the reduced row echelon
    form, an unknown is pinned down exactly when it is a pivot whose row has no free unknown."""
    rows: list[dict[Hashable, int | Fraction]] = []
    for s in sums:
        row: dict[Hashable, int | Fraction] = {}
        for p in s.parts:
            if p in unknown:
                row[p] = row.get(p, 0) + 1
        if s.whole in unknown:
            row[s.whole] = row.get(s.whole, 0) - 1
        row = {k: v for k, v in row.items() if v}
        if row:
            rows.append(row)
    # pivot → its row (the pivot and free unknowns only); free unknown → pivots whose row has it
    pivots: dict[Hashable, dict[Hashable, int | Fraction]] = {}
    occurs: dict[Hashable, set[Hashable]] = {}

    def subtract(
        target: dict[Hashable, int | Fraction],
        factor: Any,
        source: Mapping[Any, Any],
        owner: Hashable | None,
    ) -> None:
        for k, v in source.items():
            nv = target.get(k, 0) - factor * v
            if nv:
                target[k] = nv
                if owner is not None and k != owner:
                    occurs.setdefault(k, set()).add(owner)
            else:
                target.pop(k, None)
                if owner is not None:
                    occurs.get(k, set()).discard(owner)

    for row in rows:
        # Pivot rows hold no other pivot, so one pass over the row's pivots reduces it.
        for var in [k for k in row if k in pivots]:
            factor = row.get(var)
            if factor:
                subtract(row, factor, pivots[var], None)
        if not row:
            continue
        var = next(iter(row))
        lead = row[var]
        if lead in (1, -1):
            row = {k: v * lead for k, v in row.items()}
        else:
            row = {k: Fraction(v) / lead for k, v in row.items()}
        for other_var in list(occurs.pop(var, ())):
            other = pivots[other_var]
            factor = other.get(var)
            if factor:
                subtract(other, factor, row, other_var)
        pivots[var] = row
        for k in row:
            if k != var:
                occurs.setdefault(k, set()).add(var)
    return sorted(
        (var for var, row in pivots.items() if var in sensitive and len(row) == 1), key=str
    )


@dataclass(frozen=True)
class Table(Generic[R, C]):
    """A suppressed two-way table; a hidden figure is None."""

    cells: dict[tuple[R, C], int | None]
    row_totals: dict[R, int | None]
    column_totals: dict[C, int | None]
    total: int | None


def suppress_table(
    cells: Mapping[tuple[R, C], int],
    *,
    rows: Sequence[R],
    columns: Sequence[C],
    threshold: int,
    margin_threshold: int = 0,
) -> Table[R, C]:
    """Rows × columns with row totals, column totals and the grand total all shown.

    Inner cells below `threshold` are hidden, margins below `margin_threshold` (for example the
    ordinary group size for a row that is not a special-category group), then secondary cells
    so that nothing hidden can be worked out from the lines it lies in (see `protect`)."""
    values: dict[Hashable, int] = {
        ("cell", r, c): cells.get((r, c), 0) for r in rows for c in columns
    }
    for r in rows:
        values[("row", r)] = sum(cells.get((r, c), 0) for c in columns)
    for c in columns:
        values[("column", c)] = sum(cells.get((r, c), 0) for r in rows)
    values[("total",)] = sum(values[("row", r)] for r in rows)
    sums = [Sum(tuple(("cell", r, c) for c in columns), ("row", r), threshold) for r in rows]
    sums += [Sum(tuple(("cell", r, c) for r in rows), ("column", c), threshold) for c in columns]
    sums.append(Sum(tuple(("row", r) for r in rows), ("total",), margin_threshold))
    sums.append(Sum(tuple(("column", c) for c in columns), ("total",), threshold))
    margins = [("row", r) for r in rows] + [("total",)]
    hidden = protect(values, sums, sensitive=[m for m in margins if values[m] < margin_threshold])

    def shown(key: Hashable) -> int | None:
        return None if key in hidden else values[key]

    return Table(
        cells={(r, c): shown(("cell", r, c)) for r in rows for c in columns},
        row_totals={r: shown(("row", r)) for r in rows},
        column_totals={c: shown(("column", c)) for c in columns},
        total=shown(("total",)),
    )


def suppress_breakdowns(
    breakdowns: Mapping[B, Mapping[K, int]], *, thresholds: Mapping[B, int]
) -> dict[B, dict[K, int | None]]:
    """Several breakdowns of the same people (by role, by ethnic group, by disability...),
    protected together, with their one shared total shown.

    Every breakdown must count every person exactly once, so all show the same total: people
    who did not answer, said "prefer not to say" or did not consent belong in a "Not stated"
    cell, which counts as a cell like any other. Then no breakdown's total differs from
    another's, and each breakdown has no hidden cell or at least two holding together at least
    its threshold. A breakdown whose people may sit in several cells (lived-experience topics)
    adds up to more than the total: suppress it on its own with `suppress_counts`."""
    totals = {name: sum(cells.values()) for name, cells in breakdowns.items()}
    if len(set(totals.values())) > 1:
        raise ValueError(
            f"Breakdowns of the same people must add up to the same total: {totals}. "
            "Count people without an answer in a 'Not stated' cell."
        )
    values: dict[Hashable, int] = {("total",): next(iter(totals.values()), 0)}
    sums = []
    for name, cells in breakdowns.items():
        for key, count in cells.items():
            values[(name, key)] = count
        sums.append(Sum(tuple((name, key) for key in cells), ("total",), thresholds[name]))
    # The shared total stays shown: it is "Everyone", which the caller shows anyway.
    hidden = protect(values, sums, pinned=[("total",)])
    return {
        name: {key: (None if (name, key) in hidden else count) for key, count in cells.items()}
        for name, cells in breakdowns.items()
    }


def suppress_views(
    views: Mapping[F, Mapping[K, int]], *, threshold: int, margin_threshold: int = 0
) -> tuple[dict[K, int | None], dict[F, dict[K, int | None]]]:
    """One breakdown seen unfiltered and through each of a page's filters, when the filters
    split the people into disjoint parts (one year each, one programme each): the unfiltered
    view and every filtered one are protected together, so switching the filter and subtracting
    gives no hidden cell back. Returns (unfiltered, {filter: filtered}); each view's total is
    shown (pinned at `margin_threshold`, see `suppress_table`).

    Filters that overlap (a person in two years) are not a partition: check each pair with
    `complement_safe` instead, and offer only filters that pass."""
    rows = list(views)
    columns: list[K] = list(dict.fromkeys(k for cells in views.values() for k in cells))
    table = suppress_table(
        {(r, c): views[r].get(c, 0) for r in rows for c in columns},
        rows=rows,
        columns=columns,
        threshold=threshold,
        margin_threshold=margin_threshold,
    )
    return (
        dict(table.column_totals),
        {r: {c: table.cells[(r, c)] for c in columns} for r in rows},
    )


def complement_safe(whole: int, part: int, *, threshold: int) -> bool:
    """Whether a filtered view (`part` people of `whole`) may be shown beside the unfiltered
    one: the people left out, found by subtraction, are nobody or at least `threshold`."""
    rest = whole - part
    return rest == 0 or rest >= threshold


def mean_or_none(values: Sequence[float], n: int | None, threshold: int) -> float | None:
    """The mean of `values`, hidden (None) with its cell: when the cell is hidden (`n` None),
    below the threshold, or empty."""
    if n is None or n < threshold or not values:
        return None
    return sum(values) / len(values)

"""Small-group suppression for every aggregate Upward shows: pages, charts, PDFs and exports.

One module, so a figure hidden on a page is hidden in its chart, its PDF and its export too
(docs/privacy.md, "Small groups"). The thresholds are settings: `UPWARD_MIN_GROUP_SIZE` (5) for
ordinary groups, `UPWARD_SPECIAL_CATEGORY_MIN_GROUP_SIZE` (10) for groups drawn from special
category data (ethnicity, disability, sexual orientation and the other About-you answers).

A hidden cell is `None`, never a label such as "fewer than 5": the reader learns nothing about
why a cell is missing. Derived figures (a percentage, a mean) are hidden with their cell.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

from django.conf import settings

K = TypeVar("K", bound=Hashable)


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

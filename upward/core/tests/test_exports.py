"""The shared export escaping (OWASP CSV injection advice)."""

from __future__ import annotations

import csv
import io

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

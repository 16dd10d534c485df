"""The report benchmark (bench/reports.py): its arithmetic, and one tiny run end to end."""

import io

import pytest
from django.urls import NoReverseMatch, reverse

from bench.reports import Row, measure, percentile, table
from upward.demo import large


def test_percentile_is_the_nearest_rank():
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.95) == 5.0
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.5) == 3.0
    assert percentile([7.0], 0.95) == 7.0


def test_table_shows_the_verdict_against_the_target():
    text = table(
        [
            Row("fast page", "200", 2048, 120.0, 150.0, 9),
            Row("slow page", "200", 100, 450.0, 500.0, 30),
            Row("future page", "not built"),
            Row("odd page", "404"),
        ]
    )
    lines = text.splitlines()
    assert lines[1].endswith("pass")
    assert "2 KB" in lines[1] and "0.40" in lines[1]
    assert lines[2].endswith("FAIL") and "1.50" in lines[2] and "100 B" in lines[2]
    assert lines[3].endswith("not built")
    assert lines[4].endswith("skipped (404)")


@pytest.mark.slow
def test_a_tiny_run_measures_the_pages_that_exist(db):
    large.seed_large(
        large.Sizes(people=120, programmes=5, pairs=20, meetings=100, answers=100), slug="large"
    )
    out = io.StringIO()
    rows, failed = measure(slug="large", runs=1, out=out)
    assert not failed
    by_label = {row.label: row for row in rows}
    directory = by_label["people directory"]
    assert directory.status == "200" and directory.queries > 0 and directory.size > 0
    assert by_label["matching review"].status == "200"
    assert by_label["participant home"].status == "200"
    try:
        reverse("insight:overview")
    except NoReverseMatch:
        assert by_label["organisation overview"].status == "not built"
    assert "120 people, 20 pairs" in out.getvalue()

"""The benchmark's choice of the run it reports (bench/run.py)."""

from bench.run import _median_run


def _run(e2e, total=10.0, certified=True, peak=100.0):
    return {
        "end_to_end": e2e,
        "matched": 5,
        "total": total,
        "certified": certified,
        "peak_mb": peak,
        "features": e2e / 2,
    }


def test_median_run_is_reported_with_every_time_and_the_largest_peak():
    r = _median_run([_run(9.0, peak=120.0), _run(7.0), _run(8.0)])
    assert r["end_to_end"] == 8.0
    assert r["features"] == 4.0  # the stages come from that same run
    assert r["e2e_runs"] == [7.0, 8.0, 9.0]
    assert r["peak_mb"] == 120.0
    assert r["consistent"]


def test_runs_that_disagree_or_fail_are_flagged():
    assert not _median_run([_run(7.0), _run(8.0, total=9.5)])["consistent"]
    assert not _median_run([_run(7.0), {"error": "boom"}])["consistent"]
    assert not _median_run([_run(7.0, certified=False)])["consistent"]
    assert _median_run([{"error": "boom"}]) == {"error": "boom"}

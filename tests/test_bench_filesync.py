"""The file sync benchmark (bench/filesync.py): its table, and one tiny run end to end."""

import io

import pytest

from bench.filesync import Step, measure, table
from upward.organisations import services
from upward.organisations.models import Person


def test_table_shows_the_verdict_against_the_target():
    lines = table(
        [
            Step("fetch", 0.2, "people.csv"),
            Step("total", 30.0, "all", 60),
            Step("again", 90, "", 60),
        ]
    ).splitlines()
    assert lines[1].startswith("fetch") and "pass" not in lines[1]
    assert "0.50" in lines[2] and "pass" in lines[2]
    assert "1.50" in lines[3] and "FAIL" in lines[3]


@pytest.mark.slow
def test_a_tiny_run_syncs_every_person(db, tmp_path, settings):
    settings.FILESYNC_ROOT = str(tmp_path)
    organisation, _admin = services.create_organisation(
        name="Bench Ltd", slug="bench", admin_email="admin@bench.test", admin_name="Bench Admin"
    )
    out = io.StringIO()
    steps = measure(tmp_path, organisation, rows=120, out=out)
    assert [s.name for s in steps] == ["fetch", "dry run", "apply", "total", "again"]
    assert "pass" in out.getvalue()
    assert (
        Person.objects.filter(organisation=organisation, job_title__startswith="Lead").count()
        == 120
    )

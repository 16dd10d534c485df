"""Benchmark: HR file sync of a 50,000-row CSV from a folder source. `make bench` runs it.

    python -m bench.filesync [--rows 50000] [--keep]

Builds a fresh SQLite database in a temporary folder (migrations included, not timed) and a
shared folder holding the export, then times what a scheduled sync does:

  fetch     find the newest matching file in the folder and read it
  dry run   read the CSV and store the preview (the people import's dry run)
  apply     the automatic apply: re-check, then chunks of 2,000 rows
  total     the three together: the target is 60 seconds
  again     a whole scheduled run (fetch, dry run, apply) of a file changing every job title

Prints one line per step with the seconds, the target and the ratio (below 1.00 passes).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

TARGET_SECONDS = 60.0


def people_csv(rows: int, *, title: str = "Analyst") -> str:
    lines = ["email,full_name,job_title,department,team,manager_email,location,start_date"]
    # The organisation's admin is in the HR export too (else the sync would mark them as left).
    lines.append("admin@bench.test,Bench Admin,,,,,,")
    for i in range(rows):
        # A tree of line managers with fan-out 8; the first person is the head.
        manager = f"p{(i - 1) // 8}@bench.test" if i else ""
        lines.append(
            f"p{i}@bench.test,Person {i},{title} {i % 50},Department {i % 12},Team {i % 8},"
            f"{manager},Office {i % 20},2020-01-{1 + i % 28:02d}"
        )
    return "\n".join(lines) + "\n"


@dataclass
class Step:
    name: str
    seconds: float
    detail: str = ""
    target: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.target if self.target else None


def table(steps: list[Step]) -> str:
    lines = [f"{'step':<8} {'seconds':>8} {'target':>7} {'ratio':>6}  result"]
    for step in steps:
        target = f"{step.target:7.0f}" if step.target else f"{'':>7}"
        ratio = f"{step.ratio:6.2f}" if step.ratio is not None else f"{'':>6}"
        verdict = ""
        if step.ratio is not None:
            verdict = "pass " if step.ratio < 1 else "FAIL "
        lines.append(f"{step.name:<8} {step.seconds:8.1f} {target} {ratio}  {verdict}{step.detail}")
    return "\n".join(lines)


def measure(folder: Path, organisation: Any, *, rows: int, out: TextIO) -> list[Step]:
    """Sync `rows` people from `folder` (the FILESYNC_ROOT) into `organisation`'s directory."""
    from upward.filesync import fetching, services
    from upward.filesync.models import FileSource, FileSyncRun
    from upward.organisations import services as people_services
    from upward.organisations.models import Person

    admin = Person.objects.get(organisation=organisation, is_org_admin=True)
    Person.objects.filter(pk=admin.pk).update(email="admin@bench.test", full_name="Bench Admin")
    steps: list[Step] = []

    def timed(name: str, work: Callable[[], Any], describe: Callable[[Any], str]) -> Any:
        started = time.perf_counter()
        outcome = work()
        steps.append(Step(name, time.perf_counter() - started, describe(outcome)))
        return outcome

    # Each organisation reads only its own folder, FILESYNC_ROOT/<slug>/.
    own = folder / organisation.slug
    own.mkdir(exist_ok=True)
    (own / "people-1.csv").write_text(people_csv(rows))
    source = FileSource.objects.create(
        organisation=organisation,
        kind=FileSource.Kind.FOLDER,
        path="people-*.csv",
        auto_apply=True,
        missing_have_left=True,
        max_changes=rows * 2,
        max_leavers=rows,
    )
    fetched = timed(
        "fetch",
        lambda: fetching.fetch_folder(source.path, organisation_slug=organisation.slug),
        lambda f: f"{f.filename}, {len(f.content) / 1024 / 1024:.1f} MB",
    )
    preview = timed(
        "dry run",
        lambda: people_services.start_people_import(
            organisation,
            by=None,
            filename=fetched.filename,
            content=fetched.content,
            missing_have_left=True,
        ),
        lambda p: f"{p.status}, {p.counts}",
    )
    assert preview.counts["new"] == rows, preview.preview["errors"][:3]

    def apply() -> Any:
        applied = people_services.apply_people_import(preview, by=None)
        applied.refresh_from_db()
        return applied

    timed("apply", apply, lambda p: f"{p.status}, {p.result}")
    assert Person.objects.filter(organisation=organisation, is_active=True).count() == rows + 1
    total = sum(s.seconds for s in steps)
    steps.append(Step("total", total, "fetch + dry run + apply", TARGET_SECONDS))

    os.utime(own / "people-1.csv", (time.time() - 60, time.time() - 60))
    (own / "people-2.csv").write_text(people_csv(rows, title="Lead"))

    def scheduled_run() -> FileSyncRun:
        run = services.start_run(source, trigger=FileSyncRun.Trigger.SCHEDULE)
        services.execute_run(run.pk)
        run.refresh_from_db()
        return run

    run = timed(
        "again",
        scheduled_run,
        lambda r: f"{r.status} {r.filename}, {r.counts} {r.error or r.held_because}",
    )
    steps[-1].target = TARGET_SECONDS
    assert run.status == FileSyncRun.Status.APPLIED, run.error or run.held_because
    print(table(steps), file=out)
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.filesync")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true", help="keep the database and the folder")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="upward-bench-filesync-"))
    share = workdir / "share"
    share.mkdir()
    os.environ["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    os.environ["UPWARD_FILESYNC_ROOT"] = str(share)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from upward.organisations import services

    settings.FILESYNC_ROOT = str(share)
    call_command("migrate", verbosity=0)
    organisation, _admin = services.create_organisation(
        name="Bench Ltd", slug="bench", admin_email="admin@bench.test", admin_name="Bench Admin"
    )
    print(f"file sync, {args.rows:,} rows from a folder source, SQLite at {workdir}")
    steps = measure(share, organisation, rows=args.rows, out=sys.stdout)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")
    if not args.keep:
        os.remove(os.environ["SQLITE_PATH"])
        for path in share.iterdir():
            path.unlink()
    return 0 if all(s.ratio is None or s.ratio < 1 for s in steps) else 1


if __name__ == "__main__":
    sys.exit(main())

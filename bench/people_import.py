"""Benchmark: the people import at 100,000 rows. `make bench` runs it after the matching bench.

    python -m bench.people_import [--rows 100000] [--keep]

Builds a fresh SQLite database in a temporary folder (migrations included, not timed), then
times the steps an admin goes through with a file of `--rows` people in a tree of line
managers, 12 departments of 8 teams and nine levels:

  preview   read the CSV and store the dry run (runs in the web request)
  apply     the background apply: re-check, then chunks of 2,000 rows (runs in the worker)
  again     the same file uploaded again: every row unchanged
  update    a second file changing every job title, previewed and applied

Prints one line per step with the seconds, the database queries and the peak memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time


def _csv(rows: int, *, title: str = "Analyst") -> bytes:
    lines = ["email,full_name,job_title,level,department,team,manager_email,location,start_date"]
    for i in range(rows):
        # Everyone reports to someone earlier in a tree of fan-out 8; the first is the head.
        manager = f"p{(i - 1) // 8}@bench.test" if i else ""
        lines.append(
            f"p{i}@bench.test,Person {i},{title} {i % 50},{1 + i % 9},Department {i % 12},"
            f"Team {i % 8},{manager},Office {i % 20},2020-01-{1 + i % 28:02d}"
        )
    return ("\n".join(lines) + "\n").encode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.people_import")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the database file")
    args = parser.parse_args(argv)

    folder = tempfile.mkdtemp(prefix="upward-bench-")
    os.environ["SQLITE_PATH"] = os.path.join(folder, "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from upward.organisations import services
    from upward.organisations.models import PeopleImport, Person

    call_command("migrate", verbosity=0)
    organisation, admin = services.create_organisation(
        name="Bench Ltd", slug="bench", admin_email="admin@bench.test", admin_name="Bench Admin"
    )
    print(f"people import, {args.rows:,} rows, SQLite at {folder}")
    print(f"{'step':<8} {'seconds':>8} {'queries':>8} {'peak MB':>8}  result")

    def step(name: str, work):  # type: ignore[no-untyped-def]
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            outcome = work()
            seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{name:<8} {seconds:8.1f} {len(queries):8d} {peak:8.0f}  {outcome}")
        return outcome

    content = _csv(args.rows)
    first = step(
        "preview",
        lambda: services.start_people_import(
            organisation, by=None, filename="bench.csv", content=content
        ),
    )
    assert first.counts["new"] == args.rows, first.preview["errors"][:3]

    def apply(people_import: PeopleImport) -> str:
        services.apply_people_import(people_import, by=None)
        people_import.refresh_from_db()
        return f"{people_import.status}, {people_import.result}"

    step("apply", lambda: apply(first))
    assert Person.objects.filter(organisation=organisation).count() == args.rows + 1
    again = step(
        "again",
        lambda: services.start_people_import(
            organisation, by=None, filename="bench.csv", content=content
        ),
    )
    assert again.counts["unchanged"] == args.rows
    changed = _csv(args.rows, title="Lead")
    update = step(
        "preview",
        lambda: services.start_people_import(
            organisation, by=None, filename="bench-2.csv", content=changed
        ),
    )
    step("update", lambda: apply(update))
    print(f"file size {len(content) / 1024 / 1024:.1f} MB; admin {admin.email}")
    if not args.keep:
        os.remove(os.environ["SQLITE_PATH"])
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the server time of the report, overview, export and list pages on a large
organisation (issue 16). `make bench` runs it after the matching and people-import benches.

    python -m bench.reports [--scale 0.01] [--runs 5] [--slug large]

The database: BENCH_DATABASE_URL, else DATABASE_URL (PostgreSQL, seeded beforehand with
`manage.py seed_large`); with neither, a fresh SQLite file in a temporary folder, migrated and
seeded at --scale (not timed). If the organisation --slug is missing it is seeded at --scale.

Signs in with the Django test client as the organisation's admin, a programme manager and a
participant, asks each page once to warm up (counting its queries), then --runs times, and
prints per page: the response size, the median and 95th-percentile time of the whole request
in the server (middleware, view, template; no network), the query count, and the ratio to the
300 ms target. Pages whose URL name does not exist yet print "not built". A slow page is not
an error: the exit status is non-zero only when a page raises.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

TARGET_MS = 300.0


@dataclass(frozen=True)
class Page:
    label: str
    name: str
    kwargs: dict[str, Any]
    who: str  # "admin", "manager" or "participant"
    query: str = ""


@dataclass
class Row:
    label: str
    status: str
    size: int = 0
    median_ms: float = 0.0
    p95_ms: float = 0.0
    queries: int = 0

    @property
    def measured(self) -> bool:
        return self.status == "200"

    @property
    def passed(self) -> bool:
        return self.measured and self.median_ms <= TARGET_MS


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (with five runs, the 95th is the slowest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _export_pages(programme_pk: int) -> list[Page]:
    """Every export the exports module declares, in every format (none before it exists)."""
    try:
        from upward.insight import exports  # type: ignore[attr-defined]
    except ImportError:
        return []
    pages = []
    for kind in getattr(exports, "KINDS", ()):
        for fmt in getattr(exports, "FORMATS", ("csv",)):
            if getattr(kind, "scope", None) == getattr(exports, "PROGRAMME", object()):
                pages.append(
                    Page(
                        f"export {kind.slug}.{fmt} (programme)",
                        "insight:programme_export",
                        {"pk": programme_pk, "kind": kind.slug, "fmt": fmt},
                        "manager",
                    )
                )
            else:
                pages.append(
                    Page(
                        f"export {kind.slug}.{fmt}",
                        "insight:export",
                        {"kind": kind.slug, "fmt": fmt},
                        "admin",
                    )
                )
    return pages


def pages_for(
    *, active: int, completed: int | None, matching: int | None, run: int | None
) -> list[Page]:
    A, M, P = "admin", "manager", "participant"
    pages = [
        Page("programme report", "insight:programme_report", {"pk": active}, M),
        Page("programme report, print", "insight:programme_report_print", {"pk": active}, M),
        Page("programme report, PDF", "insight:programme_report_pdf", {"pk": active}, M),
        Page("organisation overview", "insight:overview", {}, A),
        Page("inclusion", "insight:inclusion", {}, A),
        Page("exports", "insight:exports", {}, A),
        Page("programme exports", "insight:programme_exports", {"pk": active}, M),
        Page("export dictionary", "insight:export_dictionary", {}, A),
        *_export_pages(active),
        Page("participant home", "dashboard", {}, P),
        Page("my journeys", "journey:mine", {}, P),
        Page("my surveys", "surveys:mine", {}, P),
        Page("people directory", "organisations:people", {}, A),
        Page("people directory, page 40", "organisations:people", {}, A, "page=40"),
        Page("people directory, search", "organisations:people", {}, A, "q=patel"),
        Page("dashboard (admin)", "dashboard", {}, A),
        Page("programme list", "programmes:list", {}, A),
        Page("mentor load", "impact:mentor_load", {}, A),
        Page("audit log", "organisations:audit_log", {}, A),
        Page("programme page", "programmes:detail", {"pk": active}, M),
        Page("applications review", "recruitment:review", {"pk": active}, M),
        Page("pairings list", "pairing:pairings", {"pk": active}, M),
        Page("pairs' journeys", "journey:programme_pairs", {"pk": active}, M),
        Page("programme surveys", "surveys:list", {"pk": active}, M),
        Page("outcomes (active)", "surveys:outcomes", {"pk": active}, M),
        Page("needs attention", "safety:attention", {"pk": active}, M),
        Page("programme impact", "impact:programme_impact", {"pk": active}, M),
        Page("mentor time", "impact:mentor_time", {"pk": active}, M),
        Page("goals overview", "goals:overview", {"pk": active}, M),
    ]
    if completed is not None:
        pages += [
            Page("programme report (completed)", "insight:programme_report", {"pk": completed}, M),
            Page("outcomes (completed)", "surveys:outcomes", {"pk": completed}, M),
            Page("programme impact (completed)", "impact:programme_impact", {"pk": completed}, M),
        ]
    if matching is not None:
        pages.append(Page("matching", "pairing:matching", {"pk": matching}, "matcher"))
        pages.append(Page("matching runs", "pairing:runs", {"pk": matching}, "matcher"))
        if run is not None:
            pages.append(
                Page("matching review", "pairing:run", {"pk": matching, "run_pk": run}, "matcher")
            )
    return pages


def _body_size(response: Any) -> int:
    if getattr(response, "streaming", False):
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def measure(*, slug: str, runs: int, out: TextIO = sys.stdout) -> tuple[list[Row], bool]:
    """Time every page against the organisation `slug`; (rows, whether any page raised)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    # As Django's own test runner does: keep the connection between requests (as a server with
    # persistent connections would) and so count every query of the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        return _measure(slug=slug, runs=runs, out=out)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _measure(*, slug: str, runs: int, out: TextIO) -> tuple[list[Row], bool]:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from upward.organisations.models import Organisation, Person
    from upward.pairing.models import MatchRun, Pairing
    from upward.programmes.models import Programme, State

    organisation = Organisation.objects.get(slug=slug)
    admin = Person.objects.filter(organisation=organisation, is_org_admin=True).exclude(user=None)
    admin_user = admin.order_by("id").first().user  # type: ignore[union-attr]
    programmes = Programme.objects.filter(organisation=organisation).order_by("id")
    active = programmes.filter(state=State.ACTIVE).first()
    if active is None:
        raise SystemExit(f"“{slug}” has no active programme: seed it with manage.py seed_large.")
    manager = active.managers.exclude(user=None).order_by("id").first()
    completed = programmes.filter(state=State.COMPLETED, managers=manager).first()
    matching = programmes.filter(state=State.MATCHING).first()
    run = MatchRun.objects.filter(programme=matching).order_by("-id").first() if matching else None
    matcher = matching.managers.exclude(user=None).first() if matching else None
    participant = (
        Pairing.objects.filter(programme=active, state="active", mentee__user__isnull=False)
        .select_related("mentee__user")
        .order_by("id")
        .first()
    )
    users = {
        "admin": admin_user,
        "manager": manager.user if manager else None,
        "matcher": matcher.user if matcher else None,
        "participant": participant.mentee.user if participant else None,
    }
    clients: dict[str, Client] = {}
    for who, user in users.items():
        if user is not None:
            clients[who] = Client()
            clients[who].force_login(user)

    print(
        f"Pages of “{organisation.name}” ({Person.objects.filter(organisation=organisation).count():,} "
        f"people, {Pairing.objects.filter(programme__organisation=organisation).count():,} pairs) "
        f"on {connection.vendor}; median of {runs} runs after one warm-up",
        file=out,
    )
    rows: list[Row] = []
    failed = False
    for page in pages_for(
        active=active.pk,
        completed=completed.pk if completed else None,
        matching=matching.pk if matching else None,
        run=run.pk if run else None,
    ):
        try:
            url = reverse(page.name, kwargs=page.kwargs)
        except NoReverseMatch:
            rows.append(Row(page.label, "not built"))
            continue
        if page.query:
            url = f"{url}?{page.query}"
        client = clients.get(page.who)
        if client is None:
            rows.append(Row(page.label, "no user"))
            continue
        try:
            # Django empties the query log when a request starts: start from empty too.
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
                size = _body_size(response)
            # Read now: the captured list is a slice of the log the next request empties.
            count = len(queries)
            if response.status_code != 200:
                rows.append(Row(page.label, str(response.status_code), size))
                continue
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                response = client.get(url)
                _body_size(response)
                times.append((time.perf_counter() - started) * 1000)
        except Exception as exc:
            failed = True
            rows.append(Row(page.label, f"error: {type(exc).__name__}: {exc}"[:120]))
            continue
        rows.append(
            Row(
                page.label,
                "200",
                size,
                statistics.median(times),
                percentile(times, 0.95),
                count,
            )
        )
    return rows, failed


def table(rows: list[Row]) -> str:
    lines = [
        f"{'page':<34} {'size':>9} {'median ms':>10} {'p95 ms':>8} {'queries':>8} "
        f"{'target':>7} {'ratio':>6}  result"
    ]
    for row in rows:
        if not row.measured:
            result = "not built" if row.status == "not built" else f"skipped ({row.status})"
            lines.append(
                f"{row.label:<34} {'':>9} {'':>10} {'':>8} {'':>8} {'':>7} {'':>6}  {result}"
            )
            continue
        size = f"{row.size / 1024:.0f} KB" if row.size >= 1024 else f"{row.size} B"
        lines.append(
            f"{row.label:<34} {size:>9} {row.median_ms:10.1f} {row.p95_ms:8.1f} {row.queries:8d} "
            f"{TARGET_MS:7.0f} {row.median_ms / TARGET_MS:6.2f}  {'pass' if row.passed else 'FAIL'}"
        )
    return "\n".join(lines)


def _setup(database_url: str) -> Callable[[], None]:
    """Point Django at the benchmark's database; returns a clean-up for a temporary one."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
        cleanup: Callable[[], None] = lambda: None  # noqa: E731
    else:
        os.environ.pop("DATABASE_URL", None)
        folder = tempfile.mkdtemp(prefix="upward-bench-reports-")
        path = os.path.join(folder, "bench.sqlite3")
        os.environ["SQLITE_PATH"] = path

        def cleanup() -> None:
            if os.path.exists(path):
                os.remove(path)

    import django

    django.setup()
    if not database_url:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    return cleanup


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reports")
    parser.add_argument("--scale", type=float, default=0.01, help="seed size if seeding (0.01)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per page (5)")
    parser.add_argument("--slug", default="large", help="the organisation (large)")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args(argv)
    database_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    cleanup = _setup(database_url)
    try:
        from upward.demo import large

        if not large.organisation_exists(args.slug):
            print(f"seeding “{args.slug}” at scale {args.scale} (not timed)")
            large.seed_large(
                large.Sizes.scaled(args.scale),
                slug=args.slug,
                seed=args.seed,
                progress=large.Progress(),
            )
        rows, failed = measure(slug=args.slug, runs=args.runs)
        print(table(rows))
        slow = [r.label for r in rows if r.measured and not r.passed]
        built = sum(r.measured for r in rows)
        print(
            f"{built} pages measured, {len(slow)} over {TARGET_MS:.0f} ms; "
            f"{sum(r.status == 'not built' for r in rows)} not built"
        )
        return 1 if failed else 0
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())

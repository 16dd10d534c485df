"""The periodic jobs `manage.py run_scheduled` runs, in order.

Each app owns its due-work function and its idempotency (a reminder is stamped before it is
sent) and registers it here from its `AppConfig.ready()`. This module sits low (notifications)
and never names a higher app: it calls what was registered, once each, and reports. A job that
cannot be imported fails at start-up, not silently at 3 a.m.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

# Order matters a little: reminders first (pairing 10, journey 20, surveys 30, safety 40,
# impact 50), so anything they notify about with the weekly-summary preference is already
# waiting when the digest runs last (100).


@dataclass(frozen=True)
class Job:
    name: str  # "<app>.<function>", as the command prints it
    order: int
    function: Callable[..., Any]


_jobs: dict[str, Job] = {}


def register_job(path: str, *, order: int) -> Job:
    """Register the due-work function at `path` ("upward.<app>.<module>.<function>").

    Raises ImproperlyConfigured when the module cannot be imported or has no such function, so
    a mistyped or removed job stops the project from starting instead of being skipped.
    """
    module_name, _dot, function_name = path.rpartition(".")
    if not module_name:
        raise ImproperlyConfigured(f"Scheduled job {path!r} is not a dotted path to a function.")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"Scheduled job {path!r}: cannot import {module_name!r} ({exc})."
        ) from exc
    function = getattr(module, function_name, None)
    if not callable(function):
        raise ImproperlyConfigured(
            f"Scheduled job {path!r}: {module_name} has no function {function_name!r}."
        )
    parts = module_name.split(".")
    app = parts[1] if len(parts) > 1 and parts[0] == "upward" else parts[0]
    job = Job(name=f"{app}.{function_name}", order=order, function=function)
    existing = _jobs.get(job.name)
    if existing is not None and existing != job:
        raise ImproperlyConfigured(f"Scheduled job {job.name} is registered twice.")
    _jobs[job.name] = job
    return job


def registered_jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: (job.order, job.name))


@dataclass
class JobResult:
    name: str
    status: str  # "done", "dry run", "skipped" or "failed"
    counts: dict[str, Any] = field(default_factory=dict)
    detail: str = ""


def run_scheduled(*, dry_run: bool = False) -> list[JobResult]:
    results = []
    for job in registered_jobs():
        name, function = job.name, job.function
        if dry_run and "dry_run" not in inspect.signature(function).parameters:
            results.append(JobResult(name, "skipped", detail="cannot preview without sending"))
            continue
        try:
            outcome = function(dry_run=True) if dry_run else function()
        except Exception as exc:
            # One failing app must not stop the others' reminders; cron sees the failure through
            # the command's exit status.
            logger.exception("Scheduled job %s failed", name)
            results.append(JobResult(name, "failed", detail=f"{type(exc).__name__}: {exc}"))
            continue
        results.append(JobResult(name, "dry run" if dry_run else "done", _counts(outcome)))
    return results


def _counts(outcome: Any) -> dict[str, Any]:
    if outcome is None:
        return {}
    if dataclasses.is_dataclass(outcome) and not isinstance(outcome, type):
        return dataclasses.asdict(outcome)
    if isinstance(outcome, dict):
        return dict(outcome)
    if isinstance(outcome, int):
        return {"count": outcome}
    return {"result": str(outcome)}

"""The periodic jobs `manage.py run_scheduled` runs, in order.

Each app owns its due-work function and its idempotency (a reminder is stamped before it is
sent); this module only finds them, calls each once and reports. Apps still being built are
picked up when their function exists, so cron needs one line however many apps join.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

# (module, function). Order matters a little: reminders first, so anything they notify about
# with the weekly-summary preference is already waiting when the digest runs last.
JOBS: tuple[tuple[str, str], ...] = (
    ("upward.pairing.services", "send_pairing_reminders"),
    ("upward.journey.services", "send_journey_reminders"),
    ("upward.surveys.services", "send_survey_reminders"),
    ("upward.safety.services", "send_safety_reminders"),
    ("upward.impact.services", "send_impact_reminders"),
    ("upward.notifications.outbox", "flush_outbox"),
    ("upward.notifications.services", "send_weekly_digests"),
)


@dataclass
class JobResult:
    name: str
    status: str  # "done", "dry run", "skipped" or "failed"
    counts: dict[str, Any] = field(default_factory=dict)
    detail: str = ""


def available_jobs() -> list[tuple[str, Callable[..., Any]]]:
    found = []
    for module_name, function_name in JOBS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        function = getattr(module, function_name, None)
        if callable(function):
            found.append((f"{module_name.split('.')[1]}.{function_name}", function))
    return found


def run_scheduled(*, dry_run: bool = False) -> list[JobResult]:
    results = []
    for name, function in available_jobs():
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

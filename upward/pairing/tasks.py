"""Background work for matching. Each task loads by id and calls one service."""

from __future__ import annotations

from django_tasks import task


@task()
def compute_match_run_task(run_id: int) -> None:
    from upward.pairing.services import compute_match_run

    compute_match_run(run_id)


@task()
def rematch_after_decline_task(pairing_id: int) -> None:
    from upward.pairing.services import rematch_after_decline

    rematch_after_decline(pairing_id)

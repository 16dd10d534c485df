"""Background work for file sync. The task loads the run by id and calls one service."""

from __future__ import annotations

from django_tasks import task


@task()
def file_sync_task(run_id: int) -> None:
    from upward.filesync.services import execute_run

    execute_run(run_id)

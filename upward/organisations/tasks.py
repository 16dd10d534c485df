"""Background work for the directory. Each task loads by id and calls one service."""

from __future__ import annotations

from django_tasks import task


@task()
def apply_people_import_task(import_id: int) -> None:
    from upward.organisations.services import run_people_import

    run_people_import(import_id)

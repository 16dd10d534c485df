"""Background work for webhooks. Each task loads by id and calls one service."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_task(delivery_id: int) -> str:
    from upward.webhooks.services import deliver

    return deliver(delivery_id)

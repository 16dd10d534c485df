"""Background work for notifications. Each task loads by id and calls one service."""

from __future__ import annotations

from django_tasks import task


@task()
def send_notification_email(notification_id: int) -> bool:
    from upward.notifications.services import deliver_notification_email

    return deliver_notification_email(notification_id)


@task()
def send_digest_email(digest_id: int) -> bool:
    from upward.notifications.services import deliver_digest_email

    return deliver_digest_email(digest_id)

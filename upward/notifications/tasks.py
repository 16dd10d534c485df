"""Background work for notifications. Each task loads by id and calls one service."""

from __future__ import annotations

from django_tasks import task


@task()
def send_queued_emails(batch: str) -> dict[str, int]:
    """The one sender of email (see upward.notifications.outbox), enqueued after a commit."""
    from upward.notifications.outbox import send_batch

    return send_batch(batch)


# The two below are no longer enqueued: notify() and the digest now queue their email in the
# outbox directly. They stay so tasks already waiting in a queue at upgrade still run.
@task()
def send_notification_email(notification_id: int) -> bool:
    from upward.notifications.services import deliver_notification_email

    return deliver_notification_email(notification_id)


@task()
def send_digest_email(digest_id: int) -> bool:
    from upward.notifications.services import deliver_digest_email

    return deliver_digest_email(digest_id)


@task()
def send_chat_message(message_id: int) -> str:
    """One Slack or Teams message (see upward.notifications.chat), enqueued after a commit."""
    from upward.notifications.chat import deliver

    return deliver(message_id)

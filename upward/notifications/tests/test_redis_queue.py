"""The Redis queue (TASKS_BACKEND=redis) for large organisations: CI runs this against its
Redis server; elsewhere it is skipped unless UPWARD_TEST_REDIS_URL names a Redis to use."""

from __future__ import annotations

import os

import pytest
from django.core import mail
from django.test import override_settings

from upward.notifications.models import OutboundEmail
from upward.notifications.tasks import send_notification_email, send_queued_emails

REDIS_URL = os.environ.get("UPWARD_TEST_REDIS_URL", "")
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}

pytestmark = pytest.mark.skipif(
    not REDIS_URL,
    reason="Set UPWARD_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) to test the Redis queue.",
)


def test_redis_backend_round_trip_sends_once(
    world, make_notification, django_capture_on_commit_callbacks
):
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    queues = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    with override_settings(TASKS=RQ_TASKS, RQ_QUEUES=queues):
        queue = django_rq.get_queue("default")
        queue.empty()
        with django_capture_on_commit_callbacks(execute=True):
            notification = make_notification(world.senior)
        # Queued in Redis, not run: the email waits for a worker.
        assert mail.outbox == []
        assert queue.count == 1
        # A duplicate of the same task (a retry, or an enqueue that happened twice), and the
        # task that sent a notification's email before the outbox.
        send_queued_emails.enqueue(OutboundEmail.objects.get().batch)
        send_notification_email.enqueue(notification.pk)
        assert queue.count == 3

        # A worker in this process, so it sees the test database and the test mailbox.
        # django-rq's hint says type[Worker], from before rq 3 made SimpleWorker a BaseWorker.
        worker = django_rq.get_worker(
            "default",
            worker_class=SimpleWorker,  # type: ignore[arg-type]
            job_class=Job,
        )
        worker.work(burst=True)

        assert queue.count == 0
        assert len(mail.outbox) == 1
        notification.refresh_from_db()
        assert notification.emailed_at is not None

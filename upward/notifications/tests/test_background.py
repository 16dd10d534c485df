from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

import upward.journey.services
import upward.pairing.services
from upward.notifications import scheduled, services
from upward.notifications.models import Delivery, Digest, NotificationPreference, OutboundEmail
from upward.notifications.tasks import send_notification_email, send_queued_emails

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# The worker closes database connections between batches, as a long-running process should;
# that needs committed data rather than the test's open transaction (PostgreSQL).
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_database_backend_round_trip_through_the_worker(
    world, make_notification, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = make_notification(world.senior)
    # Enqueued, not run: the email waits for a worker.
    assert mail.outbox == []
    queued = DBTaskResult.objects.get()
    batch = OutboundEmail.objects.get(to=[world.senior.email]).batch
    assert queued.args_kwargs["args"] == [batch]

    # A duplicate of the same task (a retry, or an enqueue that happened twice), and the task
    # that sent a notification's email before the outbox, still waiting in a queue.
    send_queued_emails.enqueue(batch)
    send_notification_email.enqueue(notification.pk)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())

    assert len(mail.outbox) == 1
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_run_scheduled_calls_each_available_job_once_in_order(monkeypatch):
    calls: list[tuple[str, dict]] = []

    def pairing_job(*, now=None, dry_run=False):
        calls.append(("pairing", {"dry_run": dry_run}))
        return upward.pairing.services.ReminderReport(reminded_mentors=2)

    def journey_job(*, now=None):
        calls.append(("journey", {}))
        return {"meeting": 1, "booking": 0}

    def digest_job(*, now=None, dry_run=False):
        calls.append(("digest", {"dry_run": dry_run}))
        return {"digests": 0, "notifications": 0}

    monkeypatch.setattr(upward.pairing.services, "send_pairing_reminders", pairing_job)
    monkeypatch.setattr(upward.journey.services, "send_journey_reminders", journey_job)
    monkeypatch.setattr(services, "send_weekly_digests", digest_job)
    # Only these three, registered out of order: the order numbers decide.
    monkeypatch.setattr(scheduled, "_jobs", {})
    scheduled.register_job("upward.notifications.services.send_weekly_digests", order=100)
    scheduled.register_job("upward.journey.services.send_journey_reminders", order=20)
    scheduled.register_job("upward.pairing.services.send_pairing_reminders", order=10)
    out = io.StringIO()
    call_command("run_scheduled", stdout=out)
    assert [name for name, _ in calls] == ["pairing", "journey", "digest"]
    assert "pairing.send_pairing_reminders: done (reminded_mentors 2" in out.getvalue()
    assert "journey.send_journey_reminders: done (meeting 1, booking 0)" in out.getvalue()

    calls.clear()
    out = io.StringIO()
    call_command("run_scheduled", "--dry-run", stdout=out)
    # The journey job cannot preview, so it is skipped rather than run for real.
    assert calls == [("pairing", {"dry_run": True}), ("digest", {"dry_run": True})]
    assert "journey.send_journey_reminders: skipped" in out.getvalue()


def test_a_failing_job_does_not_stop_the_others_and_fails_the_command(monkeypatch):
    ran = []

    def broken(**kwargs):
        raise RuntimeError("boom")

    def fine(**kwargs):
        ran.append("fine")
        return {}

    monkeypatch.setattr(upward.pairing.services, "send_pairing_reminders", broken)
    monkeypatch.setattr(upward.journey.services, "send_journey_reminders", fine)
    monkeypatch.setattr(scheduled, "_jobs", {})
    scheduled.register_job("upward.pairing.services.send_pairing_reminders", order=10)
    scheduled.register_job("upward.journey.services.send_journey_reminders", order=20)
    with pytest.raises(CommandError, match="1 job"):
        call_command("run_scheduled", stdout=io.StringIO())
    assert ran == ["fine"]


def test_the_real_jobs_are_all_registered_in_order():
    names = [job.name for job in scheduled.registered_jobs()]
    assert names[:2] == ["pairing.run_programme_endings", "pairing.send_pairing_reminders"]
    assert names[-1] == "notifications.send_weekly_digests"
    assert names == [
        "pairing.run_programme_endings",
        "pairing.send_pairing_reminders",
        "journey.send_journey_reminders",
        "surveys.send_survey_reminders",
        "surveys.write_finished_surveys",
        "safety.send_safety_reminders",
        "impact.send_impact_reminders",
        "filesync.run_due_sources",
        "dashboard.send_team_alerts",
        "webhooks.send_due_deliveries",
        "notifications.flush_outbox",
        "notifications.retry_due",
        "privacy.apply_retention",
        "notifications.send_weekly_digests",
    ]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("upward.not_an_app.services.send_nothing", "cannot import 'upward.not_an_app.services'"),
        ("upward.notifications.services.no_such_function", "has no function 'no_such_function'"),
        ("upward.notifications.services.DIGEST_WEEKDAY_MISSING", "has no function"),
        ("send_nothing", "not a dotted path"),
    ],
)
def test_a_job_that_cannot_be_imported_fails_loudly(monkeypatch, path, message):
    # The old list skipped these silently; a registration now refuses them at start-up.
    monkeypatch.setattr(scheduled, "_jobs", {})
    with pytest.raises(ImproperlyConfigured, match=message):
        scheduled.register_job(path, order=10)
    assert scheduled.registered_jobs() == []


def test_two_different_jobs_under_one_name_are_refused(monkeypatch):
    monkeypatch.setattr(scheduled, "_jobs", {})
    scheduled.register_job("upward.notifications.services.send_weekly_digests", order=100)
    # The same registration again (ready() run twice) is harmless.
    scheduled.register_job("upward.notifications.services.send_weekly_digests", order=100)
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        scheduled.register_job("upward.notifications.services.send_weekly_digests", order=5)


def test_run_scheduled_for_real_is_safe_to_repeat(
    world, make_notification, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(
        person=world.senior, kind="meeting_reminder", delivery=Delivery.DIGEST
    )
    make_notification(world.senior)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("run_scheduled", stdout=io.StringIO())
    assert Digest.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["sam@northwind.test"]]

from __future__ import annotations

import datetime as dt

import time_machine
from django.core import mail
from django.utils import timezone

from upward.notifications import services
from upward.notifications.models import (
    Delivery,
    Digest,
    Notification,
    NotificationPreference,
    OutboundEmail,
)
from upward.notifications.tasks import send_queued_emails

MONDAY = dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)  # ISO week 2027-W09


def _prefer_digest(person, kind="meeting_reminder"):
    NotificationPreference.objects.create(person=person, kind=kind, delivery=Delivery.DIGEST)


def test_digest_gathers_waiting_notifications_into_one_email_once_a_week(
    world, make_notification, django_capture_on_commit_callbacks
):
    _prefer_digest(world.senior)
    with time_machine.travel(MONDAY - dt.timedelta(days=2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            make_notification(world.senior, subject="First reminder")
            make_notification(world.senior, subject="Second reminder")
            make_notification(world.senior, kind="impact", subject="A thank-you note")
    assert mail.outbox == []

    with time_machine.travel(MONDAY, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            result = services.send_weekly_digests()
        assert result == {"digests": 1, "notifications": 3}
        assert len(mail.outbox) == 1
        body = mail.outbox[0].body
        assert "First reminder" in body and "Second reminder" in body and "A thank-you note" in body
        assert mail.outbox[0].to == ["sam@northwind.test"]

        # Same week: nothing again, even with something new waiting.
        with django_capture_on_commit_callbacks(execute=True):
            make_notification(world.senior, subject="Third reminder")
            assert services.send_weekly_digests() == {"digests": 0, "notifications": 0}
        assert len(mail.outbox) == 1

    with time_machine.travel(MONDAY + dt.timedelta(days=6, hours=15), tick=False):  # Sunday
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_weekly_digests()["digests"] == 0
    assert len(mail.outbox) == 1

    with time_machine.travel(MONDAY + dt.timedelta(days=7), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_weekly_digests() == {"digests": 1, "notifications": 1}
    assert len(mail.outbox) == 2
    assert "Third reminder" in mail.outbox[1].body
    assert "First reminder" not in mail.outbox[1].body
    assert Digest.objects.filter(person=world.senior).count() == 2


def test_digest_skips_people_with_nothing_waiting_and_immediate_ones(
    world, make_notification, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_notification(world.applicant)  # immediate: already emailed
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_weekly_digests() == {"digests": 0, "notifications": 0}
    assert len(mail.outbox) == 1
    assert not Digest.objects.exists()


def test_in_app_only_notifications_never_reach_the_digest(
    world, make_notification, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(
        person=world.senior, kind="meeting_reminder", delivery=Delivery.IN_APP
    )
    make_notification(world.senior)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_weekly_digests()["digests"] == 0
    assert mail.outbox == []


def test_digest_dry_run_counts_and_changes_nothing(world, make_notification):
    _prefer_digest(world.senior)
    make_notification(world.senior)
    assert services.send_weekly_digests(dry_run=True) == {"digests": 1, "notifications": 1}
    assert not Digest.objects.exists()
    assert Notification.objects.get().digest is None


def test_digest_task_run_twice_sends_once(world, make_notification):
    _prefer_digest(world.senior)
    make_notification(world.senior)
    services.send_weekly_digests()  # on_commit callbacks not run: nothing enqueued
    digest = Digest.objects.get()
    assert mail.outbox == []
    # Queued with the digest; the task from before the outbox finds it handed over already.
    assert services.deliver_digest_email(digest.pk) is False
    batch = OutboundEmail.objects.get().batch
    nothing = {"sent": 0, "failed": 0, "given_up": 0, "cancelled": 0}
    assert send_queued_emails.enqueue(batch).return_value == {**nothing, "sent": 1}
    assert send_queued_emails.enqueue(batch).return_value == nothing
    assert len(mail.outbox) == 1


def test_iso_week_uses_local_time():
    # Sunday 23:30 UTC in summer is Monday 00:30 in London: already the next ISO week.
    moment = dt.datetime(2027, 6, 6, 23, 30, tzinfo=dt.UTC)
    assert services.iso_week(moment) == "2027-W23"
    assert timezone.localtime(moment).isoweekday() == 1

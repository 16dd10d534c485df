from __future__ import annotations

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from upward.notifications import outbox, services
from upward.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    OutboundEmail,
)
from upward.notifications.tasks import send_notification_email, send_queued_emails

TEMPLATE = "journey/email/booking_reminder.txt"


def _notify(person, key="k1", kind="meeting_reminder", partner=None):
    return services.notify(
        person,
        kind=kind,
        subject="Time to book",
        template=TEMPLATE,
        context={"person": person, "partner": partner or person, "link": "https://x.test/b/1"},
        url="/pairings/1/book/",
        dedupe_key=key,
    )


def test_notify_records_and_emails_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(world.senior, partner=world.applicant)
        assert mail.outbox == []  # nothing leaves before the commit
    assert notification is not None
    assert "Jess Junior" in notification.body
    assert notification.delivery == Delivery.IMMEDIATELY
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam@northwind.test"]
    assert message.subject.endswith("Time to book")
    assert "http://127.0.0.1:8000/pairings/1/book/" in message.body or "/pairings/1/book/" in (
        message.body
    )
    assert "/notifications/preferences/" in message.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_notify_twice_makes_one_notification_and_one_email(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _notify(world.senior)
        second = _notify(world.senior)
    assert first is not None
    assert second is None
    assert Notification.objects.filter(recipient=world.senior).count() == 1
    assert len(mail.outbox) == 1


def test_same_key_for_another_person_is_separate(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify(world.senior) is not None
        assert _notify(world.applicant) is not None
    assert len(mail.outbox) == 2


def test_database_constraint_stops_a_racing_duplicate(world):
    _notify(world.senior)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            recipient=world.senior,
            kind="x",
            subject="s",
            body="b",
            dedupe_key="k1",
            delivery=Delivery.IN_APP,
        )


def test_losing_the_race_returns_none_and_keeps_the_transaction_usable(world, monkeypatch):
    _notify(world.senior)
    # Simulate the other process winning between the existence check and the insert.
    real_filter = Notification.objects.filter

    class NothingYet:
        def exists(self):
            return False

    monkeypatch.setattr(
        Notification.objects,
        "filter",
        lambda *a, **k: NothingYet() if "dedupe_key" in k else real_filter(*a, **k),
    )
    with transaction.atomic():
        assert _notify(world.senior) is None
        monkeypatch.undo()
        assert Notification.objects.filter(recipient=world.senior).count() == 1


def test_running_the_same_task_twice_sends_one_email(world):
    notification = _notify(world.senior)  # no commit callbacks run: nothing enqueued yet
    assert mail.outbox == []
    batch = OutboundEmail.objects.get().batch
    send_queued_emails.enqueue(batch)
    send_queued_emails.enqueue(batch)
    # The task from before the outbox finds the email already handed over.
    send_notification_email.enqueue(notification.pk)
    assert len(mail.outbox) == 1


def test_a_failed_send_is_kept_for_the_retry(world, settings, time_machine):
    notification = _notify(world.senior)
    assert services.deliver_notification_email(notification.pk) is False  # already queued
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    settings.EMAIL_BACKEND = "upward.notifications.tests.test_outbox.RefusingBackend"
    assert outbox.send_batch(OutboundEmail.objects.get().batch) == {
        "sent": 0,
        "failed": 1,
        "given_up": 0,
        "cancelled": 0,
    }
    queued = OutboundEmail.objects.get()
    assert queued.sent_at is None and queued.attempts == 1 and "down" in queued.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_machine.move_to(queued.next_attempt_at)
    assert outbox.flush_outbox()["sent"] == 1
    assert outbox.flush_outbox()["sent"] == 0
    assert services.deliver_notification_email(notification.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("delivery", "emails"),
    [(Delivery.IMMEDIATELY, 1), (Delivery.DIGEST, 0), (Delivery.IN_APP, 0)],
)
def test_preference_decides_whether_it_is_emailed(
    world, django_capture_on_commit_callbacks, delivery, emails
):
    NotificationPreference.objects.create(
        person=world.senior, kind="meeting_reminder", delivery=delivery
    )
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(world.senior)
    assert notification.delivery == delivery
    assert len(mail.outbox) == emails
    # Always visible in the app, whatever the email choice.
    assert Notification.objects.filter(recipient=world.senior).count() == 1


def test_default_for_a_digest_kind_is_the_weekly_summary(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(world.senior, kind="impact")
    assert notification.delivery == Delivery.DIGEST
    assert mail.outbox == []


def test_unknown_kind_is_emailed_straight_away(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(world.senior, kind="something_new")
    assert notification.delivery == Delivery.IMMEDIATELY
    assert len(mail.outbox) == 1


def test_a_person_who_has_left_is_not_emailed(world, django_capture_on_commit_callbacks):
    world.senior.is_active = False
    world.senior.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify(world.senior) is not None
    assert mail.outbox == []


def test_dedupe_key_is_required(world):
    with pytest.raises(ValueError, match="needs a dedupe_key so a retry never notifies twice"):
        _notify(world.senior, key="")

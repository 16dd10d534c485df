"""The outbox under a long outage, a slow mail server, a flaky database, a changed address, and
with its content encrypted at rest and not kept."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from upward.core.testing.two_factor import force_login_with_two_factor
from upward.notifications import outbox
from upward.notifications.models import OutboundAttachment, OutboundEmail, OutboundState
from upward.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SECRET = "the private thank-you"
REFUSING = "upward.notifications.tests.test_outbox.RefusingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def _queue(**kwargs) -> OutboundEmail:
    fields = {"to": ["lee@example.test"], "subject": "Record", "body": SECRET, **kwargs}
    return outbox.queue_email(**fields)


# 1. An outage of hours loses nothing; an email is given up by age, visibly.


def test_an_outage_of_a_day_loses_no_email(settings, clock, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = REFUSING
    with django_capture_on_commit_callbacks(execute=True):
        row = _queue()
    for _hour in range(24):
        clock.shift(dt.timedelta(hours=1))
        outbox.flush_outbox()
        row.refresh_from_db()
        assert row.state == OutboundState.QUEUED
        # Retried at least hourly, however many attempts there were.
        assert row.next_attempt_at is not None
        assert row.next_attempt_at - dt.datetime.now(dt.UTC) <= outbox.MAX_BACKOFF
    assert row.attempts > 8
    settings.EMAIL_BACKEND = LOCMEM
    clock.shift(outbox.MAX_BACKOFF)
    assert outbox.flush_outbox()["sent"] == 1
    assert [m.body for m in mail.outbox] == [SECRET]


def test_an_email_too_old_is_given_up_cleared_and_counted(
    settings, clock, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = REFUSING
    settings.UPWARD_OUTBOX_GIVE_UP_AFTER = dt.timedelta(hours=6)
    with django_capture_on_commit_callbacks(execute=True):
        row = _queue(attachments=[outbox.Attachment("record.pdf", b"%PDF private")])
    clock.shift(dt.timedelta(hours=5))
    assert outbox.flush_outbox()["retrying"] == 1
    clock.shift(dt.timedelta(hours=1))
    result = outbox.flush_outbox()
    assert result["given_up"] == 1 and result["given_up_on_record"] == 1
    assert result["retrying"] == 0
    row.refresh_from_db()
    assert row.state == OutboundState.GIVEN_UP and row.finished_at is not None
    assert row.last_error == "OSError: mail server down"
    assert row.body == "" and row.html == ""
    assert bytes(OutboundAttachment.objects.get().content) == b""
    # Nothing tries it again, and its record goes with the other finished ones.
    settings.EMAIL_BACKEND = LOCMEM
    assert outbox.flush_outbox()["sent"] == 0
    clock.shift(outbox.keep_finished_for() + dt.timedelta(minutes=1))
    assert outbox.flush_outbox()["forgotten"] == 1
    assert not OutboundEmail.objects.exists() and not OutboundAttachment.objects.exists()


def test_run_scheduled_prints_what_to_watch(settings, clock, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = REFUSING
    with django_capture_on_commit_callbacks(execute=True):
        _queue()
    out = StringIO()
    call_command("run_scheduled", stdout=out)
    assert "retrying 1, given_up_on_record 0" in out.getvalue()


def test_a_commits_task_leaves_older_failures_alone_while_the_server_is_down(
    settings, clock, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = REFUSING
    with django_capture_on_commit_callbacks(execute=True):
        older = _queue(subject="Older")
    older.refresh_from_db()
    assert older.attempts == 1
    clock.move_to(older.next_attempt_at)  # its retry is due
    with django_capture_on_commit_callbacks(execute=True):
        newer = _queue(subject="Newer")
    newer.refresh_from_db()
    older.refresh_from_db()
    assert newer.attempts == 1
    assert older.attempts == 1  # not burnt by a task that was never about it
    # Once the server is back, the next commit's task sends its own email and then the older.
    settings.EMAIL_BACKEND = LOCMEM
    clock.shift(outbox.MAX_BACKOFF)
    with django_capture_on_commit_callbacks(execute=True):
        _queue(subject="Latest")
    assert sorted(m.subject for m in mail.outbox) == [
        "[Upward] Latest",
        "[Upward] Newer",
        "[Upward] Older",
    ]


def _admin_client() -> Client:
    superuser = get_user_model().objects.create_superuser("root@example.test", "pw-for-tests")
    client = Client()
    force_login_with_two_factor(client, superuser)
    return client


def test_the_admin_lists_the_outbox_without_its_text_and_sends_failures_again(
    settings, clock, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = REFUSING
    with django_capture_on_commit_callbacks(execute=True):
        failing = _queue(subject="Kick-off")
    client = _admin_client()
    url = reverse("admin:notifications_outboundemail_changelist")
    response = client.get(url)
    assertContains(response, "Kick-off", status_code=200)
    assertContains(response, "lee@example.test", status_code=200)
    assertContains(response, "failing, will retry", status_code=200)
    assertContains(response, "OSError: mail server down", status_code=200)
    assertNotContains(response, SECRET, status_code=200)
    detail = client.get(reverse("admin:notifications_outboundemail_change", args=[failing.pk]))
    assertNotContains(detail, SECRET, status_code=200)

    # The operator fixed the mail server: send again now rather than after the back-off.
    settings.EMAIL_BACKEND = LOCMEM
    response = client.post(
        url, {"action": "send_again", "_selected_action": [failing.pk]}, follow=True
    )
    assertContains(response, "1 email(s) will be tried again", status_code=200)
    assert outbox.flush_outbox()["sent"] == 1
    # A sent email has nothing left to send again.
    response = client.post(
        url, {"action": "send_again", "_selected_action": [failing.pk]}, follow=True
    )
    assertContains(response, "1 email(s) were left alone", status_code=200)
    assert len(mail.outbox) == 1


# 2. Leases: taken per claim, held while sending, and a mail server cannot hang for ever.


class SlowBackend(EmailBackend):
    """Each email takes four minutes; notes how much of its lease was left when it started."""

    clock: Any = None
    leases_left: list[dt.timedelta] = []

    def send_messages(self, messages):
        (message,) = messages
        row = OutboundEmail.objects.get(to=message.to)
        assert row.next_attempt_at is not None
        type(self).leases_left.append(row.next_attempt_at - dt.datetime.now(dt.UTC))
        type(self).clock.shift(dt.timedelta(minutes=4))
        return super().send_messages(messages)


def test_a_slow_server_never_gets_an_email_whose_lease_has_run_out(
    settings, clock, monkeypatch, django_capture_on_commit_callbacks
):
    SlowBackend.clock = clock
    leases_left: list[dt.timedelta] = []
    SlowBackend.leases_left = leases_left
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    monkeypatch.setattr(outbox, "CHUNK", 3)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.queue_emails(
            [outbox.Email(to=[f"p{i}@example.test"], subject="Hi", body="x") for i in range(8)]
        )
    assert len(mail.outbox) == 8
    # Every email was handed over with at least one send's worth of its lease left.
    assert min(leases_left) > outbox.send_margin()
    assert not OutboundEmail.objects.exclude(state=OutboundState.SENT).exists()


def test_a_mail_server_connection_times_out():
    from django.conf import settings

    assert settings.EMAIL_TIMEOUT == 30
    # A lease always outlasts the longest single send.
    assert outbox._lease() > outbox.send_margin()


def test_a_long_email_timeout_lengthens_the_lease(settings):
    settings.EMAIL_TIMEOUT = 300
    assert outbox._lease() >= 2 * outbox.send_margin() >= dt.timedelta(minutes=50)


# 3. At least once: marking an email sent survives a passing database error.


def _flaky_update(monkeypatch, failures: int) -> list[str]:
    real = QuerySet.update
    seen: list[str] = []

    def update(self, **kwargs):
        if kwargs.get("state") == OutboundState.SENT and len(seen) < failures:
            seen.append("locked")
            raise OperationalError("database is locked")
        return real(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update)
    return seen


def test_marking_sent_is_tried_again_when_the_database_is_locked(
    monkeypatch, django_capture_on_commit_callbacks
):
    seen = _flaky_update(monkeypatch, failures=1)
    with django_capture_on_commit_callbacks(execute=True):
        row = _queue()
    assert seen == ["locked"]
    row.refresh_from_db()
    assert row.state == OutboundState.SENT and row.body == ""
    assert len(mail.outbox) == 1


def test_an_email_that_cannot_be_marked_sent_is_logged_and_the_batch_goes_on(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    _flaky_update(monkeypatch, failures=2)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.queue_emails(
            [outbox.Email(to=[f"p{i}@example.test"], subject="Hi", body="x") for i in range(2)]
        )
    assert len(mail.outbox) == 2
    assert "could not be marked sent" in caplog.text
    states = list(OutboundEmail.objects.order_by("pk").values_list("state", flat=True))
    # The first stays claimed and may be sent again after its lease: at least once.
    assert states == [OutboundState.QUEUED, OutboundState.SENT]


# 4. The recipient is checked again at send time.


def test_an_email_for_someone_whose_address_changed_is_cancelled():
    person = PersonFactory(email="old@example.test")
    row = _queue(to=[person.email], person=person)
    person.email = "new@example.test"
    person.save()
    outbox.send_batch(row.batch)
    row.refresh_from_db()
    assert mail.outbox == []
    assert row.state == OutboundState.CANCELLED and row.body == ""
    assert "address has changed" in row.last_error


def test_an_email_for_someone_who_left_is_cancelled_and_others_still_go(
    django_capture_on_commit_callbacks,
):
    leaver = PersonFactory(email="leaver@example.test")
    stayer = PersonFactory(email="Stayer@Example.test")
    with django_capture_on_commit_callbacks(execute=True):
        outbox.queue_emails(
            [
                outbox.Email(to=[leaver.email], subject="A", body="x", person=leaver),
                outbox.Email(to=["stayer@example.test"], subject="B", body="y", person=stayer),
            ]
        )
        leaver.is_active = False
        leaver.save()
    assert [m.to for m in mail.outbox] == [["stayer@example.test"]]
    cancelled = OutboundEmail.objects.get(person=leaver)
    assert cancelled.state == OutboundState.CANCELLED
    assert "left" in cancelled.last_error


def test_deleting_a_person_deletes_their_emails(django_capture_on_commit_callbacks):
    person = PersonFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _queue(to=[person.email], person=person)
    _queue(to=[person.email], person=person)
    assert OutboundEmail.objects.filter(person=person).count() == 2
    person.delete()
    assert not OutboundEmail.objects.exists()


def test_notifications_name_the_person_they_are_for(make_notification):
    person = PersonFactory()
    make_notification(person)
    assert OutboundEmail.objects.get().person == person


# 5. Encrypted at rest, never kept longer than needed.


def _raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608
        return [value for (value,) in cursor.fetchall()]


def test_bodies_and_attachments_are_encrypted_at_rest():
    pdf = b"%PDF-1.4 " + SECRET.encode()
    row = _queue(html=f"<p>{SECRET}</p>", attachments=[outbox.Attachment("r.pdf", pdf)])
    for column in ("body", "html"):
        (stored,) = _raw("notifications_outboundemail", column)
        assert SECRET not in stored and stored.startswith("gAAAA")
    (stored,) = _raw("notifications_outboundattachment", "content")
    assert SECRET not in str(stored) and str(stored).startswith("gAAAA")
    # Upward itself reads them back as they were.
    row = OutboundEmail.objects.get(pk=row.pk)
    assert row.body == SECRET and bytes(row.attachments.get().content) == pdf


def test_key_rotation_covers_the_outbox(settings):
    from cryptography.fernet import Fernet

    _queue(attachments=[outbox.Attachment("r.pdf", b"bytes")])
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.ENCRYPTION_KEYS]
    out = StringIO()
    call_command("rotate_encryption_keys", "--for-real", stdout=out)
    assert "notifications.OutboundEmail.body: 1 re-encrypted" in out.getvalue()
    assert "notifications.OutboundAttachment.content: 1 re-encrypted" in out.getvalue()
    settings.ENCRYPTION_KEYS = settings.ENCRYPTION_KEYS[:1]
    row = OutboundEmail.objects.get()
    assert row.body == SECRET and bytes(row.attachments.get().content) == b"bytes"


# Found by the second outside review.


def test_a_task_queue_that_cannot_be_reached_never_fails_the_saved_change(
    monkeypatch, django_capture_on_commit_callbacks
):
    def unreachable(batch: str) -> None:
        raise ConnectionError("task queue down")

    monkeypatch.setattr(outbox, "_enqueue_send", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        row = _queue()  # no exception reaches the person whose change was saved
    row.refresh_from_db()
    assert row.state == OutboundState.QUEUED
    # The periodic flush sends what the lost task would have.
    assert outbox.flush_outbox()["sent"] == 0  # not a straggler yet
    row.created_at -= outbox.STRAGGLER_AGE
    row.save(update_fields=["created_at"])
    assert outbox.flush_outbox()["sent"] == 1
    assert mail.outbox[0].body == SECRET


def test_an_email_that_waited_too_long_unsent_is_given_up_not_sent_late(clock):
    row = _queue()  # its task never ran: a worker down for days
    clock.shift(outbox.give_up_after() + dt.timedelta(minutes=1))
    result = outbox.flush_outbox()
    row.refresh_from_db()
    assert (result["sent"], result["given_up"]) == (0, 1)
    assert row.state == OutboundState.GIVEN_UP
    assert row.body == "" and "Too old" in row.last_error
    assert mail.outbox == []


def test_send_again_is_for_superusers_not_for_staff_who_may_only_look(rf):
    from django.contrib.admin.sites import site
    from django.contrib.auth.models import Permission

    viewer = get_user_model().objects.create_user("viewer@example.test", "pw-for-tests")
    viewer.is_staff = True
    viewer.save(update_fields=["is_staff"])
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboundemail"))
    request = rf.get("/")
    request.user = viewer
    model_admin = site._registry[OutboundEmail]
    assert "send_again" not in model_admin.get_actions(request)
    request.user = get_user_model().objects.create_superuser("root@example.test", "pw-for-tests")
    assert "send_again" in model_admin.get_actions(request)

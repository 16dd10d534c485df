"""The outbox: the one way email leaves Upward."""

from __future__ import annotations

import inspect
import re
from email import message_from_bytes
from pathlib import Path

import allauth
import pytest
from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.core.context import request_context
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.test import RequestFactory

from upward.notifications import outbox
from upward.notifications.models import OutboundAttachment, OutboundEmail


class CountingBackend(EmailBackend):
    """The test mailbox, counting how many connections were made and opened."""

    made = 0
    opened = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        type(self).made += 1

    def open(self):
        type(self).opened += 1
        return super().open()


class RefusingBackend(EmailBackend):
    def send_messages(self, messages):
        raise OSError("mail server down")


class RefusesOneAddress(EmailBackend):
    def send_messages(self, messages):
        if any("bounce@" in address for m in messages for address in m.to):
            raise OSError("550 no such mailbox")
        return super().send_messages(messages)


@pytest.fixture
def counting(settings):
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    CountingBackend.made = CountingBackend.opened = 0
    return CountingBackend


def _emails(n: int) -> list[outbox.Email]:
    return [
        outbox.Email(to=[f"person{i}@example.test"], subject=f"Kick-off {i}", body="See you there")
        for i in range(n)
    ]


@pytest.mark.django_db
def test_a_thousand_emails_leave_over_one_connection_after_commit(
    counting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            outbox.queue_emails(_emails(1000))
        assert mail.outbox == []  # nothing leaves before the commit
        assert counting.made == 0
    assert len(callbacks) == 1  # one task for the whole batch
    assert len(mail.outbox) == 1000
    assert counting.made == 1 and counting.opened == 1
    assert mail.outbox[0].subject == "[Upward] Kick-off 0"
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()
    assert set(OutboundEmail.objects.values_list("body", flat=True)) == {""}
    assert set(OutboundEmail.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db
def test_a_rolled_back_change_sends_nothing(counting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError, match="changed my mind"), transaction.atomic():
            outbox.queue_email(to=["a@example.test"], subject="Hello", body="Hi")
            raise RuntimeError("changed my mind")
    assert callbacks == []
    assert mail.outbox == [] and counting.made == 0
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
def test_the_subject_prefix_comes_from_the_setting(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_SUBJECT_PREFIX = "[Mentoring] "
    with django_capture_on_commit_callbacks(execute=True):
        # A line break in a name must not break the header.
        outbox.queue_email(to=["a@example.test"], subject="Hello\nthere", body="Hi")
    assert [m.subject for m in mail.outbox] == ["[Mentoring] Hello there"]


def test_the_base_settings_prefix_is_upward():
    assert django_settings.EMAIL_SUBJECT_PREFIX == "[Upward] "
    # allauth's emails take the same prefix from the outbox, so allauth adds none of its own.
    assert get_adapter().format_email_subject("Reset your password") == "Reset your password"


@pytest.mark.django_db
def test_a_failing_send_is_recorded_and_retried(
    settings, django_capture_on_commit_callbacks, time_machine
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusesOneAddress"
    with django_capture_on_commit_callbacks(execute=True):
        outbox.queue_emails(
            [
                outbox.Email(to=["bounce@example.test"], subject="One", body="x"),
                outbox.Email(to=["fine@example.test"], subject="Two", body="y"),
            ]
        )
    # The failure does not stop the rest of the batch.
    assert [m.to for m in mail.outbox] == [["fine@example.test"]]
    failed = OutboundEmail.objects.get(to=["bounce@example.test"])
    assert failed.sent_at is None and failed.attempts == 1
    assert failed.last_error == "OSError: 550 no such mailbox"
    assert failed.body == "x"  # kept until it is sent
    retry_at = failed.next_attempt_at
    assert retry_at is not None

    # Not before the back-off, then on the next flush (run_scheduled, or the next batch's task).
    time_machine.move_to(retry_at - outbox.LEASE / 15)
    assert outbox.flush_outbox()["failed"] == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        outbox.queue_email(to=["other@example.test"], subject="Three", body="z")
    # The next batch's task leaves it alone until its back-off is over.
    assert len(mail.outbox) == 2
    time_machine.move_to(retry_at)
    assert outbox.flush_outbox() == {
        "sent": 1,
        "failed": 0,
        "given_up": 0,
        "cancelled": 0,
        "forgotten": 0,
        "retrying": 0,
        "given_up_on_record": 0,
    }
    failed.refresh_from_db()
    assert failed.sent_at is not None and failed.attempts == 2 and failed.last_error == ""
    assert [m.to for m in mail.outbox][-1] == ["bounce@example.test"]


@pytest.mark.django_db
def test_a_server_that_is_down_is_not_hammered(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        outbox.queue_emails(_emails(10))
    # Three failures in a row stop the flush; the rest wait, untouched, for the next one.
    assert sorted(OutboundEmail.objects.values_list("attempts", flat=True)) == [0] * 7 + [1] * 3
    assert not OutboundEmail.objects.exclude(claim="").exists()


@pytest.mark.django_db
def test_attachments_keep_their_type_and_are_cleared_once_sent(
    django_capture_on_commit_callbacks,
):
    pdf = b"%PDF-1.4 private record"
    invite = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        outbox.queue_email(
            to=["lee@example.test"],
            subject="Record",
            body="Attached.",
            reply_to=["sam@example.test"],
            attachments=[
                outbox.Attachment("record.pdf", pdf, "application/pdf"),
                outbox.Attachment("invite.ics", invite, "text/calendar; method=REQUEST"),
            ],
        )
    (message,) = mail.outbox
    assert message.reply_to == ["sam@example.test"]
    assert message.attachments[0] == ("record.pdf", pdf, "application/pdf")
    parsed = message_from_bytes(message.message().as_bytes())
    (calendar,) = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_filename() == "invite.ics"
    assert calendar.get_payload(decode=True) == invite
    # What stays is a small record: names and sizes, no bytes.
    kept = list(OutboundAttachment.objects.values_list("filename", "size", "content"))
    assert [(name, size, bytes(content)) for name, size, content in kept] == [
        ("record.pdf", len(pdf), b""),
        ("invite.ics", len(invite), b""),
    ]


@pytest.mark.django_db
def test_run_scheduled_sends_what_a_lost_task_left_and_forgets_old_records(
    django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to("2026-03-02 09:00Z", tick=False)
    outbox.queue_email(to=["a@example.test"], subject="Lost", body="x")  # task never enqueued
    row = OutboundEmail.objects.get()
    waiting_none = {"waiting": 0, "retrying": 0, "given_up_on_record": 0}
    assert outbox.flush_outbox(dry_run=True) == waiting_none  # fresh: its task may be coming
    later = row.created_at + outbox.STRAGGLER_AGE
    time_machine.move_to(later, tick=False)
    assert outbox.flush_outbox(dry_run=True) == {**waiting_none, "waiting": 1}
    assert outbox.flush_outbox()["sent"] == 1
    assert [m.subject for m in mail.outbox] == ["[Upward] Lost"]
    time_machine.move_to(later + outbox.keep_finished_for() - outbox.LEASE, tick=False)
    assert outbox.flush_outbox()["forgotten"] == 0
    time_machine.move_to(later + outbox.keep_finished_for() + outbox.LEASE, tick=False)
    assert outbox.flush_outbox()["forgotten"] == 1
    assert not OutboundEmail.objects.exists()


# Every email leaves through the outbox: nothing else may build or send one.
SENDING = re.compile(
    r"\b(send_mail|send_mass_mail|mail_admins|mail_managers|EmailMessage|"
    r"EmailMultiAlternatives|send_messages)\b"
    r"|from django\.core\.mail import|import django\.core\.mail|from django\.core import mail"
)


def test_no_email_is_sent_outside_the_outbox():
    root = Path(django_settings.BASE_DIR)
    allowed = {root / "upward" / "notifications" / "outbox.py"}
    # The account adapter overrides allauth's send_mail to queue in the outbox; the
    # definition is the one mention it may make (what it does is tested below).
    overrides = {(root / "upward" / "accounts" / "adapter.py", "def send_mail(")}
    offenders = []
    for folder in ("upward", "config", "matching"):
        for path in sorted((root / folder).rglob("*.py")):
            if path in allowed or "tests" in path.relative_to(root).parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if any(
                    path == where and line.strip().startswith(start) for where, start in overrides
                ):
                    continue
                if SENDING.search(line):
                    offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert offenders == []


# Building or sending a message, as opposed to calling the adapter's send_mail.
BUILDING = re.compile(
    r"\b(send_mass_mail|mail_admins|mail_managers|EmailMessage|EmailMultiAlternatives|"
    r"send_messages)\b"
    r"|from django\.core\.mail import|import django\.core\.mail|from django\.core import mail"
)


def test_allauth_sends_only_through_the_account_adapter():
    # After an allauth upgrade: a new route to the mail server outside its adapter fails here.
    package = Path(allauth.__file__).parent
    builders = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "tests" not in path.relative_to(package).parts
        and any(BUILDING.search(line) for line in path.read_text().splitlines())
    )
    assert builders == ["account/adapter.py"]
    # Every adapter method that sends a message itself is overridden by ours.
    ours = type(get_adapter())
    senders = [
        name
        for name, method in vars(DefaultAccountAdapter).items()
        if inspect.isfunction(method) and re.search(r"\.send\(\)", inspect.getsource(method))
    ]
    assert senders == ["send_mail"]
    for name in senders:
        assert getattr(ours, name) is not getattr(DefaultAccountAdapter, name), name


@pytest.mark.django_db
def test_the_account_adapter_queues_in_the_outbox_and_sends_nothing_itself(
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        request_context(RequestFactory().get("/")),
    ):
        get_adapter().send_mail("account/email/password_reset_key", "a@example.test", {})
    assert mail.outbox == []
    assert OutboundEmail.objects.get().to == ["a@example.test"]
    assert len(callbacks) == 1

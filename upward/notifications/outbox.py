"""The one way email leaves Upward: a transactional outbox.

Callers queue emails inside their own transaction (`queue_email`, or `queue_emails` for many at
once). After the commit one background task sends that batch, and any earlier email due for a
retry, over one mail-server connection. So a slow or absent mail server never holds a request,
a rolled-back change sends nothing, and a thousand invitations cost one connection, not a
thousand. `run_scheduled` flushes whatever a lost task left behind and retries failures.

The texts callers pass follow the same rule as every email template: a neutral line, names and a
link, never note, message, pulse, concern, survey-answer or special-category content. Once an
email is sent its body and attachment bytes are cleared; a small record stays.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email import encoders
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from upward.core.validation import one_line
from upward.notifications.models import OutboundAttachment, OutboundEmail

logger = logging.getLogger(__name__)

# Rows loaded per query while sending; all batches of one flush share the connection.
CHUNK = 200
# How long a sender may hold rows before another may take them over (it died mid-send).
LEASE = dt.timedelta(minutes=15)
MAX_ATTEMPTS = 8
# Consecutive failures after which the mail server is taken to be down: stop, retry later.
GIVE_UP_AFTER = 3
# run_scheduled leaves fresh rows to the task their commit enqueued.
STRAGGLER_AGE = dt.timedelta(minutes=5)
KEEP_SENT_FOR = dt.timedelta(days=90)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    # May carry parameters: "text/calendar; method=REQUEST".
    mimetype: str = "application/octet-stream"


@dataclass(frozen=True)
class Email:
    to: Sequence[str]
    subject: str
    body: str
    html: str = ""
    attachments: Sequence[Attachment] = ()
    reply_to: Sequence[str] = field(default=())


def queue_email(
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    html: str = "",
    attachments: Sequence[Attachment] = (),
    reply_to: Sequence[str] = (),
) -> OutboundEmail:
    """Queue one email; it is sent after the caller's transaction commits. `subject` comes
    without the site prefix, which is added here from settings.EMAIL_SUBJECT_PREFIX."""
    (email,) = queue_emails(
        [
            Email(
                to=to,
                subject=subject,
                body=body,
                html=html,
                attachments=attachments,
                reply_to=reply_to,
            )
        ]
    )
    return email


def queue_emails(emails: Iterable[Email]) -> list[OutboundEmail]:
    """Queue many emails as one batch: one task, one connection, however many there are."""
    emails = [email for email in emails if email.to]
    if not emails:
        return []
    batch = uuid.uuid4().hex
    prefix = settings.EMAIL_SUBJECT_PREFIX
    with transaction.atomic():
        rows = OutboundEmail.objects.bulk_create(
            [
                OutboundEmail(
                    to=list(email.to),
                    reply_to=list(email.reply_to),
                    # A line break in a header makes Django refuse to send: names cannot cause it.
                    subject=one_line(f"{prefix}{email.subject}")[:300],
                    body=email.body,
                    html=email.html,
                    batch=batch,
                )
                for email in emails
            ]
        )
        if not all(row.pk for row in rows):  # a database that cannot return ids from a bulk insert
            rows = list(OutboundEmail.objects.filter(batch=batch).order_by("pk"))
        OutboundAttachment.objects.bulk_create(
            [
                OutboundAttachment(
                    email=row,
                    filename=one_line(attachment.filename)[:200],
                    mimetype=attachment.mimetype,
                    content=attachment.content,
                    size=len(attachment.content),
                )
                for row, email in zip(rows, emails, strict=True)
                for attachment in email.attachments
            ]
        )
        transaction.on_commit(lambda: _enqueue_send(batch))
    return rows


def _enqueue_send(batch: str) -> None:
    from upward.notifications.tasks import send_queued_emails

    send_queued_emails.enqueue(batch)


# ---------------------------------------------------------------------------------------------
# Sending (the background task and run_scheduled)


def send_batch(batch: str, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Send one batch, and any earlier email whose retry is due, over one connection."""
    now = now or timezone.now()
    retries = Q(attempts__gt=0)
    return _send(_due(now).filter(Q(batch=batch) | retries), now=now)


def flush_outbox(*, now: dt.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Send everything still waiting (a lost task's batch, failures due a retry), then forget
    the bodies of old sent emails. The periodic job `run_scheduled` calls this."""
    now = now or timezone.now()
    waiting = _due(now).filter(Q(created_at__lte=now - STRAGGLER_AGE) | Q(attempts__gt=0))
    if dry_run:
        return {"waiting": waiting.count()}
    result = _send(waiting, now=now)
    result["forgotten"] = (
        OutboundEmail.objects.filter(sent_at__lt=now - KEEP_SENT_FOR)
        .delete()[1]
        .get(OutboundEmail._meta.label, 0)
    )
    return result


def _due(now: dt.datetime) -> QuerySet[OutboundEmail]:
    return OutboundEmail.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        sent_at__isnull=True,
        attempts__lt=MAX_ATTEMPTS,
    )


def _claim(due: QuerySet[OutboundEmail], now: dt.datetime) -> tuple[str, list[OutboundEmail]]:
    # A conditional UPDATE takes the lease, so a second worker running the same query at the
    # same moment gets other rows or none (SQLite and PostgreSQL alike).
    token = uuid.uuid4().hex
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:CHUNK])
    if not ids:
        return token, []
    due.filter(pk__in=ids).update(claim=token, next_attempt_at=now + LEASE)
    rows = OutboundEmail.objects.filter(claim=token, sent_at__isnull=True)
    return token, list(rows.prefetch_related("attachments").order_by("pk"))


def _send(due: QuerySet[OutboundEmail], *, now: dt.datetime) -> dict[str, int]:
    result = {"sent": 0, "failed": 0}
    connection: Any = None
    failures_in_a_row = 0
    try:
        while failures_in_a_row < GIVE_UP_AFTER:
            token, rows = _claim(due, now)
            if not rows:
                break
            for position, row in enumerate(rows):
                if failures_in_a_row >= GIVE_UP_AFTER:
                    # The server is down: hand the rest back untouched for the next flush.
                    _release([r.pk for r in rows[position:]], token)
                    break
                try:
                    if connection is None:
                        connection = get_connection()
                        connection.open()
                    connection.send_messages([_message(row, connection)])
                except Exception as exc:
                    failures_in_a_row += 1
                    result["failed"] += 1
                    _record_failure(row, token, exc, now)
                    # The connection may be what broke: the next email gets a fresh one.
                    _close(connection)
                    connection = None
                else:
                    failures_in_a_row = 0
                    result["sent"] += 1
                    _mark_sent(row, token)
    finally:
        _close(connection)
    return result


def _message(row: OutboundEmail, connection: Any) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(row.to),
        reply_to=list(row.reply_to) or None,
        connection=connection,
    )
    if row.html:
        message.attach_alternative(row.html, "text/html")
    for attachment in row.attachments.all():
        content = bytes(attachment.content)
        if ";" in attachment.mimetype:
            message.attach(_part(attachment.filename, content, attachment.mimetype))
        else:
            message.attach(attachment.filename, content, attachment.mimetype)
    return message


def _part(filename: str, content: bytes, content_type: str) -> MIMEBase:
    """A part that keeps its content-type parameters, e.g. the METHOD calendar programs read."""
    kind, *params = (piece.strip() for piece in content_type.split(";"))
    maintype, _slash, subtype = kind.partition("/")
    part: MIMEBase
    if maintype == "text":
        part = MIMEText(content.decode("utf-8"), subtype, "utf-8")
    else:
        part = MIMEBase(maintype, subtype)
        part.set_payload(content)
        encoders.encode_base64(part)
    for param in params:
        name, _eq, value = param.partition("=")
        part.set_param(name.strip(), value.strip().strip('"'))
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def _mark_sent(row: OutboundEmail, token: str) -> None:
    # Keep a small record; the text and the attachments' bytes (a contribution-record PDF, say)
    # do not linger once they have left.
    OutboundEmail.objects.filter(pk=row.pk, claim=token).update(
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        body="",
        html="",
        claim="",
        next_attempt_at=None,
        last_error="",
    )
    OutboundAttachment.objects.filter(email_id=row.pk).update(content=b"")


def _record_failure(row: OutboundEmail, token: str, exc: Exception, now: dt.datetime) -> None:
    attempts = row.attempts + 1
    # Back off 2, 4, 8... minutes, at most six hours, so a bad address cannot hog the sender.
    wait = min(dt.timedelta(minutes=2**attempts), dt.timedelta(hours=6))
    # The error names the failure, never the email's text.
    error = f"{type(exc).__name__}: {exc}"[:500]
    OutboundEmail.objects.filter(pk=row.pk, claim=token).update(
        attempts=attempts, last_error=error, claim="", next_attempt_at=now + wait
    )
    if attempts >= MAX_ATTEMPTS:
        logger.error("Email %s given up after %s attempts: %s", row.pk, attempts, error)
    else:
        logger.warning("Email %s not sent (attempt %s): %s", row.pk, attempts, error)


def _release(ids: list[int], token: str) -> None:
    OutboundEmail.objects.filter(pk__in=ids, claim=token).update(claim="", next_attempt_at=None)


def _close(connection: Any) -> None:
    if connection is None:
        return
    try:
        connection.close()
    except Exception:  # closing a broken connection may fail too; nothing is lost
        logger.debug("Closing the mail connection failed", exc_info=True)

"""The one way email leaves Upward: a transactional outbox.

Callers queue emails inside their own transaction (`queue_email`, or `queue_emails` for many at
once). After the commit one background task sends that batch, and any earlier email due for a
retry, over one mail-server connection. So a slow or absent mail server never holds a request,
a rolled-back change sends nothing, and a thousand invitations cost one connection, not a
thousand. `run_scheduled` flushes whatever a lost task left behind and retries failures.

Delivery is at least once: an email the mail server accepted is sent again if the sender dies
(or the database refuses twice) before the row is marked sent. Failures are retried with a
back-off until the email is older than settings.UPWARD_OUTBOX_GIVE_UP_AFTER, then given up.

Every email gets an HTML part beside its text: callers pass the one action it asks for (a label
and an absolute link), the organisation's name and why the person is getting it, and
`notifications.rendering` builds the HTML from the text (escaped). A caller that made its own
HTML (allauth) passes it as `html`. Rows queued before HTML parts existed, or without one, are
sent as text only.

The texts callers pass follow the same rule as every email template: a neutral line, names and a
link, never note, message, pulse, concern, survey-answer or special-category content. Bodies and
attachment bytes are encrypted at rest and cleared once an email is sent, given up or cancelled;
a small record stays until settings.UPWARD_OUTBOX_KEEP_FINISHED_FOR has passed.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from email import encoders
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import OperationalError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from upward.core.validation import one_line
from upward.notifications.models import OutboundAttachment, OutboundEmail, OutboundState
from upward.notifications.rendering import Action, preferences_url, render_html
from upward.organisations.models import Organisation, Person

logger = logging.getLogger(__name__)

# Rows loaded per query while sending; all batches of one flush share the connection.
CHUNK = 200
# How long a sender may hold rows before another may take them over (it died mid-send). A row
# is only handed to the mail server while at least SEND_MARGIN of the lease is left, so the
# lease only has to outlast one send, however long the batch: see _lease().
LEASE = dt.timedelta(minutes=15)
# Consecutive failures after which the mail server is taken to be down: stop, retry later.
STOP_AFTER_FAILURES = 3
# Back-off after a failure: 2, 4, 8 ... minutes, never more than this.
MAX_BACKOFF = dt.timedelta(hours=1)
# run_scheduled leaves fresh rows to the task their commit enqueued.
STRAGGLER_AGE = dt.timedelta(minutes=5)
FINISHED = (OutboundState.SENT, OutboundState.GIVEN_UP, OutboundState.CANCELLED)


def give_up_after() -> dt.timedelta:
    return getattr(settings, "UPWARD_OUTBOX_GIVE_UP_AFTER", dt.timedelta(days=3))


def keep_finished_for() -> dt.timedelta:
    return getattr(settings, "UPWARD_OUTBOX_KEEP_FINISHED_FOR", dt.timedelta(days=30))


def send_margin() -> dt.timedelta:
    """The longest one send can take: opening the connection, then each SMTP step (greeting,
    EHLO, STARTTLS, login, MAIL, RCPT, DATA and the message) may each wait EMAIL_TIMEOUT."""
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or 30
    return dt.timedelta(seconds=10 * timeout)


def _lease() -> dt.timedelta:
    # Always room for at least one send after the claim, even with a long EMAIL_TIMEOUT.
    return max(LEASE, 2 * send_margin())


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
    # The person the email is for, when it is one: the email is cancelled at send time if they
    # have left or their address is no longer the one in `to`.
    person: Person | None = None
    # For the HTML part (when `html` is empty): the one call to action, the organisation's
    # name (default: the person's organisation), the footer's "why you got this" line and
    # whether it links to the notification choices (only for a person with an account).
    action: Action | None = None
    organisation: str = ""
    reason: str = ""
    preferences: bool = True


def queue_email(
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    html: str = "",
    attachments: Sequence[Attachment] = (),
    reply_to: Sequence[str] = (),
    person: Person | None = None,
    action: Action | None = None,
    organisation: str = "",
    reason: str = "",
    preferences: bool = True,
) -> OutboundEmail:
    """Queue one email; it is sent after the caller's transaction commits. `subject` comes
    without the site prefix, which is added here from settings.EMAIL_SUBJECT_PREFIX. Pass the
    `person` the email is for whenever it is a person."""
    (email,) = queue_emails(
        [
            Email(
                to=to,
                subject=subject,
                body=body,
                html=html,
                attachments=attachments,
                reply_to=reply_to,
                person=person,
                action=action,
                organisation=organisation,
                reason=reason,
                preferences=preferences,
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
    htmls = _html_parts(emails)
    with transaction.atomic():
        rows = OutboundEmail.objects.bulk_create(
            [
                OutboundEmail(
                    to=list(email.to),
                    reply_to=list(email.reply_to),
                    # A line break in a header makes Django refuse to send: names cannot cause it.
                    subject=one_line(f"{prefix}{email.subject}")[:300],
                    body=email.body,
                    html=html,
                    batch=batch,
                    person=email.person,
                )
                for email, html in zip(emails, htmls, strict=True)
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
        # Robust: the change is committed by now, so a task queue that cannot be reached must not
        # turn it into an error page (the person might repeat it); flush_outbox sends the rows.
        transaction.on_commit(lambda: _enqueue_send(batch), robust=True)
    return rows


def _html_parts(emails: list[Email]) -> list[str]:
    """Each email's HTML part: its own, or one made from its text. The organisations' names
    are read in one query, however many people the batch reaches."""
    wanted = {
        email.person.organisation_id
        for email in emails
        if not email.html and not email.organisation and email.person is not None
    }
    names = dict(Organisation.objects.filter(pk__in=wanted).values_list("pk", "name"))
    links = preferences_url()
    parts = []
    for email in emails:
        if email.html:
            parts.append(email.html)
            continue
        person = email.person
        organisation = email.organisation or (
            names.get(person.organisation_id, "") if person else ""
        )
        has_account = person is not None and person.user_id is not None
        parts.append(
            render_html(
                subject=email.subject,
                text=email.body,
                action=email.action,
                organisation=organisation,
                reason=email.reason,
                preferences=links if email.preferences and has_account else "",
            )
        )
    return parts


def _enqueue_send(batch: str) -> None:
    from upward.notifications.tasks import send_queued_emails

    send_queued_emails.enqueue(batch)


# ---------------------------------------------------------------------------------------------
# Sending (the background task and run_scheduled)


def send_batch(batch: str) -> dict[str, int]:
    """Send one batch, then any earlier email whose retry is due, over one connection.

    The earlier emails only get their turn while the mail server accepts mail: when it is down,
    a commit's task fails on its own emails and stops, and leaves the others' back-off alone.
    """
    return _send(
        [lambda: _due().filter(batch=batch), lambda: _due().filter(attempts__gt=0)],
    )


def flush_outbox(*, dry_run: bool = False) -> dict[str, int]:
    """Send everything still waiting (a lost task's batch, failures due a retry), then delete
    old finished records. The periodic job `run_scheduled` calls this; its counts show what an
    operator should watch: emails still failing, and emails given up."""

    def waiting() -> QuerySet[OutboundEmail]:
        now = timezone.now()
        return _due().filter(Q(created_at__lte=now - STRAGGLER_AGE) | Q(attempts__gt=0))

    if dry_run:
        return {"waiting": waiting().count(), **_watch()}
    result = _send([waiting])
    result["forgotten"] = (
        OutboundEmail.objects.filter(
            state__in=FINISHED, finished_at__lt=timezone.now() - keep_finished_for()
        )
        .delete()[1]
        .get(OutboundEmail._meta.label, 0)
    )
    result.update(_watch())
    return result


def _watch() -> dict[str, int]:
    """What an operator should look at: emails failing and still retrying, and given up ones
    (kept, without their text, until they are deleted with the other finished records)."""
    rows = OutboundEmail.objects
    return {
        "retrying": rows.filter(state=OutboundState.QUEUED, attempts__gt=0).count(),
        "given_up_on_record": rows.filter(state=OutboundState.GIVEN_UP).count(),
    }


def send_again(emails: QuerySet[OutboundEmail]) -> int:
    """An operator's "send again" (after fixing the mail server): failing emails still waiting
    are tried on the next flush instead of after their back-off. Given-up and cancelled emails
    have had their text cleared, so they cannot be sent again; they are left alone. Returns how
    many will be tried."""
    return emails.filter(state=OutboundState.QUEUED, attempts__gt=0).update(
        next_attempt_at=None, claim=""
    )


def _due() -> QuerySet[OutboundEmail]:
    # The time is read whenever a claim is made, never once for a whole run: a long run's later
    # claims would otherwise take leases that have already run out.
    now = timezone.now()
    return OutboundEmail.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        state=OutboundState.QUEUED,
    )


@dataclass
class _Claim:
    token: str
    until: dt.datetime
    rows: list[OutboundEmail]

    def still_held(self) -> bool:
        # Cheap: no query. Until the lease runs out nobody else may take the rows; a send
        # started with less than send_margin() left could outlive it.
        return timezone.now() + send_margin() < self.until


def _claim(due: QuerySet[OutboundEmail]) -> _Claim:
    # A conditional UPDATE takes the lease, so a second worker running the same query at the
    # same moment gets other rows or none (SQLite and PostgreSQL alike).
    token = uuid.uuid4().hex
    until = timezone.now() + _lease()
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:CHUNK])
    if not ids:
        return _Claim(token, until, [])
    due.filter(pk__in=ids).update(claim=token, next_attempt_at=until)
    rows = OutboundEmail.objects.filter(claim=token, state=OutboundState.QUEUED)
    rows = rows.select_related("person").prefetch_related("attachments").order_by("pk")
    return _Claim(token, until, list(rows))


def _send(phases: Sequence[Callable[[], QuerySet[OutboundEmail]]]) -> dict[str, int]:
    """Send what each phase's query finds, phase after phase. A later phase only runs while the
    last send succeeded, so a server that is down is not asked again for older emails."""
    result = {"sent": 0, "failed": 0, "given_up": 0, "cancelled": 0}
    connection: Any = None
    failures_in_a_row = 0
    try:
        for number, due in enumerate(phases):
            if number and failures_in_a_row:
                break
            while failures_in_a_row < STOP_AFTER_FAILURES:
                claim = _claim(due())
                if not claim.rows:
                    break
                for position, row in enumerate(claim.rows):
                    if failures_in_a_row >= STOP_AFTER_FAILURES or not claim.still_held():
                        # The server is down, or the lease is nearly over: hand the rest back
                        # untouched (the lease may be taken again at once, by us or another).
                        _release([r.pk for r in claim.rows[position:]], claim.token)
                        break
                    if timezone.now() - row.created_at >= give_up_after():
                        # Waited too long (a worker down for days): an invitation or a meeting
                        # change arriving that late would mislead more than help.
                        result["given_up"] += 1
                        why = row.last_error or "Too old to send: it waited too long."
                        _finish_unsent(row, claim.token, OutboundState.GIVEN_UP, why)
                        continue
                    reason = _stale_recipient(row)
                    if reason:
                        result["cancelled"] += 1
                        _finish_unsent(row, claim.token, OutboundState.CANCELLED, reason)
                        continue
                    try:
                        if connection is None:
                            connection = get_connection()
                            connection.open()
                        connection.send_messages([_message(row, connection)])
                    except Exception as exc:
                        failures_in_a_row += 1
                        result["failed"] += 1
                        if _record_failure(row, claim.token, exc):
                            result["given_up"] += 1
                        # The connection may be what broke: the next email gets a fresh one.
                        _close(connection)
                        connection = None
                    else:
                        failures_in_a_row = 0
                        result["sent"] += 1
                        _mark_sent(row, claim.token)
    finally:
        _close(connection)
    return result


def _stale_recipient(row: OutboundEmail) -> str:
    """Why the email must not go to its address any more, or "" when it may."""
    person = row.person
    if person is None:
        return ""
    if not person.is_active:
        return "Cancelled: the person is marked as having left."
    if person.email.strip().lower() not in {address.strip().lower() for address in row.to}:
        return "Cancelled: the person's email address has changed since it was queued."
    return ""


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
    # do not linger once they have left. The mail server has accepted the email: if this write
    # fails the row is sent again once its lease runs out (at-least-once delivery), so a
    # passing database error ("database is locked") gets one more try.
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                now = timezone.now()
                OutboundEmail.objects.filter(pk=row.pk, claim=token).update(
                    state=OutboundState.SENT,
                    sent_at=now,
                    finished_at=now,
                    attempts=F("attempts") + 1,
                    body="",
                    html="",
                    claim="",
                    next_attempt_at=None,
                    last_error="",
                )
                OutboundAttachment.objects.filter(email_id=row.pk).update(content=b"")
            return
        except OperationalError:
            if attempt == 2:
                logger.exception("Email %s was sent but could not be marked sent", row.pk)


def _finish_unsent(
    row: OutboundEmail, token: str, state: str, reason: str, attempts: int | None = None
) -> None:
    """Given up or cancelled: keep the small record and why, forget the text and the bytes."""
    with transaction.atomic():
        OutboundEmail.objects.filter(pk=row.pk, claim=token).update(
            state=state,
            attempts=row.attempts if attempts is None else attempts,
            finished_at=timezone.now(),
            body="",
            html="",
            claim="",
            next_attempt_at=None,
            last_error=reason[:500],
        )
        OutboundAttachment.objects.filter(email_id=row.pk).update(content=b"")


def _record_failure(row: OutboundEmail, token: str, exc: Exception) -> bool:
    """Record a failed send; returns True when the email is now given up."""
    now = timezone.now()
    attempts = row.attempts + 1
    # The error names the failure, never the email's text.
    error = f"{type(exc).__name__}: {exc}"[:500]
    if now - row.created_at >= give_up_after():
        _finish_unsent(row, token, OutboundState.GIVEN_UP, error, attempts=attempts)
        logger.error("Email %s given up after %s attempts: %s", row.pk, attempts, error)
        return True
    # Back off 2, 4, 8... minutes, at most an hour, so a bad address cannot hog the sender and
    # an outage of hours loses nothing: retries go on until the email is too old.
    wait = min(dt.timedelta(minutes=2 ** min(attempts, 10)), MAX_BACKOFF)
    OutboundEmail.objects.filter(pk=row.pk, claim=token).update(
        attempts=attempts, last_error=error, claim="", next_attempt_at=now + wait
    )
    logger.warning("Email %s not sent (attempt %s): %s", row.pk, attempts, error)
    return False


def _release(ids: list[int], token: str) -> None:
    OutboundEmail.objects.filter(pk__in=ids, claim=token).update(claim="", next_attempt_at=None)


def _close(connection: Any) -> None:
    if connection is None:
        return
    try:
        connection.close()
    except Exception:  # closing a broken connection may fail too; nothing is lost
        logger.debug("Closing the mail connection failed", exc_info=True)

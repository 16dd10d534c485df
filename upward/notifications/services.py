"""Writes for notifications: record, email once, preferences, read marks and weekly digests."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from upward.core.audit import record
from upward.core.errors import DomainError
from upward.core.links import ForeignLinkError, absolute_url, relative_path
from upward.core.types import Actor
from upward.core.validation import one_line
from upward.notifications import outbox
from upward.notifications.kinds import KINDS_BY_KEY, default_delivery
from upward.notifications.models import Delivery, Digest, Notification, NotificationPreference
from upward.organisations.models import Person

logger = logging.getLogger(__name__)


def notify(
    person: Person,
    *,
    kind: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    url: str = "",
    dedupe_key: str,
) -> Notification | None:
    """Record an in-app notification for `person` and email it after commit, per preferences.

    `template` is a plain-text email template (wrap it in {% autoescape off %}); its text is also
    what the app shows. It must hold a neutral line and a link only: never note, message, pulse,
    concern, survey-answer or special-category content.

    `dedupe_key` is unique per recipient: a second call with the same key does nothing and
    returns None, so callers can retry freely. The database constraint decides under a race.
    """
    if not dedupe_key:
        raise ValueError("notify() needs a dedupe_key so a retry never notifies twice.")
    # Stored relative, so the link still opens after the site moves host or port; a link to
    # another site raises ForeignLinkError (the open view would refuse it anyway).
    url = relative_path(url)
    if Notification.objects.filter(recipient=person, dedupe_key=dedupe_key).exists():
        return None
    body = render_to_string(template, context).strip()
    try:
        # A savepoint, so losing the race leaves the caller's transaction usable.
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=person,
                kind=kind,
                # The subject becomes an email header: one line, whatever names it holds.
                subject=one_line(str(subject))[:200],
                body=body,
                url=url[:500],
                dedupe_key=dedupe_key[:200],
                delivery=delivery_for(person, kind),
            )
    except IntegrityError:
        return None
    if notification.delivery == Delivery.IMMEDIATELY and person.email and person.is_active:
        # In the caller's transaction: the email exists exactly when the notification does.
        _queue_notification_email(notification.pk)
    return notification


@dataclass(frozen=True)
class Notice:
    """One notification of a `notify_many` batch: the arguments notify() takes per person."""

    person: Person
    subject: str
    template: str
    context: dict[str, Any]
    dedupe_key: str
    url: str = ""


def notify_many(notices: Iterable[Notice], *, kind: str) -> list[Notification]:
    """notify() for many people at once, in a fixed number of queries however many there are:
    one read of what exists already, one of preferences, one INSERT, and one outbox batch for
    the emails. Same rules as notify(): each dedupe key once per recipient, neutral text only.
    Returns the notifications made now (none for keys already used)."""
    notices = list(notices)
    if not notices:
        return []
    if not all(n.dedupe_key for n in notices):
        raise ValueError("notify_many() needs a dedupe_key per notice.")
    person_ids = {n.person.pk for n in notices}
    keys = {n.dedupe_key[:200] for n in notices}
    taken = set(
        Notification.objects.filter(recipient_id__in=person_ids, dedupe_key__in=keys).values_list(
            "recipient_id", "dedupe_key"
        )
    )
    chosen = dict(
        NotificationPreference.objects.filter(person_id__in=person_ids, kind=kind).values_list(
            "person_id", "delivery"
        )
    )
    rows: list[Notification] = []
    fresh: list[Notice] = []
    for notice in notices:
        key = (notice.person.pk, notice.dedupe_key[:200])
        if key in taken:
            continue
        taken.add(key)
        fresh.append(notice)
        rows.append(
            Notification(
                recipient=notice.person,
                kind=kind,
                subject=one_line(str(notice.subject))[:200],
                body=render_to_string(notice.template, notice.context).strip(),
                url=relative_path(notice.url)[:500],
                dedupe_key=key[1],
                delivery=chosen.get(notice.person.pk) or default_delivery(kind),
            )
        )
    if not rows:
        return []
    try:
        with transaction.atomic():
            made = Notification.objects.bulk_create(rows)
    except IntegrityError:
        # Someone else notified one of them meanwhile: fall back to one at a time, which
        # skips whoever already has theirs.
        return [
            n
            for notice in fresh
            if (
                n := notify(
                    notice.person,
                    kind=kind,
                    subject=notice.subject,
                    template=notice.template,
                    context=notice.context,
                    url=notice.url,
                    dedupe_key=notice.dedupe_key,
                )
            )
            is not None
        ]
    if not all(n.pk for n in made):  # a database that cannot return ids from a bulk insert
        made = list(
            Notification.objects.filter(
                recipient_id__in=person_ids, dedupe_key__in=[n.dedupe_key for n in made]
            ).select_related("recipient")
        )
    _queue_notification_emails(made)
    return made


def _queue_notification_emails(notifications: list[Notification]) -> None:
    """The emails of just-made notifications, as one outbox batch (see notify())."""
    due = [
        n
        for n in notifications
        if n.delivery == Delivery.IMMEDIATELY and n.recipient.email and n.recipient.is_active
    ]
    if not due:
        return
    preferences_link = absolute(reverse("notifications:preferences"))
    with transaction.atomic():
        Notification.objects.filter(pk__in=[n.pk for n in due], emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        outbox.queue_emails(
            outbox.Email(
                to=[n.recipient.email],
                subject=n.subject,
                body=render_to_string(
                    "notifications/email/notification.txt",
                    {
                        "body": n.body,
                        "link": absolute(n.url) if n.url else "",
                        "preferences_link": preferences_link,
                    },
                ),
                person=n.recipient,
            )
            for n in due
        )


def delivery_for(person: Person, kind: str) -> str:
    chosen = (
        NotificationPreference.objects.filter(person=person, kind=kind)
        .values_list("delivery", flat=True)
        .first()
    )
    return chosen or default_delivery(kind)


def deliver_notification_email(notification_id: int) -> bool:
    """Queue one notification's email at most once. Returns whether this call queued it.

    notify() does this itself; the task that used to call it remains for queued work."""
    return _queue_notification_email(notification_id)


def _queue_notification_email(notification_id: int) -> bool:
    # The conditional UPDATE claims the email: a second call finds emailed_at set and stops.
    # emailed_at now means "handed to the outbox", in the same transaction as the outbox row.
    with transaction.atomic():
        claimed = Notification.objects.filter(
            pk=notification_id, emailed_at__isnull=True, delivery=Delivery.IMMEDIATELY
        ).update(emailed_at=timezone.now())
        if not claimed:
            return False
        notification = Notification.objects.select_related("recipient").get(pk=notification_id)
        body = render_to_string(
            "notifications/email/notification.txt",
            {
                "body": notification.body,
                "link": absolute(notification.url) if notification.url else "",
                "preferences_link": absolute(reverse("notifications:preferences")),
            },
        )
        outbox.queue_email(
            to=[notification.recipient.email],
            subject=notification.subject,
            body=body,
            person=notification.recipient,
        )
    return True


def absolute(url: str) -> str:
    """A stored link made absolute for an email. Links stored before they were kept relative
    are re-based on today's SITE_URL; a foreign one is dropped rather than emailed."""
    try:
        return absolute_url(relative_path(url))
    except (ForeignLinkError, ValueError):
        return ""


# ---------------------------------------------------------------------------------------------
# Preferences


def set_preferences(person: Person, *, choices: dict[str, str], by: Actor) -> None:
    """Save one delivery choice per known kind. Choices equal to the default are stored too, so a
    later change of default does not silently change what someone picked."""
    for kind, delivery in choices.items():
        if kind not in KINDS_BY_KEY:
            raise DomainError(_("That kind of notification does not exist."), field=kind)
        if delivery not in KINDS_BY_KEY[kind].deliveries:
            raise DomainError(_("Choose how you want to hear about this."), field=kind)
    with transaction.atomic():
        for kind, delivery in choices.items():
            NotificationPreference.objects.update_or_create(
                person=person, kind=kind, defaults={"delivery": delivery}
            )
        record("notifications.preferences_changed", person, by=by, data=dict(choices))


# ---------------------------------------------------------------------------------------------
# Read marks. Not audited: reading is the person's own business and would flood the log.


def mark_read(notification: Notification, *, now: dt.datetime | None = None) -> None:
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


def mark_all_read(person: Person, *, now: dt.datetime | None = None) -> int:
    return Notification.objects.filter(recipient=person, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


# ---------------------------------------------------------------------------------------------
# Weekly digest


def iso_week(moment: dt.datetime) -> str:
    year, week, _day = timezone.localtime(moment).isocalendar()
    return f"{year}-W{week:02d}"


def send_weekly_digests(*, now: dt.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Gather each person's waiting digest notifications into one email, once per ISO week.

    Run it as often as you like (run_scheduled does, hourly or daily): the Digest row per person
    and week makes a second run in the same week a no-op. Notifications that arrive after this
    week's digest wait for next week's.
    """
    now = now or timezone.now()
    week = iso_week(now)
    waiting = Notification.objects.filter(
        delivery=Delivery.DIGEST, digest__isnull=True, created_at__lte=now
    )
    people = (
        Person.objects.filter(pk__in=waiting.values("recipient"), is_active=True)
        .exclude(email="")
        .exclude(digests__week=week)
        .annotate(waiting=Count("notifications", filter=Q(notifications__in=waiting)))
    )
    result = {"digests": 0, "notifications": 0}
    for person in people:
        if dry_run:
            result["digests"] += 1
            result["notifications"] += person.waiting
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    digest = Digest.objects.create(person=person, week=week)
            except IntegrityError:
                continue  # another run got there first
            count = waiting.filter(recipient=person).update(digest=digest)
            _queue_digest_email(digest.pk)
        result["digests"] += 1
        result["notifications"] += count
    return result


def deliver_digest_email(digest_id: int) -> bool:
    """Queue one digest's email at most once (same claim as single notifications); the
    digest run does this itself, the task that used to call it remains for queued work."""
    return _queue_digest_email(digest_id)


def _queue_digest_email(digest_id: int) -> bool:
    with transaction.atomic():
        if not Digest.objects.filter(pk=digest_id, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        ):
            return False
        digest = Digest.objects.select_related("person").get(pk=digest_id)
        items = list(digest.notifications.order_by("created_at", "id"))
        if not items:
            return False
        body = render_to_string(
            "notifications/email/digest.txt",
            {
                "person": digest.person,
                "items": [
                    {"subject": n.subject, "link": absolute(n.url) if n.url else ""} for n in items
                ],
                "list_link": absolute(reverse("notifications:list")),
                "preferences_link": absolute(reverse("notifications:preferences")),
            },
        )
        outbox.queue_email(
            to=[digest.person.email],
            subject=_("Your week in Upward"),
            body=body,
            person=digest.person,
        )
    return True

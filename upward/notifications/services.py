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
from upward.notifications import chat, outbox
from upward.notifications.kinds import KINDS_BY_KEY, default_delivery
from upward.notifications.models import Delivery, Digest, Notification, NotificationPreference
from upward.notifications.rendering import Action
from upward.organisations.models import Organisation, Person

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
    # Slack or Teams, if the organisation set them up and the person opted in (never raises).
    chat.queue_for([notification])
    return notification


@dataclass(frozen=True)
class BulkNotice:
    """One recipient's notification for `notify_many` (same rules as notify's arguments)."""

    person: Person
    subject: str
    template: str
    context: dict[str, Any]
    dedupe_key: str
    url: str = ""


def notify_many(notices: Iterable[BulkNotice], *, kind: str) -> list[Notification]:
    """notify() for many people at once, in a fixed number of queries however many there are.

    For bulk decisions (a thousand applications at a time): same dedupe, preferences and
    email rules as notify(), with one lookup of keys and preferences, one insert and one email
    batch. Notices whose key exists already are skipped; under a race with another writer the
    insert falls back to notify() one by one, so nobody is notified twice.
    """
    notices = [n for n in notices if n.dedupe_key]
    if not notices:
        return []
    people = {n.person.pk for n in notices}
    keys = {n.dedupe_key[:200] for n in notices}
    existing = set(
        Notification.objects.filter(recipient_id__in=people, dedupe_key__in=keys).values_list(
            "recipient_id", "dedupe_key"
        )
    )
    chosen = dict(
        NotificationPreference.objects.filter(person_id__in=people, kind=kind).values_list(
            "person_id", "delivery"
        )
    )
    rows: list[Notification] = []
    wanted: list[BulkNotice] = []
    seen: set[tuple[int, str]] = set()
    for n in notices:
        key = (n.person.pk, n.dedupe_key[:200])
        if key in existing or key in seen:
            continue
        seen.add(key)
        wanted.append(n)
        rows.append(
            Notification(
                recipient=n.person,
                kind=kind,
                subject=one_line(str(n.subject))[:200],
                body=render_to_string(n.template, n.context).strip(),
                url=relative_path(n.url)[:500],
                dedupe_key=key[1],
                delivery=chosen.get(n.person.pk) or default_delivery(kind),
            )
        )
    if not rows:
        return []
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(rows)
    except IntegrityError:
        # Someone else notified one of them meanwhile: take the careful path for this batch.
        return [
            made
            for n in wanted
            if (
                made := notify(
                    n.person,
                    kind=kind,
                    subject=n.subject,
                    template=n.template,
                    context=n.context,
                    url=n.url,
                    dedupe_key=n.dedupe_key,
                )
            )
            is not None
        ]
    if not all(row.pk for row in created):  # a database that cannot return ids from bulk inserts
        created = list(
            Notification.objects.filter(
                recipient_id__in=people, dedupe_key__in=[r.dedupe_key for r in rows]
            ).select_related("recipient")
        )
    _queue_notification_emails(created)
    chat.queue_for(created)
    return created


def _queue_notification_emails(notifications: Iterable[Notification]) -> None:
    """The emails of just-made notifications as one outbox batch, as notify() makes them one at
    a time: claimed (emailed_at) in the same transaction, with the same call to action,
    organisation name and footer."""
    due = [
        n
        for n in notifications
        if n.delivery == Delivery.IMMEDIATELY and n.recipient.email and n.recipient.is_active
    ]
    if not due:
        return
    names = dict(
        Organisation.objects.filter(pk__in={n.recipient.organisation_id for n in due}).values_list(
            "pk", "name"
        )
    )
    preferences_link = absolute(reverse("notifications:preferences"))
    with transaction.atomic():
        Notification.objects.filter(pk__in=[n.pk for n in due], emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        emails = []
        for n in due:
            link = absolute(n.url) if n.url else ""
            organisation = names.get(n.recipient.organisation_id, "")
            emails.append(
                outbox.Email(
                    to=[n.recipient.email],
                    subject=n.subject,
                    body=render_to_string(
                        "notifications/email/notification.txt",
                        {"body": n.body, "link": link, "preferences_link": preferences_link},
                    ),
                    person=n.recipient,
                    action=Action(_("Open it in Upward"), link) if link else None,
                    organisation=organisation,
                    reason=_reason(n.kind, organisation),
                )
            )
        outbox.queue_emails(emails)


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
        notification = Notification.objects.select_related("recipient__organisation").get(
            pk=notification_id
        )
        link = absolute(notification.url) if notification.url else ""
        body = render_to_string(
            "notifications/email/notification.txt",
            {
                "body": notification.body,
                "link": link,
                "preferences_link": absolute(reverse("notifications:preferences")),
            },
        )
        outbox.queue_email(
            to=[notification.recipient.email],
            subject=notification.subject,
            body=body,
            person=notification.recipient,
            action=Action(_("Open it in Upward"), link) if link else None,
            organisation=notification.recipient.organisation.name,
            reason=_reason(notification.kind, notification.recipient.organisation.name),
        )
    return True


def _reason(kind: str, organisation: str) -> str:
    known = KINDS_BY_KEY.get(kind)
    if known is None:
        return _(
            "You are getting this email because you take part in reverse mentoring at "
            "%(organisation)s."
        ) % {"organisation": organisation}
    return _(
        "You are getting this email because you take part in reverse mentoring at "
        "%(organisation)s and asked to hear about “%(kind)s” straight away."
    ) % {"organisation": organisation, "kind": known.label}


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
        digest = Digest.objects.select_related("person__organisation").get(pk=digest_id)
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
        organisation = digest.person.organisation.name
        outbox.queue_email(
            to=[digest.person.email],
            subject=_("Your week in Upward"),
            body=body,
            person=digest.person,
            action=Action(_("See them all in Upward"), absolute(reverse("notifications:list"))),
            organisation=organisation,
            reason=_(
                "You are getting this summary because you take part in reverse mentoring at "
                "%(organisation)s and asked for some notices to be gathered once a week."
            )
            % {"organisation": organisation},
        )
    return True

"""The secret calendar feed URL each person can subscribe to."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from upward.core.audit import record
from upward.core.types import Actor
from upward.journey.models import (
    CalendarFeed,
    new_feed_token,
)
from upward.organisations.models import Person


def regenerate_feed(person: Person, *, by: Actor) -> CalendarFeed:
    """A new secret URL; the old one stops working at once."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.get_or_create(person=person)
        if not created:
            feed.token = new_feed_token()
            feed.created_at = timezone.now()
            feed.last_used_at = None
            feed.save(update_fields=["token", "created_at", "last_used_at"])
        record("journey.feed_regenerated", feed, by=by, organisation=person.organisation)
    return feed


def revoke_feed(person: Person, *, by: Actor) -> None:
    with transaction.atomic():
        feed = CalendarFeed.objects.filter(person=person).first()
        if feed is None:
            return
        record("journey.feed_revoked", feed, by=by, organisation=person.organisation)
        feed.delete()


def touch_feed(feed: CalendarFeed) -> None:
    # Only once an hour, so a calendar polling every few minutes does not write every time.
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > dt.timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)

"""Reads for notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from upward.notifications.kinds import KINDS, Kind
from upward.notifications.models import Notification, NotificationPreference
from upward.organisations.models import Person


def notifications_for(person: Person) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=person).order_by("-created_at", "-id")


def unread_count(person: Person) -> int:
    return Notification.objects.filter(recipient=person, read_at__isnull=True).count()


def preferences_for(person: Person) -> list[tuple[Kind, str]]:
    """Every known kind with the person's choice, or its default when they have not chosen."""
    chosen = dict(
        NotificationPreference.objects.filter(person=person).values_list("kind", "delivery")
    )
    runs_programmes = person.is_org_admin or person.managed_programmes.exists()
    return [
        (kind, chosen.get(kind.key, kind.default))
        for kind in KINDS
        if runs_programmes or not kind.team_only
    ]

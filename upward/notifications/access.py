"""Who may see which notification: only its recipient. 404 for "missing" and "not yours"."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from upward.notifications.models import Notification
from upward.organisations.access import require_person


def access_own_notification(user: Any, notification_id: int) -> Notification:
    person = require_person(user)
    try:
        return Notification.objects.get(pk=notification_id, recipient=person)
    except Notification.DoesNotExist as exc:
        raise Http404("No such notification.") from exc

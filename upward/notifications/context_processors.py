"""The unread count for the top bar. One cheap indexed COUNT, only for signed-in people."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from upward.notifications.selectors import unread_count as count_unread
from upward.organisations.access import person_for


def unread_count(request: HttpRequest) -> dict[str, Any]:
    person = person_for(getattr(request, "user", None))
    if person is None:
        return {"unread_notifications": 0}
    return {"unread_notifications": count_unread(person)}

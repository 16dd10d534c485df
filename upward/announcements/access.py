"""Who may read an announcement: the people it was sent to and the programme's managers.
Everyone else gets 404, the same as for an announcement that does not exist."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from upward.announcements.models import Announcement
from upward.organisations.access import person_for
from upward.programmes.access import managed_programmes


def access_announcement_for_reader(user: Any, announcement_id: int) -> Announcement:
    person = person_for(user)
    if person is None:
        raise Http404("No such announcement.")
    announcement = (
        Announcement.objects.filter(pk=announcement_id).select_related("programme").first()
    )
    if announcement is None:
        raise Http404("No such announcement.")
    if announcement.recipients.filter(pk=person.pk).exists():
        return announcement
    if managed_programmes(user).filter(pk=announcement.programme_id).exists():
        return announcement
    raise Http404("No such announcement.")

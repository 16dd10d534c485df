"""Reads: who an announcement would reach, and the announcements of a programme."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from upward.announcements.models import Announcement, AnnouncementAudience
from upward.organisations.models import Person
from upward.pairing.models import PairingState
from upward.programmes.models import Programme
from upward.recruitment.models import Application, Role
from upward.safety.flags import BEHIND, NO_MEETING, flags_for
from upward.safety.selectors import flag_settings, programme_facts

# The two flags that say a pair is behind its rhythm; "no meeting" is the stronger form of it
# (safety.flags shows only one of the two for a pair).
_BEHIND_FLAGS = (BEHIND, NO_MEETING)


def behind_pairing_ids(programme: Programme, *, now: dt.datetime | None = None) -> set[int]:
    """Live pairings behind their agreed meeting rhythm, by the safety flags' own rule.

    A flag the team snoozed still counts here: the snooze quiets the attention queue, it does
    not make the pair any less behind."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    settings = flag_settings(programme)
    found = set()
    for facts in programme_facts(programme, now=now):
        if facts.state != PairingState.ACTIVE:
            continue
        flags = flags_for(dataclasses.replace(facts, snoozed={}), today, settings)
        if any(f.kind in _BEHIND_FLAGS for f in flags):
            found.add(facts.pairing_id)
    return found


def audience_people(
    programme: Programme, audience: str, *, now: dt.datetime | None = None
) -> list[Person]:
    """The people an announcement to `audience` reaches: accepted participants still with the
    organisation (by role), or both people of each pair behind its meeting rhythm."""
    people = Person.objects.filter(is_active=True)
    if audience == AnnouncementAudience.BEHIND:
        pairings = programme.pairings.filter(  # type: ignore[attr-defined]
            pk__in=behind_pairing_ids(programme, now=now)
        )
        ids: set[int] = set()
        for mentor_id, mentee_id in pairings.values_list("mentor_id", "mentee_id"):
            ids.update((mentor_id, mentee_id))
        people = people.filter(pk__in=ids)
    else:
        roles_by_audience: dict[str, list[str]] = {
            AnnouncementAudience.EVERYONE: [Role.MENTOR, Role.MENTEE],
            AnnouncementAudience.MENTORS: [Role.MENTOR],
            AnnouncementAudience.MENTEES: [Role.MENTEE],
        }
        roles = roles_by_audience.get(audience, [])
        people = people.filter(
            applications__programme=programme,
            applications__status=Application.Status.ACCEPTED,
            applications__role__in=roles,
        )
    return list(people.distinct().order_by("pk"))


def programme_announcements(programme: Programme) -> QuerySet[Announcement]:
    return Announcement.objects.filter(programme=programme).select_related("sent_by__person")

"""Telling a programme's team what needs them: people waiting for a partner, leavers, risk.

The team is the programme's managers; a programme without managers falls to its
organisation's admins. Nobody who takes part in the programme is told (separation of roles:
a manager who is also a participant never reads about their own cohort). Texts must be neutral:
a line and a link, never a reason given in confidence, a note or a safety answer.
"""

from __future__ import annotations

from typing import Any

from upward.notifications.services import notify
from upward.organisations.models import Person
from upward.programmes.access import participants_among
from upward.programmes.models import Programme

TEAM_KIND = "programme_team"


def team_members(programme: Programme) -> list[Person]:
    people = list(programme.managers.filter(is_active=True).order_by("pk"))
    if not people:
        people = list(
            Person.objects.filter(
                organisation_id=programme.organisation_id, is_org_admin=True, is_active=True
            ).order_by("pk")
        )
    taking_part = participants_among(programme, [p.pk for p in people])
    return [p for p in people if p.pk not in taking_part]


def notify_team(
    programme: Programme,
    *,
    subject: str,
    template: str,
    context: dict[str, Any],
    url: str,
    dedupe_key: str,
) -> list[Person]:
    """Notify every team member (kind `programme_team`, per their preferences). `url` is a path
    on this site; `dedupe_key` gets the recipient's id appended, so retries are harmless.
    Returns the people notified (a repeat of the same key returns nobody)."""
    told = []
    for person in team_members(programme):
        made = notify(
            person,
            kind=TEAM_KIND,
            subject=subject,
            template=template,
            context={**context, "programme": programme.name, "name": person.full_name},
            url=url,
            dedupe_key=f"{dedupe_key}:{person.pk}",
        )
        if made is not None:
            told.append(person)
    return told

"""Sending safety notifications through the notifications app's `notify()` (in-app entry,
preferences, one send per dedupe key, email after commit). Texts are neutral: never a pulse
answer, a concern or a reason; a line and a link."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from upward.notifications.services import notify
from upward.organisations.models import Person
from upward.programmes.models import Programme


def link(name: str, *args: Any) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def leads(programme: Programme) -> list[Person]:
    """The programme's managers; the organisation's admins when it has none."""
    people = list(programme.managers.filter(is_active=True).order_by("pk"))
    if not people:
        people = list(
            Person.objects.filter(
                organisation_id=programme.organisation_id, is_org_admin=True, is_active=True
            ).order_by("pk")
        )
    return people


def send(
    person: Person,
    *,
    kind: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    url: str,
    dedupe_key: str,
) -> None:
    notify(
        person,
        kind=kind,
        subject=subject,
        template=template,
        context={**context, "name": person.full_name, "link": url},
        url=url,
        dedupe_key=dedupe_key,
    )

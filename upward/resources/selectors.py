from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from upward.organisations.models import Person
from upward.pairing.models import Pairing
from upward.resources.access import activities_for
from upward.resources.models import ActivityIdea, Resource, SavedItem


def library(
    person: Person, *, kind: str = "", topic: Any = None, step: Any = None, q: str = ""
) -> QuerySet[Resource]:
    qs = Resource.objects.filter(organisation_id=person.organisation_id).prefetch_related("topics")
    if kind:
        qs = qs.filter(kind=kind)
    if topic:
        qs = qs.filter(topics=topic)
    if step:
        qs = qs.filter(journey_step=step)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.order_by("journey_step", "title", "id").distinct()


def saved_items(pairing: Pairing) -> list[SavedItem]:
    return list(
        SavedItem.objects.filter(pairing=pairing)
        .select_related("resource", "activity", "saved_by")
        .prefetch_related("resource__topics")
        .order_by("done_at", "-saved_at", "-id")
    )


def activity_ideas(person: Person) -> list[ActivityIdea]:
    return list(activities_for(person).order_by("journey_step", "position", "id"))

"""The library is the organisation's: everyone in it may read; org admins and programme managers
add to it. A resource is changed or removed only by its author (while they still curate) and
by org admins: another manager may use it but not rewrite it. Saved items belong to the pair.
Every lookup answers 404 for "missing" and "not yours"."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404

from upward.organisations.access import person_for, require_person
from upward.organisations.models import Person
from upward.pairing.workspace import Seat, access_pair_workspace
from upward.programmes.access import can_manage_programmes
from upward.resources.models import ActivityIdea, Resource, SavedItem


def can_curate(user: Any) -> bool:
    return can_manage_programmes(user)


def require_curator(user: Any) -> Person:
    person = person_for(user)
    if person is None or not can_curate(user):
        raise Http404("Not a curator.")
    return person


def access_resource(user: Any, resource_id: int) -> Resource:
    person = require_person(user)
    try:
        return Resource.objects.prefetch_related("topics").get(
            pk=resource_id, organisation_id=person.organisation_id
        )
    except Resource.DoesNotExist as exc:
        raise Http404("No such resource.") from exc


def can_edit_resource(person: Person, resource: Resource) -> bool:
    """Org admins, and the curator who added it. A resource whose author's account is gone is
    left to the org admins."""
    if person.organisation_id != resource.organisation_id:
        return False
    if person.is_org_admin:
        return True
    return resource.created_by_id is not None and resource.created_by_id == person.user_id


def access_resource_for_editor(user: Any, resource_id: int) -> Resource:
    person = require_curator(user)
    resource = access_resource(user, resource_id)
    if not can_edit_resource(person, resource):
        raise Http404("No such resource.")
    return resource


def activities_for(person: Person) -> Any:
    return ActivityIdea.objects.filter(
        Q(organisation__isnull=True) | Q(organisation_id=person.organisation_id)
    )


def access_saved_item(user: Any, pairing_id: int, item_id: int) -> tuple[Seat, SavedItem]:
    seat = access_pair_workspace(user, pairing_id)
    try:
        item = SavedItem.objects.select_related("resource", "activity").get(
            pk=item_id, pairing=seat.pairing
        )
    except SavedItem.DoesNotExist as exc:
        raise Http404("No such item.") from exc
    item.pairing = seat.pairing
    return seat, item

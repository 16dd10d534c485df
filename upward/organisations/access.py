"""Who may see what in an organisation. Every lookup answers 404 for "missing" and "not yours"."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from upward.organisations.models import Department, Level, PeopleImport, Person, Team, Topic


def person_for(user: Any) -> Person | None:
    """The signed-in user's active directory entry, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        person = user.person
    except Person.DoesNotExist:
        return None
    if person is None or not person.is_active:
        return None
    return person


def require_person(user: Any) -> Person:
    person = person_for(user)
    if person is None:
        raise Http404("No directory entry for this account.")
    return person


def require_org_admin(user: Any) -> Person:
    person = person_for(user)
    if person is None or not person.is_org_admin:
        raise Http404("Not an organisation admin.")
    return person


def access_person(user: Any, person_id: int) -> Person:
    """A directory entry the admin may edit (same organisation)."""
    admin = require_org_admin(user)
    try:
        return Person.objects.select_related("level", "department", "team", "manager").get(
            pk=person_id, organisation_id=admin.organisation_id
        )
    except Person.DoesNotExist as exc:
        raise Http404("No such person.") from exc


def _in_admins_organisation(user: Any, queryset: Any, pk: int) -> Any:
    admin = require_org_admin(user)
    try:
        return queryset.get(pk=pk, organisation_id=admin.organisation_id)
    except queryset.model.DoesNotExist as exc:
        raise Http404("Not found.") from exc


def access_level(user: Any, level_id: int) -> Level:
    return _in_admins_organisation(user, Level.objects.all(), level_id)


def access_department(user: Any, department_id: int) -> Department:
    return _in_admins_organisation(user, Department.objects.all(), department_id)


def access_team(user: Any, team_id: int) -> Team:
    return _in_admins_organisation(user, Team.objects.select_related("department"), team_id)


def access_topic(user: Any, topic_id: int) -> Topic:
    return _in_admins_organisation(user, Topic.objects.select_related("organisation"), topic_id)


def access_people_import(user: Any, import_id: int) -> PeopleImport:
    return _in_admins_organisation(
        user, PeopleImport.objects.select_related("uploaded_by", "organisation"), import_id
    )

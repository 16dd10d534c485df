"""Programme access: managers of a programme and admins of its organisation; nobody else."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from upward.organisations.access import person_for
from upward.organisations.models import Person
from upward.programmes.models import Programme, Question


def managed_programmes(user: Any) -> QuerySet[Programme]:
    """Programmes the user may manage: all of their organisation's if admin, else their own."""
    person = person_for(user)
    if person is None:
        return Programme.objects.none()
    qs = Programme.objects.filter(organisation_id=person.organisation_id)
    if not person.is_org_admin:
        qs = qs.filter(managers=person)
    return qs.distinct()


def can_manage_programmes(user: Any) -> bool:
    person = person_for(user)
    if person is None:
        return False
    return person.is_org_admin or person.managed_programmes.exists()


def access_programme_for_manager(user: Any, programme_id: int) -> Programme:
    try:
        return (
            managed_programmes(user)
            .select_related(
                "organisation",
                "previous_cohort",
                "mentor_level_min",
                "mentor_level_max",
                "mentee_level_min",
                "mentee_level_max",
            )
            .get(pk=programme_id)
        )
    except Programme.DoesNotExist as exc:
        raise Http404("No such programme.") from exc


def access_programme_by_token(token: str) -> Programme:
    """The public sign-up page. Draft and archived programmes are not public."""
    try:
        return Programme.objects.select_related(
            "organisation",
            "mentor_level_min",
            "mentor_level_max",
            "mentee_level_min",
            "mentee_level_max",
        ).get(Q(signup_token=token), ~Q(state__in=["draft", "archived"]))
    except Programme.DoesNotExist as exc:
        raise Http404("No such programme.") from exc


def require_programme_creator(user: Any) -> Person:
    """Org admins and people who already run a programme may start a new one."""
    person = person_for(user)
    if person is None or not (person.is_org_admin or person.managed_programmes.exists()):
        raise Http404("Not allowed to create programmes.")
    return person


def access_programme_for_org_admin(user: Any, programme_id: int) -> Programme:
    """Choosing a programme's managers is for org admins only; managers get 404 like anyone."""
    person = person_for(user)
    if person is None or not person.is_org_admin:
        raise Http404("No such programme.")
    return access_programme_for_manager(user, programme_id)


def access_question_for_manager(user: Any, programme_id: int, question_id: int) -> Question:
    programme = access_programme_for_manager(user, programme_id)
    try:
        question = Question.objects.get(pk=question_id, programme=programme)
    except Question.DoesNotExist as exc:
        raise Http404("No such question.") from exc
    question.programme = programme
    return question

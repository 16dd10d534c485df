"""Programme access: managers of a programme and admins of its organisation; nobody else.

Separation of roles: nobody runs a programme they take part in. A person takes part when they
have an application to it, in any state, or any pairing in the programme;
such a programme is never in their managed set, whatever other role they hold, so every page
built on `access_programme_for_manager` (applications, matching, pairings, safety data,
surveys, goals) answers 404 to them for that programme.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from upward.organisations.access import person_for
from upward.organisations.models import Person
from upward.programmes.models import Programme, Question

# Application statuses that make someone a participant: all of them. A declined or withdrawn
# application still carries the team's decision and internal note about its author, which a
# manager would read. Written as plain values: recruitment and pairing sit above programmes, so
# their models are reached only through relation names here.
TAKING_PART = ("submitted", "accepted", "waitlisted", "declined", "withdrawn")


def programmes_taken_part_in(person: Person) -> QuerySet[Programme]:
    """Programmes where the person has an application (any state) or any pairing (even a declined
    proposal: its reasons and safety data are about them)."""
    # One filter() call, so both conditions apply to the same application row.
    applied = Programme.objects.filter(
        applications__person=person, applications__status__in=TAKING_PART
    )
    paired = Programme.objects.filter(Q(pairings__mentor=person) | Q(pairings__mentee=person))
    return Programme.objects.filter(
        Q(pk__in=applied.values("pk")) | Q(pk__in=paired.values("pk")),
        organisation_id=person.organisation_id,
    )


def takes_part_in(person: Person, programme: Programme) -> bool:
    return programmes_taken_part_in(person).filter(pk=programme.pk).exists()


def participants_among(programme: Programme, person_ids: Iterable[int]) -> set[int]:
    """Which of these people take part in the programme (same rule as above), in two queries."""
    ids = list(person_ids)
    if not ids:
        return set()
    applied = programme.applications.filter(  # type: ignore[attr-defined]
        person_id__in=ids, status__in=TAKING_PART
    ).values_list("person_id", flat=True)
    found = set(applied)
    for mentor_id, mentee_id in programme.pairings.filter(  # type: ignore[attr-defined]
        Q(mentor_id__in=ids) | Q(mentee_id__in=ids)
    ).values_list("mentor_id", "mentee_id"):
        found.update({mentor_id, mentee_id})
    return found & set(ids)


def managed_programmes(user: Any) -> QuerySet[Programme]:
    """Programmes the user may manage: all of their organisation's if admin, else their own;
    in both cases minus the programmes they take part in."""
    person = person_for(user)
    if person is None:
        return Programme.objects.none()
    qs = Programme.objects.filter(organisation_id=person.organisation_id)
    if not person.is_org_admin:
        qs = qs.filter(managers=person)
    return qs.exclude(pk__in=programmes_taken_part_in(person).values("pk")).distinct()


def set_aside_programmes(user: Any) -> QuerySet[Programme]:
    """Programmes the user would manage (org admin, or named manager) but takes part in, so
    the programme list can say why they are missing."""
    person = person_for(user)
    if person is None:
        return Programme.objects.none()
    qs = Programme.objects.filter(pk__in=programmes_taken_part_in(person).values("pk"))
    if not person.is_org_admin:
        qs = qs.filter(managers=person)
    return qs.distinct().order_by("name", "pk")


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

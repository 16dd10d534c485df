"""Where the consent questions apply to a person: a programme they applied to (and did not
withdraw from) has switched the purpose on. Registered with upward.consent in apps.py."""

from __future__ import annotations

from django.db.models import QuerySet

from upward.organisations.models import Person
from upward.programmes.models import State
from upward.recruitment.models import Application, Role

_LIVE = (State.RECRUITING, State.MATCHING, State.ACTIVE, State.COMPLETED)


def _applications(person: Person) -> QuerySet[Application]:
    return Application.objects.filter(person=person, programme__state__in=_LIVE).exclude(
        status__in=[Application.Status.WITHDRAWN, Application.Status.DECLINED]
    )


def uses_matching(person: Person) -> bool:
    # Only mentors' lived experience is used in matching (matching/scoring.py).
    return (
        _applications(person)
        .filter(role=Role.MENTOR, programme__special_category_matching=True)
        .exists()
    )


def uses_reporting(person: Person) -> bool:
    return (
        _applications(person)
        .filter(programme__special_category_reporting=True)
        .exists()
    )

"""Which programmes, pairings and meetings an API caller may read: the pages' rules.

- A service token acts as its organisation's admin: every programme of its organisation.
- A person (personal token or session) sees the programmes they run (`managed_programmes`:
  named managers, and org admins for every programme of their organisation, minus those they
  take part in) and, with less, the programmes they take part in (their own pairings only).
- Anything else answers 404, the same answer as for an object that does not exist.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from rest_framework.request import Request

from upward.api.access import api_organisation, api_person, is_service_call
from upward.journey.models import Meeting
from upward.pairing.models import Pairing
from upward.programmes.access import managed_programmes, programmes_taken_part_in
from upward.programmes.models import Programme


def team_programmes(request: Request) -> QuerySet[Programme]:
    """Programmes the caller runs (service token: all of its organisation's)."""
    organisation = api_organisation(request)
    if is_service_call(request):
        return Programme.objects.filter(organisation=organisation)
    return managed_programmes(request.user)


def visible_programmes(request: Request) -> QuerySet[Programme]:
    """Programmes the caller runs or takes part in."""
    organisation = api_organisation(request)
    if is_service_call(request):
        return Programme.objects.filter(organisation=organisation)
    person = api_person(request)
    assert person is not None
    return Programme.objects.filter(
        Q(pk__in=managed_programmes(request.user).values("pk"))
        | Q(pk__in=programmes_taken_part_in(person).values("pk")),
        organisation=organisation,
    )


def visible_programme(request: Request, programme_id: int) -> Programme:
    try:
        return visible_programmes(request).get(pk=programme_id)
    except Programme.DoesNotExist as exc:
        raise Http404("No such programme.") from exc


def team_programme(request: Request, programme_id: int) -> Programme:
    try:
        return team_programmes(request).get(pk=programme_id)
    except Programme.DoesNotExist as exc:
        raise Http404("No such programme.") from exc


def own_pairings_q(request: Request, prefix: str = "") -> Q:
    """The caller's own pairings: as mentor always, as mentee once they have been told (a
    proposal the mentor declined stays invisible to the mentee, as on the pages)."""
    person = api_person(request)
    if person is None:
        return Q(pk__in=[])
    return Q(**{f"{prefix}mentor": person}) | Q(
        **{f"{prefix}mentee": person, f"{prefix}mentee_told_at__isnull": False}
    )


def visible_pairings(request: Request, programme: Programme) -> QuerySet[Pairing]:
    """A programme's pairings: all of them for its team, the caller's own for a participant."""
    qs = Pairing.objects.filter(programme=programme)
    if team_programmes(request).filter(pk=programme.pk).exists():
        return qs
    return qs.filter(own_pairings_q(request))


def visible_meetings(request: Request, *, own_only: bool = False) -> QuerySet[Meeting]:
    """Meetings of the caller's own pairings, and of the programmes they run."""
    own = own_pairings_q(request, prefix="pairing__")
    if own_only:
        condition = own
    else:
        condition = own | Q(pairing__programme__in=team_programmes(request).values("pk"))
    return Meeting.objects.filter(
        condition, pairing__programme__organisation=api_organisation(request)
    )

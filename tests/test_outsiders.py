"""A guard over every route: somebody from another organisation gets 404 for anything that
names an object by its id, and a signed-out visitor never reaches it either.

The per-app tests check each view as each persona; this one makes sure no route was forgotten.
It walks the URL configuration, fills every id in the path with the ids of real objects of
the other organisation, and asks as the outsider.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from upward.journey.models import Meeting
from upward.journey.tests.factories import active_pairing, builtin_version
from upward.programmes.models import Programme

INT_PARAM = re.compile(r"<id:(\w+)>")
OTHER_PARAM = re.compile(r"<(?:(?!id:)[^>])+>")
# Routes outside the admin that take no id, or only a public token, are checked elsewhere.
SKIP_PREFIXES = ("admin/",)


def routes(patterns=None, prefix=""):  # type: ignore[no-untyped-def]
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def id_routes() -> list[str]:
    found = []
    for route in routes():
        if route.startswith(SKIP_PREFIXES) or "^" in route:
            continue
        if INT_PARAM.search(route):
            found.append(route)
    return sorted(set(found))


def fill(route: str, value: int) -> str | None:
    path = INT_PARAM.sub(str(value), route)
    if OTHER_PARAM.search(path):
        # Fill the few word parameters (cohort names, directions, states) with real values.
        for word in ("mentor", "up", "open", "recruiting", "baseline", "me"):
            candidate = OTHER_PARAM.sub(word, path, count=1)
            if candidate != path:
                path = candidate
        if OTHER_PARAM.search(path):
            return None
    return "/" + path


@pytest.fixture
def targets(world):
    """Ids of real objects that belong to the world's organisation."""
    builtin_version()
    Programme.objects.filter(pk=world.programme.pk).update(state="active")
    pairing = active_pairing(world.programme, mentor=world.applicant, mentee=world.senior)
    starts = timezone.now() + dt.timedelta(days=3)
    meeting = Meeting.objects.create(
        pairing=pairing,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        duration_minutes=60,
        organiser=world.senior,
    )
    ids = {
        world.programme.pk,
        world.other_programme.pk,
        pairing.pk,
        meeting.pk,
        world.applicant.pk,
        world.senior.pk,
        world.admin.pk,
    }
    return sorted(ids)


def shared_by_design(route: str, value: int) -> bool:
    """Objects every organisation may read (and copy): the built-in journey templates."""
    from upward.journey.models import JourneyTemplate

    return (
        route in ("journeys/<id:pk>/", "journeys/<id:pk>/copy/")
        and JourneyTemplate.objects.filter(pk=value, organisation__isnull=True).exists()
    )


@pytest.mark.django_db
def test_outsiders_get_404_on_every_route_that_names_an_object(world, targets):
    outsider = world.client_for(world.outsider_admin)
    leaks = []
    for route in id_routes():
        for value in targets:
            path = fill(route, value)
            if path is None or shared_by_design(route, value):
                continue
            status = outsider.get(path).status_code
            if status not in (404, 405):
                leaks.append(f"GET {path} -> {status}")
            # An empty form must not act on another organisation's object either.
            status = outsider.post(path, {}).status_code
            if status not in (404, 405):
                leaks.append(f"POST {path} -> {status}")
    assert leaks == []


@pytest.mark.django_db
def test_signed_out_visitors_reach_no_route_that_names_an_object(world, targets):
    anonymous = Client()
    reached = []
    for route in id_routes():
        path = fill(route, targets[0])
        if path is None:
            continue
        response = anonymous.get(path)
        if response.status_code == 200:
            reached.append(path)
    assert reached == []

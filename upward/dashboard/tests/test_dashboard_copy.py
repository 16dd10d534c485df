"""The dashboard's words agree with what it shows: recruitment counts say what they count, and
"nothing is open" never sits beside a programme that is recruiting."""

from __future__ import annotations

from pytest_django.asserts import assertContains, assertNotContains

from upward.programmes.models import Programme
from upward.testing.pairs import accepted

NOTHING_OPEN = "No programme is open for sign-up right now."
NOTHING_ELSE = "No other programme is open for you to sign up to right now."


def _recruiting(programme: Programme, *, places: int = 4) -> None:
    Programme.objects.filter(pk=programme.pk).update(
        state="recruiting", signup_open=True, places=places
    )


def test_nothing_open_when_no_programme_recruits(world) -> None:  # type: ignore[no-untyped-def]
    response = world.client_for(world.applicant).get("/dashboard/")
    assertContains(response, NOTHING_OPEN, status_code=200)
    assertNotContains(response, NOTHING_ELSE, status_code=200)


def test_an_application_to_the_recruiting_programme_is_not_contradicted(world) -> None:  # type: ignore[no-untyped-def]
    _recruiting(world.programme)
    accepted(world.programme, world.applicant, "mentor")
    response = world.client_for(world.applicant).get("/dashboard/")
    assertContains(response, world.programme.name, status_code=200)
    assertContains(response, NOTHING_ELSE)
    assertNotContains(response, NOTHING_OPEN, status_code=200)


def test_a_manager_running_a_recruiting_programme_is_not_told_nothing_recruits(world) -> None:  # type: ignore[no-untyped-def]
    _recruiting(world.programme)
    Programme.objects.filter(pk=world.programme.pk).update(signup_open=False)
    response = world.client_for(world.manager).get("/dashboard/")
    assertContains(response, "Recruiting", status_code=200)
    assertNotContains(response, NOTHING_OPEN, status_code=200)


def test_recruitment_counts_say_accepted_of_places(world) -> None:  # type: ignore[no-untyped-def]
    _recruiting(world.programme, places=1)
    accepted(world.programme, world.applicant, "mentor")
    response = world.client_for(world.manager).get("/dashboard/")
    assertContains(response, "1 accepted of 1 place", status_code=200)
    assertContains(response, "0 accepted of 1 place")
    assertNotContains(response, "accepted / applied", status_code=200)
    assertNotContains(response, "1 places", status_code=200)

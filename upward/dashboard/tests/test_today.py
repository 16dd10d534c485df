"""The "Today" page for programme teams: what needs them across their programmes, within the
apps' own access rules, in a bounded number of queries."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from upward.dashboard.tests.conftest import waiting_mentor
from upward.journey.models import Meeting
from upward.pairing.models import ChoiceRound, MatchRun, Pairing
from upward.programmes.models import Programme
from upward.safety import services as safety_services
from upward.safety.models import SafeguardingContact
from upward.surveys.models import Submission, Survey
from upward.testing.factories import ProgrammeFactory, level, person_with_account
from upward.testing.pairs import accepted, active_pairing

URL = "/today/"
SECRET_CONCERN = "Secret worry about the pair"


def _busy(pairs, clock):  # type: ignore[no-untyped-def]
    """Six weeks on: one pair silent, a concern, a person waiting, an open survey, a proposal
    and a check-in due, a choice round closing and the programme ending within two weeks."""
    world = pairs.world
    Programme.objects.filter(pk=world.programme.pk).update(
        starts_on=dt.date(2027, 2, 1), ends_on=dt.date(2027, 3, 10)
    )
    # The first pair started seven weeks ago and has not met since.
    Meeting.objects.filter(pairing=pairs.pairing).delete()
    Pairing.objects.filter(pk=pairs.pairing.pk).update(
        mentee_responded_at=timezone.now() - dt.timedelta(days=49)
    )
    safety_services.raise_concern(
        pairs.other, person=pairs.other_mentee, text=SECRET_CONCERN, by=pairs.other_mentee.user
    )
    waiting_mentor(world.programme)
    survey = Survey.objects.create(
        programme=world.programme, title="Starting out", timing="start", state="open"
    )
    Submission.objects.create(survey=survey, person=pairs.mentor)
    Pairing.objects.create(
        programme=world.programme,
        mentor=waiting_mentor(world.programme, name="Pip Proposed"),
        mentee=person_with_account(organisation=world.org, level=level(world.org, 8)),
        state="proposed",
        respond_by=timezone.now() + dt.timedelta(days=3),
    )
    ChoiceRound.objects.create(
        programme=world.programme,
        who_chooses="mentees",
        shortlist_size=3,
        max_ranked=3,
        closes_at=timezone.now() + dt.timedelta(days=5),
    )
    safety_services.schedule_check_in(
        world.programme,
        pairing=pairs.other,
        due_on=timezone.localdate() + dt.timedelta(days=4),
        purpose="Private plan",
        lead=world.manager,
        by=world.manager.user,
    )
    return world


def test_the_manager_sees_what_needs_them(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    world = _busy(pairs, clock)
    response = world.client_for(world.manager).get(URL)
    assertContains(response, world.programme.name)
    body = " ".join(response.content.decode().split())
    assert "No recent meeting: 1" in body
    assert f'href="/programmes/{world.programme.pk}/attention/"' in body
    assertContains(response, "Wren Waiting")
    assertContains(response, "Starting out")
    assertContains(response, "17%")  # one of six accepted participants answered
    for deadline in (
        "The programme ends",
        "Survey closes: Starting out",
        "1 proposal waits for an answer",
        "The choice round closes",
        "A planned check-in is due",
    ):
        assertContains(response, deadline)
    # Counts and links only: never what a concern or check-in says.
    assertNotContains(response, SECRET_CONCERN)
    assertNotContains(response, "Private plan")
    assertNotContains(response, "Nothing needs you today")
    assertNotContains(response, world.other_programme.name)


def test_the_open_concern_is_counted(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    world = _busy(pairs, clock)
    response = world.client_for(world.manager).get(URL)
    body = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert '<span class="stat__value">1</span> <span class="stat__label">open concerns' in body


def test_the_link_is_in_the_navigation_for_the_team_only(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    world = pairs.world
    assertContains(world.client_for(world.manager).get("/dashboard/"), f'href="{URL}"')
    assertContains(world.client_for(world.admin).get("/dashboard/"), f'href="{URL}"')
    assertNotContains(world.client_for(pairs.mentor).get("/dashboard/"), f'href="{URL}"')


def test_participants_and_strangers_get_404(pairs, clock, client) -> None:  # type: ignore[no-untyped-def]
    for person in (pairs.mentor, pairs.mentee):
        assert pairs.world.client_for(person).get(URL).status_code == 404
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_organisation_sees_nothing(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    world = _busy(pairs, clock)
    response = world.client_for(world.outsider_admin).get(URL)
    assertContains(response, "Nothing needs you today")
    assertNotContains(response, world.programme.name)
    assertNotContains(response, "Wren Waiting")


def test_an_admin_without_a_safety_role_sees_no_safety_items(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    world = _busy(pairs, clock)
    response = world.client_for(world.admin).get(URL)
    assertContains(response, world.programme.name)
    assertContains(response, "Wren Waiting")
    assertContains(response, "shown to the programme")
    assertNotContains(response, "open concerns")
    assertNotContains(response, "A planned check-in is due")
    assertNotContains(response, f"/programmes/{world.programme.pk}/attention/")


def test_an_admin_taking_part_does_not_see_that_programme(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    world = _busy(pairs, clock)
    # A safeguarding contact reads every programme's safety items, except where they take part.
    SafeguardingContact.objects.create(organisation=world.org, person=world.admin)
    accepted(world.programme, world.admin, "mentee")
    Programme.objects.filter(pk=world.other_programme.pk).update(state="active")
    response = world.client_for(world.admin).get(URL)
    assertNotContains(response, world.programme.name)
    assertNotContains(response, "Wren Waiting")
    assertNotContains(response, "A planned check-in is due")


def test_nothing_needs_you(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    response = pairs.world.client_for(pairs.world.manager).get(URL)
    assertContains(response, "Nothing needs you today")
    assertNotContains(response, "People waiting for a partner")


def test_long_lists_are_capped(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    world = pairs.world
    for i in range(7):
        waiting_mentor(world.programme, name=f"Person{i} Waiting")
    response = world.client_for(world.manager).get(URL)
    assertContains(response, "and 2 more")
    assertContains(response, "Person4 Waiting")
    assertNotContains(response, "Person6 Waiting")


def _programme_with_pairs(world, n: int) -> Programme:  # type: ignore[no-untyped-def]
    programme = ProgrammeFactory(organisation=world.org, state="active")
    programme.managers.add(world.manager)
    MatchRun.objects.create(
        programme=programme, status="ready", published_at=timezone.now() - dt.timedelta(days=60)
    )
    org = world.org
    for _i in range(n):
        mentor = person_with_account(organisation=org, level=level(org, 2))
        mentee = person_with_account(organisation=org, level=level(org, 8))
        active_pairing(
            programme, mentor=mentor, mentee=mentee, since=timezone.now() - dt.timedelta(days=50)
        )
    waiting_mentor(programme, name=f"Wait{programme.pk} Person")
    return programme


def _queries(world, django_assert_max_num_queries) -> int:  # type: ignore[no-untyped-def]
    client = world.client_for(world.manager)
    # Four programmes: the queries per programme are fixed (its flags and its people waiting).
    with django_assert_max_num_queries(60) as captured:
        response = client.get(URL)
    assert response.status_code == 200
    assertContains(response, "pairs flagged")
    return len(captured.captured_queries)


def test_queries_do_not_grow_with_the_pairs(
    pairs,
    clock,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    world = pairs.world
    programmes = [_programme_with_pairs(world, 2) for _ in range(3)]
    few = _queries(world, django_assert_max_num_queries)
    org = world.org
    for programme in programmes:
        for j in range(6):
            active_pairing(
                programme,
                mentor=person_with_account(organisation=org, level=level(org, 2)),
                mentee=person_with_account(organisation=org, level=level(org, 8)),
                since=timezone.now() - dt.timedelta(days=50),
            )
            waiting_mentor(programme, name=f"More{programme.pk}x{j} Waiting")
    assert _queries(world, django_assert_max_num_queries) == few


def test_a_survey_sent_again_shows_the_window_people_see(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    """The start survey's usual window has passed; sent again today, it closes in two weeks,
    as on its own page, and counts among the deadlines. Leavers are not counted as asked."""
    world = pairs.world
    Programme.objects.filter(pk=world.programme.pk).update(
        starts_on=timezone.localdate() - dt.timedelta(days=60),
        ends_on=timezone.localdate() + dt.timedelta(days=120),
    )
    survey = Survey.objects.create(
        programme=world.programme,
        title="Starting out",
        timing="start",
        state="open",
        sent_at=timezone.now(),
    )
    pairs.other_mentor.is_active = False
    pairs.other_mentor.save(update_fields=["is_active"])
    from upward.surveys.selectors import survey_window_of

    world.programme.refresh_from_db()
    _opens, closes = survey_window_of(survey, world.programme)  # type: ignore[misc]
    assert closes > timezone.localdate()
    response = world.client_for(world.manager).get(URL)
    assertContains(response, "Survey closes: Starting out")
    body = " ".join(response.content.decode().split())
    assert '0 <span class="muted small">/ 3</span>' in body  # Kai left: three are asked

"""The mentor time list at scale: name search and paging, with a fixed query budget."""

from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from upward.impact.tests.helpers import at, meeting
from upward.testing.factories import level, person_with_account
from upward.testing.workspace import accept, make_pairing


def crowd(world, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        mentor = person_with_account(
            organisation=world.org, full_name=f"Mentor {i:03d}", level=level(world.org, 2)
        )
        mentee = person_with_account(organisation=world.org, level=level(world.org, 8))
        accept(world.programme, mentor, "mentor")
        pairing = make_pairing(world.programme, mentor=mentor, mentee=mentee)
        meeting(pairing, at("2027-03-02"), minutes=60)


def url(world) -> str:  # type: ignore[no-untyped-def]
    return f"/programmes/{world.programme.pk}/mentor-time/"


def test_mentor_time_search_and_paging(world, pairs):
    crowd(world, 30)
    client = world.client_for(world.manager)
    everyone = client.get(url(world))
    assertContains(everyone, "32 mentors, busiest this month first")
    assertContains(everyone, "Page 1 of 2")
    found = client.get(url(world), {"q": "mentor 01"})
    assertContains(found, "Showing 10 of 32 mentors for “mentor 01”")
    assertContains(found, "Mentor 019")
    assertNotContains(found, "Mentor 020", status_code=200)
    nobody = client.get(url(world), {"q": "<b>x</b>"})
    assertContains(nobody, "No mentor matches “&lt;b&gt;x&lt;/b&gt;”")
    assertNotContains(nobody, "<b>x</b>", status_code=200)
    assertContains(client.get(url(world), {"page": "500"}), "Page 2 of 2")
    assertContains(client.get(url(world), {"page": "two"}), "Page 1 of 2")
    # The cap warnings count every mentor, whatever the search shows.
    assert found.context["mentor_count"] == 32


def test_mentor_time_search_is_for_the_programme_team(world, pairs):
    for persona in (world.other_manager, world.outsider_admin, pairs.mentor):
        assert world.client_for(persona).get(url(world), {"q": "Jess"}).status_code == 404


@pytest.mark.parametrize("size", [3, 30])
def test_mentor_time_search_query_budget(world, pairs, size, django_assert_max_num_queries):
    crowd(world, size)
    client = world.client_for(world.manager)
    client.get("/")  # warm the session
    with django_assert_max_num_queries(14):
        assert client.get(url(world), {"q": "Mentor"}).status_code == 200

"""The programme team's journey lists at scale: pairs and event attendance, searched and paged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from upward.journey import services
from upward.journey.models import Event, EventResponse
from upward.journey.tests.conftest import NOW
from upward.journey.tests.factories import accepted, active_pairing
from upward.testing.factories import person_with_account

pytestmark = pytest.mark.django_db


def crowd_of_pairs(world, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        mentor = person_with_account(organisation=world.org, full_name=f"Mentor {i:03d}")
        mentee = person_with_account(organisation=world.org, full_name=f"Mentee {i:03d}")
        active_pairing(world.programme, mentor=mentor, mentee=mentee)


def event_with_audience(world, n: int, clock=None) -> Event:  # type: ignore[no-untyped-def]
    """An event for the programme's mentors, `n` guests among them; with `clock`, the clock
    moves to ten minutes after it started."""
    for i in range(n):
        person = person_with_account(organisation=world.org, full_name=f"Guest {i:03d}")
        accepted(world.programme, person, "mentor")
    starts = NOW + dt.timedelta(days=3)
    event = services.save_event(
        world.programme,
        None,
        data={"title": "Halfway gathering", "kind": "knowledge", "audience": "mentors"},
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        time_zone="Europe/London",
        organiser=world.manager,
        by=None,
    )
    if clock is not None:
        clock.move_to(starts + dt.timedelta(minutes=10))
    return event


def pairs_url(world) -> str:  # type: ignore[no-untyped-def]
    return reverse("journey:programme_pairs", args=[world.programme.pk])


def attendance_url(world, event) -> str:  # type: ignore[no-untyped-def]
    return reverse("journey:event_attendance", args=[world.programme.pk, event.pk])


# --- Pairs --------------------------------------------------------------------------------------


def test_pairs_search_by_either_name_and_page(pairs, world):
    crowd_of_pairs(world, 25)
    client = world.client_for(world.manager)
    response = client.get(pairs_url(world))
    assertContains(response, "27 pairs, by mentee's name")
    assertContains(response, "Page 1 of 2")
    found = client.get(pairs_url(world), {"q": "mentor 007"})
    assertContains(found, "1 pair matches “mentor 007”")
    assertContains(found, "Mentee 007 &amp; Mentor 007")
    assertNotContains(found, "Mentor 008", status_code=200)
    by_mentee = client.get(pairs_url(world), {"q": "Mentee 01"})
    assertContains(by_mentee, "10 pairs match")
    nobody = client.get(pairs_url(world), {"q": "<i>zz</i>"})
    assertContains(nobody, "No pair matches “&lt;i&gt;zz&lt;/i&gt;”")
    assertContains(client.get(pairs_url(world), {"page": "99"}), "Page 2 of 2")
    assertContains(client.get(pairs_url(world), {"page": "-1", "q": ""}), "Page 2 of 2")


def test_pairs_list_is_for_the_programme_team(pairs, world):
    for persona in (world.other_manager, world.outsider_admin, pairs.mentor):
        assert world.client_for(persona).get(pairs_url(world), {"q": "x"}).status_code == 404
    assert world.client_for(None).get(pairs_url(world)).status_code == 302


@pytest.mark.parametrize("size", [3, 30])
def test_pairs_list_query_budget(pairs, world, size, django_assert_max_num_queries):
    crowd_of_pairs(world, size)
    client = world.client_for(world.manager)
    with django_assert_max_num_queries(18):
        assert client.get(pairs_url(world), {"q": "Me"}).status_code == 200


# --- Event attendance ---------------------------------------------------------------------------


def test_attendance_pages_and_saves_one_page_at_a_time(pairs, world, clock):
    event = event_with_audience(world, 60, clock)  # and the two pairs' mentors: 62 people
    client = world.client_for(world.manager)
    first = client.get(attendance_url(world, event))
    assertContains(first, "62 people invited · page 1 of 2")
    body = first.content.decode()
    assert body.count('name="people"') == 50
    assertContains(first, "Save this page")
    assertContains(first, "Save and go to the next page")
    on_page = first.context["rows"]
    ids = [r["person"].pk for r, _field in on_page]
    # Tick the first two on page one, and go on to page two.
    response = client.post(
        attendance_url(world, event),
        {"people": ids, f"attended_{ids[0]}": "on", f"attended_{ids[1]}": "on", "then": "next"},
    )
    assert response.status_code == 302
    assert response.url.endswith("?page=2")
    marked = dict(EventResponse.objects.filter(event=event).values_list("person_id", "attended"))
    assert len(marked) == 50
    assert marked[ids[0]] is True and marked[ids[2]] is False
    # Page two: its people only; page one's ticks stay as saved.
    second = client.get(response.url)
    ids2 = [r["person"].pk for r, _field in second.context["rows"]]
    assert len(ids2) == 12 and not set(ids2) & set(ids)
    client.post(response.url, {"people": ids2, f"attended_{ids2[-1]}": "on"})
    marked = dict(EventResponse.objects.filter(event=event).values_list("person_id", "attended"))
    assert len(marked) == 62
    assert sum(1 for came in marked.values() if came) == 3
    # The ticks saved show again on page one.
    again = client.get(attendance_url(world, event))
    assert again.context["form"][f"attended_{ids[0]}"].value() is True
    assertContains(again, "3 people marked as came so far.")


def test_attendance_search_by_name(pairs, world, clock):
    event = event_with_audience(world, 12, clock)
    client = world.client_for(world.manager)
    found = client.get(attendance_url(world, event), {"q": "guest 01"})
    assertContains(found, "2 people match “guest 01”")
    assertNotContains(found, "Guest 003", status_code=200)
    # Saving from a search keeps the search.
    ids = [r["person"].pk for r, _field in found.context["rows"]]
    response = client.post(
        attendance_url(world, event) + "?q=guest+01", {"people": ids, f"attended_{ids[0]}": "on"}
    )
    assert response.url.endswith("?q=guest+01&page=1")
    assert EventResponse.objects.filter(event=event, attended=True).count() == 1
    nobody = client.get(attendance_url(world, event), {"q": "nobody"})
    assertContains(nobody, "Nobody invited matches “nobody”")


def test_attendance_bad_input(pairs, world, clock):
    event = event_with_audience(world, 3, clock)
    client = world.client_for(world.manager)
    outsider = person_with_account(organisation=world.org, full_name="Not Invited")
    # Someone not in the audience is left out and said so; the others are saved.
    ids = [r["person"].pk for r, _f in client.get(attendance_url(world, event)).context["rows"]]
    response = client.post(
        attendance_url(world, event),
        {"people": [*ids, outsider.pk, "abc"], f"attended_{outsider.pk}": "on"},
        follow=True,
    )
    assertContains(response, "1 person is no longer in this event&#x27;s audience")
    assert not EventResponse.objects.filter(person=outsider).exists()
    assert EventResponse.objects.filter(event=event, attended=False).count() == len(ids)
    assertContains(client.get(attendance_url(world, event), {"page": "zz"}), "Halfway gathering")


def test_attendance_before_the_event_is_refused(pairs, world, clock):
    event = event_with_audience(world, 2)
    client = world.client_for(world.manager)
    page = client.get(attendance_url(world, event))
    assertContains(page, "once the event has started")
    ids = [r["person"].pk for r, _f in page.context["rows"]]
    response = client.post(
        attendance_url(world, event), {"people": ids, f"attended_{ids[0]}": "on"}
    )
    assertContains(response, "once the event has started")
    assert not EventResponse.objects.filter(attended=True).exists()


def test_attendance_is_for_the_programme_team(pairs, world, clock):
    event = event_with_audience(world, 2, clock)
    url = attendance_url(world, event)
    for persona in (world.other_manager, world.outsider_admin, pairs.mentor):
        assert world.client_for(persona).get(url).status_code == 404
        assert world.client_for(persona).post(url, {"people": [pairs.mentor.pk]}).status_code == 404
    assert not EventResponse.objects.filter(attendance_marked_at__isnull=False).exists()


@pytest.mark.parametrize("size", [5, 80])
def test_attendance_query_budget(pairs, world, clock, size, django_assert_max_num_queries):
    event = event_with_audience(world, size, clock)
    client = world.client_for(world.manager)
    with django_assert_max_num_queries(12):
        page = client.get(attendance_url(world, event))
    ids = [r["person"].pk for r, _f in page.context["rows"]]
    data = {"people": ids, **{f"attended_{i}": "on" for i in ids[::2]}}
    # 2 of each save chain its audit entry (lock the head, move it).
    with django_assert_max_num_queries(20):  # the first save creates the rows
        assert client.post(attendance_url(world, event), data).status_code == 302
    with django_assert_max_num_queries(20):  # a second save updates them
        assert client.post(attendance_url(world, event), data).status_code == 302

"""The needs-attention queue at scale: paging, a filter by flag and by name, bulk snooze."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from upward.journey.models import MeetingStatus
from upward.journey.tests.factories import active_pairing
from upward.pairing.models import Pairing
from upward.safety.models import FlagSnooze
from upward.safety.tests.conftest import meeting
from upward.testing.factories import level, person_with_account


def make_pairs(world, n: int, *, missed: int = 0) -> list[Pairing]:  # type: ignore[no-untyped-def]
    """`n` pairs 40 days in without a meeting (flag: no meeting); the first `missed` of them
    held one meeting and missed the next two (flag: missed) instead."""
    made = []
    for i in range(n):
        mentor = person_with_account(
            organisation=world.org, full_name=f"Mentor {i:03d}", level=level(world.org, 2)
        )
        mentee = person_with_account(
            organisation=world.org, full_name=f"Mentee {i:03d}", level=level(world.org, 8)
        )
        pairing = active_pairing(
            world.programme,
            mentor=mentor,
            mentee=mentee,
            since=timezone.now() - dt.timedelta(days=40),
        )
        if i < missed:
            meeting(pairing, days_ago=20)
            meeting(pairing, days_ago=10, status=MeetingStatus.MISSED)
            meeting(pairing, days_ago=5, status=MeetingStatus.MISSED)
        made.append(pairing)
    return made


def url(world) -> str:  # type: ignore[no-untyped-def]
    return reverse("safety:attention", args=[world.programme.pk])


def bulk(world) -> str:  # type: ignore[no-untyped-def]
    return reverse("safety:snooze_bulk", args=[world.programme.pk])


def test_a_booked_meeting_keeps_a_pair_out_of_the_queue(world, clock):  # type: ignore[no-untyped-def]
    pairs = make_pairs(world, 2)
    meeting(pairs[0], days_ago=-40, status=MeetingStatus.SCHEDULED)  # booked, far ahead
    response = world.client_for(world.manager).get(url(world))
    assertContains(response, "Mentor 001")
    assertNotContains(response, "Mentor 000", status_code=200)


def test_the_queue_pages_and_filters_by_flag_and_name(world, clock):  # type: ignore[no-untyped-def]
    make_pairs(world, 25, missed=3)
    client = world.client_for(world.manager)
    first = client.get(url(world))
    assertContains(first, "25 flagged pairs, most urgent first.")
    assertContains(first, "Page 1 of 2")
    # Most urgent first: the missed meetings (70) before no meeting (50).
    body = first.content.decode()
    assert body.index("Mentor 002") < body.index("Mentor 010")
    assert body.count('name="pairings"') == 20
    second = client.get(url(world), {"page": 2})
    assert second.content.decode().count('name="pairings"') == 5
    # Out of range: the last page, not an error.
    assertContains(client.get(url(world), {"page": 99}), "Page 2 of 2")
    assertContains(client.get(url(world), {"page": "x"}), "Page 1 of 2")
    # The flag filter names its counts and keeps only that flag on each card.
    assertContains(first, "Missed meetings (3)")
    missed = client.get(url(world), {"kind": "missed"})
    assertContains(missed, "3 of 25 flagged pairs match the filter.")
    assertNotContains(missed, "No meeting since the pairing started")
    by_name = client.get(url(world), {"q": "mentee 007"})
    assertContains(by_name, "1 of 25 flagged pairs matches the filter.")
    assertContains(by_name, "Mentor 007")
    nothing = client.get(url(world), {"q": "nobody at all"})
    assertContains(nothing, "No flagged pair matches these filters")
    unknown = client.get(url(world), {"kind": "bogus"})
    assertContains(unknown, "Unknown filter")
    assertContains(unknown, "25 flagged pairs, most urgent first.")


def test_bulk_snooze_of_all_matching_states_the_count_then_hides(world, clock):  # type: ignore[no-untyped-def]
    make_pairs(world, 25, missed=3)
    client = world.client_for(world.manager)
    response = client.post(bulk(world), {"scope": "matching", "days": "14", "kind": "no_meeting"})
    assertContains(response, "Hide 22 flags?")
    assertContains(response, "On 22 pairs, for 14 days.")
    assertContains(response, "… and 12 more pairs.")
    assert FlagSnooze.objects.count() == 0
    data = {
        "scope": "matching",
        "days": "14",
        "kind": "no_meeting",
        "confirm": "on",
        "fingerprint": response.context["fingerprint"],
    }
    response = client.post(bulk(world), data)
    assert response.status_code == 302
    assert response.url.endswith("?kind=no_meeting#flags-h")
    assert FlagSnooze.objects.filter(kind="no_meeting").count() == 22
    until = {s.until for s in FlagSnooze.objects.all()}
    assert until == {timezone.localdate() + dt.timedelta(days=14)}
    page = client.get(url(world))
    assertContains(page, "3 flagged pairs, most urgent first.")


def test_bulk_snooze_of_ticked_pairs_only(world, clock):  # type: ignore[no-untyped-def]
    pairs = make_pairs(world, 4)
    client = world.client_for(world.manager)
    ticked = [pairs[1].pk, pairs[3].pk]
    response = client.post(bulk(world), {"scope": "selected", "days": "7", "pairings": ticked})
    assertContains(response, "Hide 2 flags?")
    response = client.post(
        bulk(world),
        {
            "scope": "selected",
            "days": "7",
            "pairings": ticked,
            "confirm": "on",
            "fingerprint": response.context["fingerprint"],
        },
    )
    assert response.status_code == 302
    assert set(FlagSnooze.objects.values_list("pairing_id", flat=True)) == set(ticked)


def test_a_changed_set_is_refused(world, clock):  # type: ignore[no-untyped-def]
    make_pairs(world, 2)
    client = world.client_for(world.manager)
    response = client.post(bulk(world), {"scope": "matching", "days": "7"})
    fingerprint = response.context["fingerprint"]
    make_pairs_more = person_with_account(
        organisation=world.org, full_name="Late Mentor", level=level(world.org, 2)
    )
    active_pairing(
        world.programme,
        mentor=make_pairs_more,
        mentee=person_with_account(
            organisation=world.org, full_name="Late Mentee", level=level(world.org, 8)
        ),
        since=timezone.now() - dt.timedelta(days=40),
    )
    response = client.post(
        bulk(world),
        {"scope": "matching", "days": "7", "confirm": "on", "fingerprint": fingerprint},
    )
    assertContains(response, "have changed since you looked", status_code=409)
    assertContains(response, "Hide 3 flags?", status_code=409)
    assert FlagSnooze.objects.count() == 0


def test_bulk_snooze_bad_input(world, clock):  # type: ignore[no-untyped-def]
    pairs = make_pairs(world, 1)
    client = world.client_for(world.manager)
    cases = [
        ({"scope": "matching", "days": "365"}, "Choose 7, 14 or 30 days."),
        ({"scope": "everything", "days": "7"}, "Choose the ticked pairs or all pairs"),
        ({"scope": "selected", "days": "7"}, "Tick at least one pair"),
        ({"scope": "selected", "days": "7", "pairings": ["x", "-1"]}, "Tick at least one pair"),
    ]
    for data, expected in cases:
        assertContains(client.post(bulk(world), data, follow=True), expected)
    # A pair that is not in the queue (or not in the programme) is simply not there.
    response = client.post(
        bulk(world), {"scope": "selected", "days": "7", "pairings": [999999]}, follow=True
    )
    assertContains(response, "None of the ticked pairs is flagged in this programme any more.")
    assertNotContains(response, "Hide 0 flags")
    assert FlagSnooze.objects.count() == 0
    assert pairs


def test_only_the_safety_team_may_bulk_snooze(world, clock):  # type: ignore[no-untyped-def]
    make_pairs(world, 2)
    data = {"scope": "matching", "days": "7", "confirm": "on"}
    for persona in (world.other_manager, world.outsider_admin, world.applicant):
        assert world.client_for(persona).post(bulk(world), data).status_code == 404
        assert world.client_for(persona).get(url(world)).status_code == 404
    assert world.client_for(None).post(bulk(world), data).status_code == 302
    assert FlagSnooze.objects.count() == 0


def test_names_are_escaped_in_the_bulk_confirmation(world, clock):  # type: ignore[no-untyped-def]
    active_pairing(
        world.programme,
        mentor=person_with_account(
            organisation=world.org, full_name="<b>Bold</b>", level=level(world.org, 2)
        ),
        mentee=person_with_account(
            organisation=world.org, full_name="Plain Mentee", level=level(world.org, 8)
        ),
        since=timezone.now() - dt.timedelta(days=40),
    )
    response = world.client_for(world.manager).post(bulk(world), {"scope": "matching", "days": "7"})
    assertContains(response, "&lt;b&gt;Bold&lt;/b&gt;")
    assertNotContains(response, "<b>Bold</b>")


@pytest.mark.parametrize("size", [5, 30])
def test_queue_and_bulk_snooze_query_budget(world, clock, size, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    make_pairs(world, size, missed=2)
    client = world.client_for(world.manager)
    with django_assert_max_num_queries(28):  # as the whole queue page before paging
        assert client.get(url(world), {"kind": "no_meeting"}).status_code == 200
    with django_assert_max_num_queries(14):
        response = client.post(bulk(world), {"scope": "matching", "days": "7"})
    data = {
        "scope": "matching",
        "days": "7",
        "confirm": "on",
        "fingerprint": response.context["fingerprint"],
    }
    with django_assert_max_num_queries(20):  # 2 of them chain the audit entries
        assert client.post(bulk(world), data).status_code == 302
    assert FlagSnooze.objects.count() == size

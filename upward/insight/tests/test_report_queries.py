"""The report page's query budget: the same whatever the number of pairs and meetings."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from upward.impact.tests.helpers import at, meeting
from upward.journey.tests.factories import builtin_version
from upward.testing.factories import level, person_with_account
from upward.testing.pairs import active_pairing

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

BUDGET = 45  # 40-42 today: the outcomes, safety flags, goals and mentor time selectors


def grow(world, pairs, n: int) -> None:  # type: ignore[no-untyped-def]
    """`n` more pairs, each with three held meetings and a missed one."""
    for i in range(n):
        mentor = person_with_account(
            organisation=world.org,
            full_name=f"Mentor {i}",
            level=level(world.org, 2),
            email=f"mentor{i}@northwind.test",
        )
        mentee = person_with_account(
            organisation=world.org,
            full_name=f"Mentee {i}",
            level=level(world.org, 8),
            email=f"mentee{i}@northwind.test",
        )
        pairing = active_pairing(world.programme, mentor=mentor, mentee=mentee)
        for day in ("2027-01-20", "2027-02-20", "2027-03-05"):
            meeting(pairing, at(day))
        meeting(pairing, at("2027-03-12"), status="missed")


def count_queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "name",
    ["insight:programme_report", "insight:programme_report_print", "insight:programme_report_pdf"],
)
def test_the_report_costs_the_same_queries_for_2_and_14_pairs(
    world, pairs, django_assert_max_num_queries, name
) -> None:  # type: ignore[no-untyped-def]
    builtin_version()
    world.programme.state = "active"
    world.programme.save()
    meeting(pairs.pairing, at("2027-01-20"))
    client = world.client_for(world.manager)
    url = reverse(name, args=[world.programme.pk])
    client.get(url)  # warm the session and caches
    small = count_queries(client, url)
    grow(world, pairs, 12)
    large = count_queries(client, url)
    assert large == small, (small, large)
    with django_assert_max_num_queries(BUDGET):
        response = client.get(url)
    assert response.status_code == 200

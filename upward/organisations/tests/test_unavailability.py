"""A participant marks themselves away for a period (from, until, a note for the team only)."""

import datetime as dt

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains

from upward.core.errors import DomainError
from upward.organisations import selectors, services
from upward.organisations.models import Unavailability

pytestmark = pytest.mark.django_db

URL = "/people/me/away/"


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def test_set_and_clear_a_period(world):
    jess = world.applicant
    services.set_unavailability(
        jess, by=jess.user, starts_on=_days(0), ends_on=_days(10), note="Parental leave"
    )
    assert selectors.unavailable_person_ids(on=_days(5)) == {jess.pk}
    assert selectors.unavailable_person_ids(on=_days(11)) == set()
    # A new period replaces the old one.
    services.set_unavailability(jess, by=jess.user, starts_on=_days(20), ends_on=_days(25))
    assert Unavailability.objects.filter(person=jess).count() == 1
    assert selectors.unavailable_person_ids(on=_days(5)) == set()
    assert services.clear_unavailability(jess, by=jess.user) is True
    assert services.clear_unavailability(jess, by=jess.user) is False
    assert selectors.unavailability_of(jess) is None


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (5, 4, "on or after the first day"),
        (0, 365, "at most a year"),
        (-10, -1, "already over"),
    ],
)
def test_bad_periods_are_refused(world, start, end, message):
    with pytest.raises(DomainError, match=message):
        services.set_unavailability(
            world.applicant, by=None, starts_on=_days(start), ends_on=_days(end)
        )
    assert not Unavailability.objects.exists()


def test_a_year_is_allowed(world):
    services.set_unavailability(world.applicant, by=None, starts_on=_days(0), ends_on=_days(364))
    assert Unavailability.objects.filter(person=world.applicant).exists()


def test_the_page_sets_shows_and_clears(world):
    client = world.client_for(world.applicant)
    assertContains(client.get(URL), "Time away")
    response = client.post(
        URL,
        {"starts_on": _days(1).isoformat(), "ends_on": _days(8).isoformat(), "note": "<b>x</b>"},
    )
    assert response.status_code == 302
    page = client.get(URL)
    assertContains(page, "You are marked as away")
    assertContains(page, "&lt;b&gt;x&lt;/b&gt;")  # the note, escaped
    assert client.post(URL, {"action": "clear"}).status_code == 302
    assert not Unavailability.objects.exists()


def test_the_page_shows_bad_dates_as_form_errors(world):
    client = world.client_for(world.applicant)
    response = client.post(
        URL, {"starts_on": _days(5).isoformat(), "ends_on": _days(1).isoformat()}
    )
    assertContains(response, "on or after the first day")
    response = client.post(URL, {"starts_on": "not a date", "ends_on": ""})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"starts_on", "ends_on"}
    assert not Unavailability.objects.exists()


def test_the_page_needs_a_directory_entry(client, world):
    assert client.get(URL).status_code == 302  # signed out: to sign in
    world.applicant.is_active = False
    world.applicant.save(update_fields=["is_active"])
    assert world.client_for(world.applicant).get(URL).status_code == 404

"""The reproduction from issue 11: a name with CR/LF was accepted by the directory form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from upward.organisations.models import Person

pytestmark = pytest.mark.django_db


def _data(**changes: str) -> dict[str, str]:
    data = {
        "full_name": "Jo Bloggs",
        "email": "jo@northwind.test",
        "time_zone": "Europe/London",
        "is_active": "on",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("full_name", "Jo\r\nBcc: everyone@northwind.test"),
        ("full_name", "Jo\u2028Bloggs"),
        ("job_title", "Analyst\x1b[2J"),
        ("location", "Leeds\nLondon"),
    ],
)
def test_control_characters_in_a_person_are_a_form_error(world, field, value):
    url = reverse("organisations:person_create")
    client = world.client_for(world.admin)
    assert client.post(url, _data()).status_code == 302  # the same form, without them, saves
    response = client.post(url, _data(email="jo2@northwind.test", **{field: value}))
    assert response.status_code == 200
    assert "control character" in response.context["form"].errors[field][0]
    assert not Person.objects.filter(email="jo2@northwind.test").exists()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_start_date_far_outside_sensible_years_is_a_form_error(world, day):
    response = world.client_for(world.admin).post(
        reverse("organisations:person_create"), _data(start_date=day)
    )
    assert response.status_code == 200
    assert "Enter a date between" in response.context["form"].errors["start_date"][0]

"""Dates people type are bounded to sensible years (one range, upward.core.validation), with a
clear message, instead of overflowing when durations or time zones are added later."""

from __future__ import annotations

import pytest
from django.urls import reverse

from upward.pairing.forms import ChoiceRoundForm
from upward.programmes.forms import ProgrammeForm
from upward.safety.forms import CheckInForm

pytestmark = pytest.mark.django_db

FAR = ["9999-12-31", "0001-01-01"]
MESSAGE = "Enter a date between 1 January 1900 and 31 December 2100."


def _as_post_data(form) -> dict:  # type: ignore[no-untyped-def]
    data: dict = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, (list, tuple)):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[name] = str(getattr(value, "pk", value))
    return data


@pytest.mark.parametrize("day", FAR)
def test_programme_dates(world, day):
    programme = world.programme
    data = _as_post_data(ProgrammeForm(instance=programme, organisation=world.org))
    url = reverse("programmes:edit", args=[programme.pk])
    client = world.client_for(world.admin)
    # The unchanged form saves (so the refusal below is about the date alone).
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "starts_on": day, "ends_on": day})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["starts_on"] == [MESSAGE]
    assert errors["ends_on"] == [MESSAGE]
    programme.refresh_from_db()
    assert programme.starts_on.year not in (1, 9999)


@pytest.mark.parametrize("day", FAR)
def test_check_in_due_date(day):
    form = CheckInForm({"who": "pair", "due_on": day, "purpose": "See how it goes"})
    assert not form.is_valid()
    assert form.errors["due_on"] == [MESSAGE]


@pytest.mark.parametrize("day", FAR)
def test_choice_round_closing_time(day):
    form = ChoiceRoundForm({"closes_at": f"{day}T23:59"})
    assert not form.is_valid()
    assert "closes_at" in form.errors

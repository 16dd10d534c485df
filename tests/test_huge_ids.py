"""Ids posted in forms and query strings are bounded: 2**70 is an invalid choice or a 404,
never a 500 (SQLite raises OverflowError, PostgreSQL a DataError)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from upward.programmes.models import Programme, State
from upward.recruitment.models import Invitation

pytestmark = pytest.mark.django_db

HUGE = str(2**70)


def test_programme_invitations_form(world):
    Programme.objects.filter(pk=world.programme.pk).update(state=State.RECRUITING)
    url = reverse("recruitment:invitations", args=[world.programme.pk])
    response = world.client_for(world.manager).post(
        url, {"people": [HUGE], "role": "mentor"}, follow=True
    )
    assert response.status_code == 200
    assert "Choose people from your organisation" in response.content.decode()
    assert not Invitation.objects.exists()


def test_programme_managers_form(world):
    url = reverse("programmes:managers", args=[world.programme.pk])
    response = world.client_for(world.admin).post(url, {"managers": [HUGE]})
    assert response.status_code == 200
    assert "managers" in response.context["form"].errors
    assert list(world.programme.managers.all()) == [world.manager]


def test_application_works_with(world):
    Programme.objects.filter(pk=world.programme.pk).update(state=State.RECRUITING)
    url = reverse("recruitment:apply", args=[world.programme.signup_token])
    response = world.client_for(world.applicant).post(
        url,
        {
            "role": "mentor",
            "motivation": "I like explaining things.",
            "consent_terms": "on",
            "works_with": [HUGE],
        },
    )
    assert response.status_code == 200
    assert "works_with" in response.context["form"].errors

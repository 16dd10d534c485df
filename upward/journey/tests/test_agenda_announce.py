"""htmx keeps people where they are (docs/accessibility.md): the agenda fragment keeps the ids
focus returns to, and the response names what happened for the live region."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from upward.journey.tests.helpers import book

pytestmark = pytest.mark.django_db


def said(response) -> str:  # type: ignore[no-untyped-def]
    return json.loads(response["HX-Trigger-After-Settle"])["announce"]["message"]


def test_ticking_announces_the_item_and_keeps_the_button_id(pairs, world):
    meeting = book(pairs)
    item = meeting.agenda.order_by("position")[0]
    client = world.client_for(pairs.mentor)
    url = reverse("journey:agenda_toggle", args=[item.pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert said(response) == f"Ticked: {item.text}"
    html = response.content.decode()
    assert f'id="agenda-tick-{item.pk}"' in html and 'aria-pressed="true"' in html
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert said(response) == f"Unticked: {item.text}"


def test_adding_announces_and_a_refused_add_says_nothing(pairs, world):
    meeting = book(pairs)
    client = world.client_for(pairs.mentee)
    url = reverse("journey:meeting", args=[meeting.pk])
    response = client.post(url, {"text": "Our <b>rota</b>"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert said(response) == "Added to the agenda: Our <b>rota</b>"  # JSON, put in as text
    response = client.post(url, {"text": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "HX-Trigger-After-Settle" not in response
    assert 'aria-invalid="true"' in response.content.decode()


def test_ticking_on_a_cancelled_meeting_announces_why(pairs, world):
    meeting = book(pairs)
    item = meeting.agenda.order_by("position")[0]
    meeting.status = "cancelled"
    meeting.save(update_fields=["status"])
    response = world.client_for(pairs.mentor).post(
        reverse("journey:agenda_toggle", args=[item.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "cancelled" in said(response)
    item.refresh_from_db()
    assert item.done_at is None


def test_outsider_cannot_tick(pairs, world):
    meeting = book(pairs)
    item = meeting.agenda.order_by("position")[0]
    response = world.client_for(world.outsider_admin).post(
        reverse("journey:agenda_toggle", args=[item.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 404
    assert "HX-Trigger-After-Settle" not in response

"""'Mark as read' with htmx: the result is announced and the header count updates in place."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from pytest_django.asserts import assertNotContains

pytestmark = pytest.mark.django_db


def said(response) -> str:  # type: ignore[no-untyped-def]
    return json.loads(response["HX-Trigger-After-Settle"])["announce"]["message"]


def test_mark_read_announces_and_sends_the_new_count(world, make_notification):
    first = make_notification(world.applicant, subject="One")
    make_notification(world.applicant, subject="Two")
    client = world.client_for(world.applicant)
    response = client.post(
        reverse("notifications:mark_read", args=[first.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert said(response) == "Marked as read"
    html = response.content.decode()
    assert '<span id="unread-badge" hx-swap-oob="true">' in html
    assert '<span class="badge badge--count">1<span class="visually-hidden"> unread' in html
    # The count above the list follows too.
    assert (
        '<p class="muted" id="unread-summary" tabindex="-1" hx-swap-oob="true">1 unread</p>' in html
    )
    # Focus has somewhere to go once the button is gone: the row's Open button.
    assertNotContains(response, "Mark as read: One")  # its button is gone
    assert f'id="notification-open-{first.pk}"' in html


def test_mark_all_read_empties_the_badge(world, make_notification):
    make_notification(world.applicant)
    client = world.client_for(world.applicant)
    response = client.post(reverse("notifications:mark_all_read"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert said(response) == "All notifications are marked as read."
    assert '<span id="unread-badge" hx-swap-oob="true"></span>' in response.content.decode()


def test_full_page_has_the_badge_without_oob(world, make_notification):
    make_notification(world.applicant)
    response = world.client_for(world.applicant).get(reverse("notifications:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span id="unread-badge">' in html
    assertNotContains(response, "hx-swap-oob")

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse
from pytest_django.asserts import assertNotContains

from upward.core.models import AuditEvent
from upward.notifications.context_processors import unread_count
from upward.notifications.models import Delivery, Notification, NotificationPreference

LIST = reverse("notifications:list")
PREFS = reverse("notifications:preferences")
READ_ALL = reverse("notifications:mark_all_read")


def test_list_shows_own_notifications_newest_first(world, make_notification):
    make_notification(world.senior, subject="Older one")
    make_notification(world.senior, subject="Newer one")
    make_notification(world.applicant, subject="Someone else's")
    response = world.client_for(world.senior).get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Newer one") < html.index("Older one")
    assertNotContains(response, "Someone else")
    assert "2 unread" in html
    assert response.headers["Vary"].count("HX-Request") == 1


def test_empty_state_says_what_happens_next(world):
    html = world.client_for(world.senior).get(LIST).content.decode()
    assert "Nothing here yet" in html
    assert PREFS in html


def test_list_is_paginated_and_bad_page_numbers_do_not_break_it(world, make_notification):
    for i in range(25):
        make_notification(world.senior, subject=f"Item {i:02d}")
    client = world.client_for(world.senior)
    response = client.get(LIST)
    first = response.content.decode()
    assert "Item 24" in first
    assertNotContains(response, "Item 04")
    second_response = client.get(LIST, {"page": 2})
    second = second_response.content.decode()
    assert "Item 04" in second
    assertNotContains(second_response, "Item 24")
    assert client.get(LIST, {"page": "nonsense"}).status_code == 200
    assert client.get(LIST, {"page": 999}).status_code == 200


def test_list_query_budget_stays_flat(world, make_notification, django_assert_max_num_queries):
    for _ in range(20):
        make_notification(world.senior)
    client = world.client_for(world.senior)
    client.get(LIST)  # warm the session
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    assert response.status_code == 200


def test_anonymous_is_sent_to_sign_in(world, make_notification):
    notification = make_notification(world.senior)
    anonymous = world.client_for(None)
    for method, url in [
        ("get", LIST),
        ("get", PREFS),
        ("post", READ_ALL),
        ("post", reverse("notifications:mark_read", args=[notification.pk])),
        ("post", reverse("notifications:open", args=[notification.pk])),
    ]:
        response = getattr(anonymous, method)(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["applicant", "manager", "admin", "outsider_admin"])
def test_someone_elses_notification_is_404(world, make_notification, persona):
    notification = make_notification(world.senior)
    client = world.client_for(getattr(world, persona))
    for name in ("notifications:mark_read", "notifications:open"):
        assert client.post(reverse(name, args=[notification.pk])).status_code == 404
    assert client.post(reverse("notifications:mark_read", args=[999999])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_outsider_mark_all_read_touches_only_their_own(world, make_notification):
    notification = make_notification(world.senior)
    world.client_for(world.outsider_admin).post(READ_ALL)
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_read_with_htmx_returns_the_row(world, make_notification):
    notification = make_notification(world.senior, subject="Read me")
    response = world.client_for(world.senior).post(
        reverse("notifications:mark_read", args=[notification.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert f'id="notification-{notification.pk}"' in html
    assertNotContains(response, "<html")
    assertNotContains(response, "Mark as read")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_without_htmx_redirects_back_to_the_page(world, make_notification):
    notification = make_notification(world.senior)
    response = world.client_for(world.senior).post(
        reverse("notifications:mark_read", args=[notification.pk]), {"page": "2"}
    )
    assert response["Location"] == LIST + "?page=2"


def test_mark_read_is_post_only(world, make_notification):
    notification = make_notification(world.senior)
    url = reverse("notifications:mark_read", args=[notification.pk])
    assert world.client_for(world.senior).get(url).status_code == 405


def test_mark_all_read(world, make_notification):
    for _ in range(3):
        make_notification(world.senior)
    other = make_notification(world.applicant)
    client = world.client_for(world.senior)
    response = client.post(READ_ALL, HTTP_HX_REQUEST="true")
    assert 'id="notification-list"' in response.content.decode()
    assert "0 unread" in response.content.decode()
    assert not Notification.objects.filter(recipient=world.senior, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None
    assert client.post(READ_ALL).status_code == 302


def test_open_marks_read_and_follows_only_local_links(world, make_notification):
    local = make_notification(world.senior, url="/pairings/")
    evil = make_notification(world.senior, url="https://evil.example/")
    client = world.client_for(world.senior)
    response = client.post(reverse("notifications:open", args=[local.pk]))
    assert response["Location"] == "/pairings/"
    local.refresh_from_db()
    assert local.read_at is not None
    response = client.post(reverse("notifications:open", args=[evil.pk]))
    assert response["Location"] == LIST


def test_unread_count_context_processor(world, make_notification):
    make_notification(world.senior)
    make_notification(world.senior)
    request = RequestFactory().get("/")
    request.user = world.senior.user
    assert unread_count(request) == {"unread_notifications": 2}
    request.user = world.applicant.user
    assert unread_count(request) == {"unread_notifications": 0}
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert unread_count(request) == {"unread_notifications": 0}


def test_preferences_page_shows_defaults_and_saves_choices(world):
    client = world.client_for(world.senior)
    html = client.get(PREFS).content.decode()
    assert "Meeting reminders" in html
    assert 'value="immediately"' in html
    assert "notifications/" in html  # link back to the list
    data = {
        "meeting_reminder": "digest",
        "booking_nudge": "in_app",
        "pairing": "immediately",
        "application": "immediately",
        "survey_due": "immediately",
        "safety": "immediately",
        "impact": "digest",
        "programme": "in_app",
        "message": "in_app",
    }
    response = client.post(PREFS, data)
    assert response.status_code == 302
    # Programme-team alerts are offered only to people who run programmes.
    page = client.get(PREFS)
    assertNotContains(page, "For programme teams", status_code=200)
    saved = dict(
        NotificationPreference.objects.filter(person=world.senior).values_list("kind", "delivery")
    )
    assert saved["meeting_reminder"] == Delivery.DIGEST
    assert saved["booking_nudge"] == Delivery.IN_APP
    assert saved["message"] == Delivery.IN_APP
    assert AuditEvent.objects.filter(verb="notifications.preferences_changed").count() == 1
    assert not NotificationPreference.objects.filter(person=world.applicant).exists()
    html = client.get(PREFS).content.decode()
    assert 'value="in_app" required id="id_booking_nudge_2" checked' in html


def test_preferences_bad_input_is_a_form_error_not_a_500(world):
    client = world.client_for(world.senior)
    response = client.post(PREFS, {"meeting_reminder": "carrier-pigeon"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not NotificationPreference.objects.exists()

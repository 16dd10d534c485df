"""Notification links are stored relative and open on whatever address the site runs at;
emails make them absolute from SITE_URL; links to other sites are never followed."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse
from pytest_django.asserts import assertContains

from upward.core.links import ForeignLinkError
from upward.notifications import services
from upward.notifications.models import Delivery, Notification

LIST = reverse("notifications:list")
PREFERENCES = reverse("notifications:preferences")


def _legacy(person, url, key="legacy"):
    # What notify() stored before links were kept relative; only a migration-era row looks so.
    return Notification.objects.create(
        recipient=person,
        kind="pairing",
        subject="Old",
        body="Old",
        url=url,
        dedupe_key=key,
        delivery=Delivery.IN_APP,
    )


def test_notify_stores_a_link_to_our_own_site_as_its_path(world, make_notification):
    notification = make_notification(world.senior, url="http://127.0.0.1:8000/pairings/?x=1")
    notification.refresh_from_db()
    assert notification.url == "/pairings/?x=1"


def test_notify_refuses_a_link_to_another_site(world, make_notification):
    with pytest.raises(ForeignLinkError, match="Only links to Upward's own pages"):
        make_notification(world.senior, url="https://evil.example/phish")
    assert not Notification.objects.filter(recipient=world.senior).exists()


def test_opening_a_notification_lands_on_its_page(world, make_notification):
    notification = make_notification(world.senior, url=PREFERENCES)
    client = world.client_for(world.senior)
    response = client.post(reverse("notifications:open", args=[notification.pk]), follow=True)
    assert response.redirect_chain == [(PREFERENCES, 302)]
    assertContains(response, "Notification choices")


def test_an_old_absolute_link_opens_on_another_port(world):
    """The bug: a link stored as http://127.0.0.1:8000/… bounced to the list on port 9000."""
    old = _legacy(world.senior, "http://127.0.0.1:8000" + PREFERENCES)
    client = world.client_for(world.senior)
    response = client.post(reverse("notifications:open", args=[old.pk]), HTTP_HOST="127.0.0.1:9000")
    assert response.status_code == 302
    assert response["Location"] == PREFERENCES


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"],
)
def test_open_never_redirects_to_another_site(world, target):
    evil = _legacy(world.senior, target)
    client = world.client_for(world.senior)
    response = client.post(reverse("notifications:open", args=[evil.pk]))
    assert response.status_code == 302
    assert response["Location"] == LIST
    evil.refresh_from_db()
    assert evil.read_at is not None


def test_email_links_use_site_url(world, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "http://127.0.0.1:9000"
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            world.senior,
            kind="meeting_reminder",
            subject="Time to book",
            template="journey/email/booking_reminder.txt",
            context={"person": world.senior, "partner": world.applicant, "link": "/b/"},
            url="/pairings/1/book/",
            dedupe_key="port-9000",
        )
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "http://127.0.0.1:9000/pairings/1/book/" in body
    assert "http://127.0.0.1:9000/notifications/preferences/" in body
    assert ":8000" not in body


def test_an_old_absolute_link_is_emailed_on_todays_address(world, settings):
    settings.SITE_URL = "https://upward.example.org"
    assert services.absolute("http://127.0.0.1:8000/pairings/") == (
        "https://upward.example.org/pairings/"
    )
    assert services.absolute("https://evil.example/") == ""


def test_migration_makes_stored_links_of_our_site_relative(world, settings):
    settings.SITE_URL = "https://upward.example.org"
    own = _legacy(world.senior, "http://127.0.0.1:8000/safety/3/rematch/", key="a")
    public = _legacy(world.senior, "https://upward.example.org/pairings/?p=2", key="b")
    already = _legacy(world.senior, "/pairings/", key="c")
    foreign = _legacy(world.senior, "https://evil.example/x", key="d")
    migration = importlib.import_module(
        "upward.notifications.migrations.0004_relative_notification_links"
    )
    migration.make_links_relative(apps, None)
    urls = {n.pk: n.url for n in Notification.objects.all()}
    assert urls[own.pk] == "/safety/3/rematch/"
    assert urls[public.pk] == "/pairings/?p=2"
    assert urls[already.pk] == "/pairings/"
    assert urls[foreign.pk] == "https://evil.example/x"  # left alone; open refuses it

"""Calendar invites and feeds: valid RFC 5545 that calendar programs accept and update."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from typing import Any

import pytest
from django.core import mail
from icalendar import Calendar

from upward.journey import ics, selectors, services
from upward.journey.models import CalendarFeed
from upward.journey.tests.helpers import book
from upward.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db


def _parse(content: bytes) -> tuple[Calendar, Any]:
    cal = Calendar.from_ical(content)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return cal, events[0]


def test_invite_has_every_required_property(pairs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = book(pairs, place="Room 4", video_url="https://meet.example.org/abc")
    content = ics.invite(selectors.meeting_item(meeting))
    cal, event = _parse(content)
    assert cal["METHOD"] == "REQUEST"
    assert cal["VERSION"] == "2.0"
    assert cal["PRODID"]
    tzids = [tz["TZID"] for tz in cal.walk("VTIMEZONE")]
    assert tzids == [pairs.mentee.time_zone]
    assert str(event["UID"]) == meeting.uid
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].params["TZID"] == pairs.mentee.time_zone
    assert event["DTSTART"].dt == meeting.starts_at
    assert event["DTEND"].dt == meeting.ends_at
    assert str(event["ORGANIZER"]) == f"mailto:{pairs.mentee.email}"
    attendees = event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
    partner = next(a for a in attendees if str(a) == f"mailto:{pairs.mentor.email}")
    assert partner.params["RSVP"] == "TRUE"
    assert partner.params["CN"] == pairs.mentor.full_name
    assert event["STATUS"] == "CONFIRMED"
    assert event["LOCATION"] == "Room 4"
    assert "DTSTAMP" in event


def test_update_raises_sequence_and_keeps_uid(pairs, django_capture_on_commit_callbacks):
    meeting = book(pairs)
    uid = meeting.uid
    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule_meeting(
            meeting,
            person=pairs.mentee,
            starts_at=meeting.starts_at + dt.timedelta(days=1),
            duration_minutes=45,
            step=meeting.step,
            by=None,
        )
    meeting.refresh_from_db()
    _cal, event = _parse(ics.invite(selectors.meeting_item(meeting)))
    assert str(event["UID"]) == uid
    assert event["SEQUENCE"] == 1
    assert event["DTEND"].dt - event["DTSTART"].dt == dt.timedelta(minutes=45)
    assert [m.subject for m in mail.outbox] == [
        m.subject for m in mail.outbox if m.subject.startswith("[Upward] Updated")
    ]
    assert len(mail.outbox) == 2  # one to each person


def test_cancel_sends_method_cancel_with_same_uid(pairs, django_capture_on_commit_callbacks):
    meeting = book(pairs)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_meeting(meeting, person=pairs.mentee, by=None)
    meeting.refresh_from_db()
    content = ics.invite(selectors.meeting_item(meeting))
    cal, event = _parse(content)
    assert cal["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert str(event["UID"]) == meeting.uid
    assert event["SEQUENCE"] == 1
    raw = mail.outbox[-1].message().as_bytes()
    assert b"method=CANCEL" in raw or b'method="CANCEL"' in raw


def test_email_carries_text_calendar_part_with_method(pairs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = book(pairs)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([pairs.mentee.email, pairs.mentor.email])
    parsed = message_from_bytes(mail.outbox[0].message().as_bytes())
    parts = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_param("method") == "REQUEST"
    cal = Calendar.from_ical(bytes(parts[0].get_payload(decode=True)))
    assert cal["METHOD"] == "REQUEST"
    assert str(cal.walk("VEVENT")[0]["UID"]) == meeting.uid


def test_no_email_when_the_transaction_rolls_back(pairs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        book(pairs)
    assert mail.outbox == []
    # Both invitations wait in the outbox for one after-commit task that never comes.
    assert len(callbacks) == 1
    assert OutboundEmail.objects.filter(sent_at__isnull=True).count() == 2


def test_feed_lists_meetings_and_stops_after_revocation(pairs, world):
    meeting = book(pairs)
    feed = services.regenerate_feed(pairs.mentor, by=None)
    client = world.client_for(None)
    response = client.get(f"/calendar/{feed.token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    assert [str(e["UID"]) for e in cal.walk("VEVENT")] == [meeting.uid]
    assert cal["METHOD"] == "PUBLISH"
    assert cal.walk("VTIMEZONE")

    old = feed.token
    new = services.regenerate_feed(pairs.mentor, by=None)
    assert new.token != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new.token}.ics").status_code == 200

    services.revoke_feed(pairs.mentor, by=None)
    assert not CalendarFeed.objects.filter(person=pairs.mentor).exists()
    assert client.get(f"/calendar/{new.token}.ics").status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_feed_of_another_person_does_not_show_this_pair(pairs):
    book(pairs)
    feed = services.regenerate_feed(pairs.other.mentor, by=None)
    items = ics.feed(
        __import__("upward.journey.selectors", fromlist=["x"]).feed_items(feed.person), name="x"
    )
    assert Calendar.from_ical(items).walk("VEVENT") == []


def test_download_invite_view(pairs, world):
    meeting = book(pairs)
    response = world.client_for(pairs.mentor).get(f"/meetings/{meeting.pk}/invite.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; method=REQUEST; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    _cal, event = _parse(response.content)
    assert str(event["UID"]) == meeting.uid


def test_calendar_links_use_site_url(pairs, settings):
    settings.SITE_URL = "http://127.0.0.1:9000"
    meeting = book(pairs)
    _cal, event = _parse(ics.invite(selectors.meeting_item(meeting)))
    assert f"http://127.0.0.1:9000/meetings/{meeting.pk}/" in str(event["DESCRIPTION"])

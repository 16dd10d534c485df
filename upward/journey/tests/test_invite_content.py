"""What a meeting invitation says: the agenda and the video link in the calendar entry, an HTML
part with one call to action, and no way for text someone wrote to add calendar properties."""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from upward.core.links import absolute_url
from upward.journey import ics, selectors, services
from upward.journey.tests.conftest import NOW
from upward.journey.tests.helpers import book
from upward.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db

VIDEO = "https://meet.example.org/abc-defg"


def _event(content: bytes):
    cal = Calendar.from_ical(content)
    (event,) = cal.walk("VEVENT")
    return event


def _html(message) -> str:
    (html,) = [content for content, kind in message.alternatives if kind == "text/html"]
    return html


def test_the_invitation_carries_the_agenda_and_the_video_link(
    pairs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = book(pairs, video_url=VIDEO)
    agenda = [item.text for item in meeting.agenda.all()]
    assert agenda, "the first session comes with agenda lines from the journey"
    assert len(mail.outbox) == 2
    page = absolute_url(reverse("journey:meeting", args=[meeting.pk]))
    for message in mail.outbox:
        (part,) = message.attachments  # the calendar part, with its METHOD parameter
        description = str(_event(part.get_payload(decode=True))["DESCRIPTION"])
        for line in agenda:
            assert f"- {line}" in description
        assert f"Join the video call: {VIDEO}" in description
        assert page in description


def test_a_line_added_later_is_in_the_downloaded_invite_but_not_in_the_feed(
    pairs, django_capture_on_commit_callbacks
):
    meeting = book(pairs, video_url=VIDEO)
    services.add_agenda_item(meeting, person=pairs.mentor, text="Try the new rota app", by=None)
    description = str(_event(ics.invite(selectors.meeting_item(meeting)))["DESCRIPTION"])
    assert "- Try the new rota app" in description
    # The subscription feed is fetched by calendar services: it names the meeting, not the
    # pair's agenda.
    feed = Calendar.from_ical(ics.feed(selectors.feed_items(pairs.mentor), name="Mine"))
    (entry,) = [e for e in feed.walk("VEVENT") if str(e["UID"]) == meeting.uid]
    assert "Try the new rota app" not in str(entry["DESCRIPTION"])
    assert VIDEO in str(entry["DESCRIPTION"])


def test_line_breaks_in_an_agenda_line_cannot_add_calendar_properties(pairs):
    meeting = book(pairs)
    hostile = (
        "Budget\r\nATTENDEE;CN=Eve:mailto:eve@evil.test\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\nSUMMARY:Injected\nURL:https://evil.test/"
    )
    services.add_agenda_item(meeting, person=pairs.mentee, text=hostile, by=None)
    content = ics.invite(selectors.meeting_item(meeting))
    raw = content.decode()
    # No line of the file starts a property from the agenda text (folded lines start with a
    # space, and icalendar escapes every line break in a TEXT value).
    starts = [line.split(":")[0].split(";")[0] for line in raw.splitlines() if line[:1] != " "]
    assert starts.count("BEGIN") == starts.count("END")
    assert "eve@evil.test" not in "".join(
        line for line in raw.splitlines() if line.startswith("ATTENDEE")
    )
    cal = Calendar.from_ical(content)
    (event,) = cal.walk("VEVENT")
    attendees = event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
    assert {str(a) for a in attendees} == {
        f"mailto:{pairs.mentor.email}",
        f"mailto:{pairs.mentee.email}",
    }
    assert "SUMMARY:Injected" not in re.sub(r"\r?\n ", "", raw).splitlines()
    assert "URL" not in event
    # The text survives as one agenda line of the description.
    assert "- Budget ATTENDEE;CN=Eve:mailto:eve@evil.test END:VEVENT BEGIN:VEVENT" in str(
        event["DESCRIPTION"]
    )


def test_the_invitation_email_has_an_html_part_with_one_call_to_action(
    pairs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = book(pairs, video_url=VIDEO)
    page = absolute_url(reverse("journey:meeting", args=[meeting.pk]))
    message = mail.outbox[0]
    html = _html(message)
    page_links = set(re.findall(r'href="([^"]+)"', html)) - {
        href for href in re.findall(r'href="([^"]+)"', html) if "preferences" in href
    }
    assert len(page_links) == 1, page_links
    assert page_links == {page}
    assert page in message.body  # the text part leads to the same page
    assert ">See the agenda</a>" in html
    assert "Northwind Health" in html
    assert "reverse mentoring pair" in html


def test_a_cancellation_asks_for_nothing(pairs, django_capture_on_commit_callbacks):
    meeting = book(pairs)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_meeting(meeting, person=pairs.mentee, by=None)
    message = mail.outbox[0]
    html = _html(message)
    assert "See the agenda" not in html
    assert "Cancelled" in html
    assert OutboundEmail.objects.filter(subject__startswith="[Upward] Cancelled").count() == 2


def test_the_html_part_survives_the_trip_through_the_outbox_as_an_alternative(
    pairs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book(pairs)
    parsed = message_from_bytes(mail.outbox[0].message().as_bytes())
    kinds = [part.get_content_type() for part in parsed.walk()]
    assert "text/plain" in kinds
    assert "text/html" in kinds
    assert "text/calendar" in kinds


def test_the_organiser_is_not_named_twice_in_their_own_invitation(
    pairs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book(pairs)
    by_person = {message.to[0]: message.body for message in mail.outbox}
    organiser = by_person[pairs.mentee.email]
    assert organiser.startswith(f"Hello {pairs.mentee.full_name},")
    assert "You have booked a mentoring meeting:" in organiser
    assert f"{pairs.mentee.full_name} has booked" not in organiser
    assert (
        f"{pairs.mentee.full_name} has booked a mentoring meeting:" in by_person[pairs.mentor.email]
    )


def test_an_event_invitation_carries_its_video_link_and_cannot_be_injected(
    pairs, world, django_capture_on_commit_callbacks
):
    hostile = "Bring a question.\r\nATTENDEE:mailto:eve@evil.test\r\nEND:VEVENT\r\nBEGIN:VEVENT"
    with django_capture_on_commit_callbacks(execute=True):
        event = services.save_event(
            world.programme,
            None,
            data={
                "title": "Knowledge session",
                "kind": "knowledge",
                "audience": "all",
                "description": hostile,
                "video_url": VIDEO,
            },
            starts_at=NOW + dt.timedelta(days=3),
            ends_at=NOW + dt.timedelta(days=3, hours=1),
            time_zone="Europe/London",
            organiser=world.manager,
            by=None,
        )
    assert mail.outbox, "the audience is invited"
    message = mail.outbox[0]
    (part,) = message.attachments
    content = part.get_payload(decode=True)
    cal = Calendar.from_ical(content)
    (entry,) = cal.walk("VEVENT")
    attendees = entry["ATTENDEE"] if isinstance(entry["ATTENDEE"], list) else [entry["ATTENDEE"]]
    assert "mailto:eve@evil.test" not in {str(a) for a in attendees}
    description = str(entry["DESCRIPTION"])
    assert "Bring a question." in description
    assert f"Join the video call: {VIDEO}" in description
    page = absolute_url(reverse("journey:event", args=[event.pk]))
    assert page in description
    # The HTML part asks for a reply on the same page the text part names.
    html = _html(message)
    assert ">Tell us if you can come</a>" in html
    assert page in message.body and f'href="{page}"' in html

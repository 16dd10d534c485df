"""Bad input at the booking form is a form error; names stored before inputs were checked still
book, and everybody still gets the invite."""

from __future__ import annotations

from email import message_from_bytes

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from upward.journey.models import Meeting
from upward.organisations.models import Person

pytestmark = pytest.mark.django_db


def _booking(**changes):
    data = {
        "date": "2027-02-10",
        "start_time": "10:00",
        "duration_minutes": "60",
        "time_zone": "Europe/London",
        "place": "Café",
        "video_url": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01"])
def test_a_meeting_far_outside_sensible_years_is_a_form_error(pairs, world, date):
    url = reverse("journey:book", args=[pairs.pairing.pk])
    response = world.client_for(pairs.mentee).post(url, _booking(date=date))
    assert response.status_code == 200
    assert "Enter a date between" in response.context["form"].errors["date"][0]
    assert not Meeting.objects.exists()


def test_a_place_with_a_line_break_is_a_form_error(pairs, world):
    url = reverse("journey:book", args=[pairs.pairing.pk])
    response = world.client_for(pairs.mentee).post(url, _booking(place="Room 4\r\nBcc: x@y.z"))
    assert response.status_code == 200
    assert "single line" in response.context["form"].errors["place"][0]
    assert not Meeting.objects.exists()


def test_a_name_with_line_breaks_already_stored_still_books_and_invites(
    pairs, world, django_capture_on_commit_callbacks
):
    # Data from before the checks existed (or written by hand): it must not break the booking.
    Person.objects.filter(pk=pairs.mentor.pk).update(full_name="Jo\r\nBcc: all@example.org\x0b")
    url = reverse("journey:book", args=[pairs.pairing.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client_for(pairs.mentee).post(url, _booking())
    assert response.status_code == 302
    assert Meeting.objects.count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([pairs.mentee.email, pairs.mentor.email])
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert "Jo Bcc: all@example.org" in message.subject
        parsed = message_from_bytes(message.message().as_bytes())
        assert parsed.get("Bcc") is None
        part = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
        cal = Calendar.from_ical(bytes(part.get_payload(decode=True)))
        event = cal.walk("VEVENT")[0]
        attendees = event["ATTENDEE"]
        assert isinstance(attendees, list)  # both people: icalendar gives a list of addresses
        names = [a.params["CN"] for a in attendees]
        assert "Jo Bcc: all@example.org" in names
        assert all("\n" not in n and "\r" not in n for n in names)
        assert "\n" not in str(event["SUMMARY"])

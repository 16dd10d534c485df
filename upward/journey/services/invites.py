"""Calendar invitations for pair meetings, queued in the outbox and sent after the commit."""

from __future__ import annotations

from email.mime.text import MIMEText

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from upward.core.validation import one_line
from upward.journey import ics
from upward.journey.models import (
    Meeting,
    MeetingStatus,
)
from upward.journey.services._shared import in_zone
from upward.notifications.outbox import Attachment, Email, queue_emails
from upward.organisations.models import Person


def _attendee(person: Person) -> ics.Attendee:
    return ics.Attendee(email=person.email, name=one_line(person.full_name))


def meeting_item(meeting: Meeting) -> ics.CalendarItem:
    pairing = meeting.pairing
    partner = pairing.mentor if meeting.organiser_id == pairing.mentee_id else pairing.mentee
    title = meeting.step.title if meeting.step else _("Mentoring meeting")
    link = ics.site_url(reverse("journey:meeting", args=[meeting.pk]))
    description = _("Reverse mentoring: %(programme)s.\nAgenda and notes: %(link)s") % {
        "programme": pairing.programme.name,
        "link": link,
    }
    return ics.CalendarItem(
        uid=meeting.uid,
        sequence=meeting.sequence,
        # Names and titles may predate the input checks: one line each, so neither the
        # calendar file nor the email subject built from this summary can break.
        summary=one_line(f"{title} · {pairing.mentee.full_name} & {pairing.mentor.full_name}"),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        time_zone=meeting.time_zone,
        organiser=_attendee(meeting.organiser),
        attendees=(_attendee(partner), _attendee(meeting.organiser)),
        description=description,
        location=meeting.place,
        url=meeting.video_url,
        cancelled=meeting.status == MeetingStatus.CANCELLED,
        updated_at=meeting.updated_at,
    )


def calendar_part(content: bytes, method: str) -> MIMEText:
    """The text/calendar part with the METHOD parameter calendar programs look for."""
    part = MIMEText(content.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


def calendar_email(*, subject: str, body: str, to: str, content: bytes, method: str) -> Email:
    """An invitation email carrying the text/calendar part (with its METHOD) calendars read."""
    invite = Attachment("invite.ics", content, f"text/calendar; method={method}")
    return Email(to=[to], subject=subject, body=body, attachments=[invite])


def _send_invites(meeting: Meeting) -> None:
    """One email per person so each reads times in their own zone; sent after commit."""
    emails = []
    item = meeting_item(meeting)
    content = ics.invite(item)
    method = ics.method_of(item)
    pairing = meeting.pairing
    for person in (pairing.mentee, pairing.mentor):
        if not person.email:
            continue
        context = {
            "meeting": meeting,
            "person": person,
            "organiser": meeting.organiser,
            "when": in_zone(meeting.starts_at, person.time_zone),
            "zone": person.time_zone,
            "link": ics.site_url(reverse("journey:meeting", args=[meeting.pk])),
            "title": item.summary,
            "cancelled": item.cancelled,
            "updated": meeting.sequence > 0,
        }
        body = render_to_string("journey/email/meeting_invite.txt", context)
        if item.cancelled:
            subject = _("Cancelled: %(title)s") % {"title": item.summary}
        elif meeting.sequence:
            subject = _("Updated: %(title)s") % {"title": item.summary}
        else:
            subject = _("Invitation: %(title)s") % {"title": item.summary}
        emails.append(
            calendar_email(
                subject=subject, body=body, to=person.email, content=content, method=method
            )
        )
    queue_emails(emails)

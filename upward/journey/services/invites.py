"""Calendar invitations for pair meetings, queued in the outbox and sent after the commit."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from upward.journey import ics
from upward.journey.models import Meeting
from upward.journey.selectors import meeting_item
from upward.journey.services._shared import in_zone
from upward.notifications.outbox import Attachment, Email, queue_emails
from upward.notifications.rendering import Action
from upward.organisations.models import Person


def calendar_email(
    *,
    subject: str,
    body: str,
    to: Person,
    content: bytes,
    method: str,
    action: Action | None = None,
    organisation: str = "",
    reason: str = "",
) -> Email:
    """An invitation email carrying the text/calendar part (with its METHOD) calendars read."""
    invite = Attachment("invite.ics", content, f"text/calendar; method={method}")
    return Email(
        to=[to.email],
        subject=subject,
        body=body,
        attachments=[invite],
        person=to,
        action=action,
        organisation=organisation,
        reason=reason,
    )


def pair_reason(programme: str) -> str:
    return _(
        "You are getting this email because you are in a reverse mentoring pair in "
        "%(programme)s and a meeting was booked, changed or cancelled."
    ) % {"programme": programme}


def _send_invites(meeting: Meeting) -> None:
    """One email per person so each reads times in their own zone; sent after commit."""
    emails = []
    item = meeting_item(meeting)
    content = ics.invite(item)
    method = ics.method_of(item)
    pairing = meeting.pairing
    link = ics.site_url(reverse("journey:meeting", args=[meeting.pk]))
    organisation = pairing.programme.organisation.name
    for person in (pairing.mentee, pairing.mentor):
        if not person.email:
            continue
        context = {
            "meeting": meeting,
            "person": person,
            "organiser": meeting.organiser,
            "when": in_zone(meeting.starts_at, person.time_zone),
            "zone": person.time_zone,
            "link": link,
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
                subject=subject,
                body=body,
                to=person,
                content=content,
                method=method,
                # A cancellation asks nothing of the reader; the attachment removes the entry.
                action=None if item.cancelled else Action(_("See the agenda"), link),
                organisation=organisation,
                reason=pair_reason(pairing.programme.name),
            )
        )
    queue_emails(emails)

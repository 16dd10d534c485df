"""Calendar invitations for pair meetings, emailed after the commit."""

from __future__ import annotations

from email.mime.text import MIMEText
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from upward.core.validation import one_line
from upward.journey import ics
from upward.journey.models import (
    Meeting,
)
from upward.journey.selectors import meeting_item
from upward.journey.services._shared import in_zone


def calendar_part(content: bytes, method: str) -> MIMEText:
    """The text/calendar part with the METHOD parameter calendar programs look for."""
    part = MIMEText(content.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


def _send_calendar_email(
    *, subject: str, body: str, to: list[str], content: bytes, method: str
) -> None:
    message = EmailMultiAlternatives(
        # A line break in a header makes Django refuse to send: never let a name cause that.
        subject=one_line(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}"),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.attach(calendar_part(content, method))
    message.send()


def _send_invites(meeting: Meeting) -> None:
    """One email per person so each reads times in their own zone; sent after commit."""
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
        transaction.on_commit(
            partial(
                _send_calendar_email,
                subject=subject,
                body=body,
                to=[person.email],
                content=content,
                method=method,
            )
        )

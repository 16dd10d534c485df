"""Writes: sending an announcement to part of a programme's cohort."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from upward.announcements import library, selectors
from upward.announcements.models import BODY_MAX, TITLE_MAX, Announcement, AnnouncementAudience
from upward.core.audit import record
from upward.core.errors import DomainError
from upward.core.types import Actor
from upward.core.validation import has_control_characters
from upward.notifications.services import notify
from upward.programmes.models import Programme

# Announcements go to people taking part, so the programme must have them.
SENDABLE_STATES = ("recruiting", "matching", "active", "completed")


class AnnouncementError(DomainError):
    pass


def clean_announcement(*, title: str, body: str, audience: str) -> tuple[str, str]:
    """The title and message as they will be sent; AnnouncementError names the first problem."""
    title, body = title.strip(), body.strip()
    if audience not in AnnouncementAudience.values:
        raise AnnouncementError(_("Choose who receives the announcement."), field="audience")
    if not title:
        raise AnnouncementError(_("Give the announcement a title."), field="title")
    if len(title) > TITLE_MAX:
        raise AnnouncementError(
            _("Keep the title to %(n)s characters or fewer.") % {"n": TITLE_MAX}, field="title"
        )
    if has_control_characters(title):
        raise AnnouncementError(_("Write the title on one line."), field="title")
    if not body:
        raise AnnouncementError(_("Write the message."), field="body")
    if len(body) > BODY_MAX:
        raise AnnouncementError(
            _("Keep the message to %(n)s characters or fewer.") % {"n": BODY_MAX}, field="body"
        )
    if has_control_characters(body, multiline=True):
        raise AnnouncementError(_("Remove the invisible control characters."), field="body")
    return title, body


def _check_programme(programme: Programme) -> None:
    if programme.state not in SENDABLE_STATES:
        raise AnnouncementError(
            _("Announcements can be sent once the programme has opened recruitment.")
            if programme.state == "draft"
            else _("This programme is archived, so nothing more is sent to it.")
        )


@transaction.atomic
def send_announcement(
    programme: Programme,
    *,
    title: str,
    body: str,
    audience: str,
    send_token: uuid.UUID,
    template_key: str = "",
    by: Actor,
) -> Announcement:
    """Send the announcement to everyone in its audience today, one notification each (kind
    "programme", so each person's choice of email, weekly summary or in-app holds).

    The same `send_token` sent twice returns the first announcement and sends nothing more.
    """
    existing = Announcement.objects.filter(programme=programme, send_token=send_token).first()
    if existing is not None:
        return existing
    if Announcement.objects.filter(send_token=send_token).exists():
        raise AnnouncementError(_("This confirmation belongs to another programme."))
    _check_programme(programme)
    title, body = clean_announcement(title=title, body=body, audience=audience)
    people = selectors.audience_people(programme, audience)
    if not people:
        raise AnnouncementError(
            _("Nobody is in this audience today, so there is nobody to send it to."),
            field="audience",
        )
    try:
        # A savepoint: two requests with the same confirmation race on the unique token, and
        # the loser returns what the winner sent.
        with transaction.atomic():
            announcement = Announcement.objects.create(
                programme=programme,
                title=title,
                body=body,
                audience=audience,
                template_key=template_key if template_key in library.READY_MADE_BY_KEY else "",
                sent_by=by if getattr(by, "is_authenticated", False) else None,
                sent_at=timezone.now(),
                recipient_count=len(people),
                send_token=send_token,
            )
    except IntegrityError:
        return Announcement.objects.get(programme=programme, send_token=send_token)
    announcement.recipients.set(people)
    url = reverse("announcements:read", args=[announcement.pk])
    context: dict[str, Any] = {"programme": programme, "announcement": announcement}
    for person in people:
        notify(
            person,
            kind="programme",
            subject=_("%(programme)s: %(title)s") % {"programme": programme.name, "title": title},
            template="announcements/email/announcement.txt",
            context=context,
            url=url,
            dedupe_key=f"announcement:{announcement.pk}",
        )
    record(
        "announcement.sent",
        announcement,
        by=by,
        organisation=programme.organisation,
        data={"audience": audience, "recipients": len(people)},
    )
    return announcement

"""When a pairing is over, its future meetings are too.

Answers `pairing_closed` (pairing/signals.py) inside the transaction that ended, completed or
declined the pairing: every meeting still booked in the future is cancelled, both people get
a calendar CANCEL (the same UID and a higher SEQUENCE, so their calendars drop the entry), and
the slot is free again for either person's next pairing. Past meetings are left as they are:
their record is locked with the pairing (services/meetings.py), so the reminder a week before
the programme ends asks pairs to record their meetings.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from upward.core.audit import record
from upward.core.types import Actor
from upward.journey import ics
from upward.journey.models import Meeting, MeetingStatus
from upward.journey.selectors import meeting_item
from upward.journey.services._shared import in_zone
from upward.journey.services.invites import calendar_email, pair_reason
from upward.notifications.outbox import Email, queue_emails
from upward.pairing.models import LIVE_STATES, Pairing, PairingState


def future_meetings(pairings: Any) -> Any:
    """Booked meetings still to come of the given pairings (a queryset or a list)."""
    return Meeting.objects.filter(
        pairing__in=pairings, status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now()
    )


def cancel_future_meetings(pairing: Pairing, *, by: Actor) -> list[Meeting]:
    cancelled = []
    with transaction.atomic():
        meetings = future_meetings([pairing]).select_related(
            "pairing__programme__organisation",
            "pairing__mentor",
            "pairing__mentee",
            "organiser",
            "step",
        )
        for meeting in meetings.order_by("starts_at", "pk"):
            now = timezone.now()
            won = Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.SCHEDULED).update(
                status=MeetingStatus.CANCELLED,
                cancelled_at=now,
                sequence=meeting.sequence + 1,
                updated_at=now,
            )
            if not won:
                continue  # Cancelled or marked a moment ago by someone else.
            meeting.refresh_from_db()
            record(
                "journey.meeting_cancelled",
                meeting,
                by=by,
                organisation=pairing.programme.organisation,
                data={"sequence": meeting.sequence, "because": f"pairing_{pairing.state}"},
            )
            _send_cancellations(meeting, pairing)
            cancelled.append(meeting)
    return cancelled


def _send_cancellations(meeting: Meeting, pairing: Pairing) -> None:
    item = meeting_item(meeting)
    content = ics.invite(item)  # METHOD:CANCEL, since the meeting is cancelled
    completed = pairing.state == PairingState.COMPLETED
    emails: list[Email] = []
    for person in (pairing.mentee, pairing.mentor):
        if not person.email:
            continue
        body = render_to_string(
            "journey/email/meeting_cancelled_pairing_closed.txt",
            {
                "person": person,
                "title": item.summary,
                "when": in_zone(meeting.starts_at, person.time_zone),
                "zone": person.time_zone,
                "completed": completed,
                "programme": pairing.programme.name,
            },
        )
        emails.append(
            calendar_email(
                subject=_("Cancelled: %(title)s") % {"title": item.summary},
                body=body,
                to=person,
                content=content,
                method=ics.method_of(item),
                organisation=pairing.programme.organisation.name,
                reason=pair_reason(pairing.programme.name),
            )
        )
    queue_emails(emails)


def completion_consequences(programme: Any) -> list[str]:
    live = Pairing.objects.filter(programme=programme, state__in=LIVE_STATES)
    n = future_meetings(live).count()
    if not n:
        return []
    return [
        ngettext(
            "%(n)s future meeting will be cancelled, and both people sent a calendar cancellation.",
            "%(n)s future meetings will be cancelled, and both people in each pair sent a "
            "calendar cancellation.",
            n,
        )
        % {"n": n}
    ]

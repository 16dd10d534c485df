"""The scheduled journey reminders: the day-before meeting reminder and the booking nudge."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from upward.core.links import relative_path
from upward.journey import ics
from upward.journey.models import (
    Meeting,
    MeetingStatus,
    PairReminder,
)
from upward.journey.selectors import organisers, programme_journey
from upward.journey.services._shared import in_zone
from upward.notifications.services import notify
from upward.organisations.models import Person
from upward.organisations.selectors import unavailable_person_ids
from upward.pairing.models import Pairing, PairingState


def send_journey_reminders(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Day-before reminders to both people; "time to book" nudges to the organiser(s) only,
    at most once a fortnight, when a pair has nothing booked and is due to meet."""
    now = now or timezone.now()
    sent = {"meeting": 0, "booking": 0}
    # Reminders pause for people who marked themselves away (organisations' unavailability).
    away = unavailable_person_ids(on=timezone.localdate(now))
    due = Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(hours=24),
        pairing__state=PairingState.ACTIVE,
    ).select_related("pairing__mentor", "pairing__mentee", "pairing__programme", "step")
    for meeting in due:
        with transaction.atomic():
            claimed = Meeting.objects.filter(pk=meeting.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if not claimed:
                continue
            for person in (meeting.pairing.mentee, meeting.pairing.mentor):
                if person.pk in away:
                    continue
                _email_later(
                    _("Tomorrow: your mentoring meeting"),
                    "journey/email/meeting_reminder.txt",
                    {
                        "meeting": meeting,
                        "person": person,
                        "when": in_zone(meeting.starts_at, person.time_zone),
                        "zone": person.time_zone,
                        "link": ics.site_url(reverse("journey:meeting", args=[meeting.pk])),
                    },
                    person,
                    kind="meeting_reminder",
                    key=f"meeting-reminder:{meeting.pk}:{meeting.starts_at:%Y%m%d%H%M}",
                )
            sent["meeting"] += 1

    pairings = (
        Pairing.objects.filter(state=PairingState.ACTIVE)
        .exclude(meetings__status=MeetingStatus.SCHEDULED, meetings__starts_at__gt=now)
        .select_related("programme", "mentor", "mentee", "journey_reminder")
        .distinct()
    )
    for pairing in pairings:
        if pairing.mentor_id in away or pairing.mentee_id in away:
            continue  # Not due to book while one of them is away; the nudge waits.
        pj = programme_journey(pairing.programme)
        gap = dt.timedelta(days=max(7, int(30 / float(pj.meetings_per_month))))
        last = (
            Meeting.objects.filter(pairing=pairing)
            .exclude(status=MeetingStatus.CANCELLED)
            .aggregate(m=Max("starts_at"))["m"]
        )
        since = last or pairing.mentee_responded_at or pairing.created_at
        if since is None or now - since < gap - dt.timedelta(days=7):
            continue
        reminder, _created = PairReminder.objects.get_or_create(pairing=pairing)
        if reminder.booking_reminded_at and now - reminder.booking_reminded_at < dt.timedelta(
            days=14
        ):
            continue
        with transaction.atomic():
            reminder.booking_reminded_at = now
            reminder.save(update_fields=["booking_reminded_at"])
            for person in organisers(pairing):
                partner = pairing.mentor if person.pk == pairing.mentee_id else pairing.mentee
                _email_later(
                    _("Time to book your next mentoring meeting"),
                    "journey/email/booking_reminder.txt",
                    {
                        "pairing": pairing,
                        "person": person,
                        "partner": partner,
                        "link": ics.site_url(reverse("journey:book", args=[pairing.pk])),
                    },
                    person,
                    kind="booking_nudge",
                    key=f"booking-nudge:{pairing.pk}:{now:%Y%m%d}",
                )
            sent["booking"] += 1
    return sent


def _email_later(
    subject: str, template: str, context: dict[str, Any], to: Person, *, kind: str, key: str
) -> None:
    # Through notify(): recorded in the app, emailed after commit per the person's choices,
    # and never twice for the same key.
    notify(
        to,
        kind=kind,
        subject=subject,
        template=template,
        context=context,
        url=relative_path(context["link"]),
        dedupe_key=key,
    )

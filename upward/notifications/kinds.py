"""The kinds of notification people can choose how to receive, with their defaults.

A caller may pass a kind that is not listed here; it is then delivered straight away by email
and cannot be tuned on the preferences page until it is added below.

One kind is only a preference: "message", the email the notes app sends when a partner writes.
The message itself is the in-app notice (the thread shows it unread), so it offers no weekly
summary.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from upward.notifications.models import Delivery


@dataclass(frozen=True)
class Kind:
    key: str
    label: StrOrPromise
    help_text: StrOrPromise
    default: str = Delivery.IMMEDIATELY
    # The choices offered for this kind; every delivery unless a kind says otherwise.
    deliveries: tuple[str, ...] = tuple(Delivery.values)
    # Offered only to people who run programmes (managers and organisation admins).
    team_only: bool = False

    @property
    def choices(self) -> list[tuple[str, StrOrPromise]]:
        return [(value, label) for value, label in Delivery.choices if value in self.deliveries]


# Defaults: time-sensitive things (a meeting tomorrow, a decision, a proposal waiting for an
# answer) arrive straight away; things that can wait a few days go into the weekly summary, because
# too many emails is what people most often dislike about mentoring software.
KINDS: tuple[Kind, ...] = (
    Kind(
        "message",
        _("Messages from your partner"),
        _(
            "The email says who wrote to you and links to the thread; it never contains the message."
        ),
        deliveries=(Delivery.IMMEDIATELY, Delivery.IN_APP),
    ),
    Kind(
        "meeting_reminder",
        _("Meeting reminders"),
        _("The day before a session you have booked."),
    ),
    Kind(
        "booking_nudge",
        _("No next meeting booked"),
        _("A reminder to book the next session when none is in the diary."),
    ),
    Kind(
        "pairing",
        _("Pairing proposals and changes"),
        _("A proposed partner, a proposal waiting for your answer, a pairing that starts or ends."),
    ),
    Kind(
        "application",
        _("Applications and invitations"),
        _("Decisions on your application and invitations to apply."),
    ),
    Kind(
        "survey_due",
        _("Surveys to answer"),
        _("A survey or check-in is open for you."),
    ),
    Kind(
        "safety",
        _("Safety and check-ins"),
        _("Check-ins and follow-up on a concern you raised or look after."),
    ),
    Kind(
        "impact",
        _("Recognition and commitments"),
        _("Follow-ups on commitments, thank-you notes and time given."),
        Delivery.DIGEST,
    ),
    Kind(
        "programme_team",
        _("For programme teams"),
        _(
            "People waiting for a partner, participants who left, pairs at risk: what needs the "
            "team in the programmes you run."
        ),
        team_only=True,
    ),
    Kind(
        "programme",
        _("Programme news"),
        _("Updates from the people running your programme."),
        Delivery.DIGEST,
    ),
)

KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


def default_delivery(kind: str) -> str:
    known = KINDS_BY_KEY.get(kind)
    return known.default if known else Delivery.IMMEDIATELY
